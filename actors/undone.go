package actors

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrUndone is wrapped by Stop's error when messages were still undone at
// the end of shutdown: their offsets stay uncommitted (see [UndoneError]).
var ErrUndone = errors.New("actors: undone messages")

// UndoneError is Stop's error when shutdown ended with messages not done:
// not processed, or with responses the broker did not acknowledge. Their
// offsets stay uncommitted, so they are consumed again on the next start
// (at-least-once). It matches [ErrUndone] and Cause.
type UndoneError struct {
	// Partitions lists each partition with undone messages, by topic and partition.
	Partitions []UndonePartition
	// Cause is why shutdown stopped waiting for them (its context ended), or nil.
	Cause error
}

// UndonePartition is one partition's count of undone messages.
type UndonePartition struct {
	Topic     string
	Partition int32
	Messages  int
}

// Messages is the number of undone messages over every partition.
func (e *UndoneError) Messages() int {
	n := 0
	for _, p := range e.Partitions {
		n += p.Messages
	}
	return n
}

func (e *UndoneError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v: %d %s of ", ErrUndone, e.Messages(), plural(e.Messages(), "message", "messages"))
	for i, p := range e.Partitions {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s/%d (%d)", p.Topic, p.Partition, p.Messages)
	}
	b.WriteString(" left uncommitted, to be consumed again on the next start")
	if e.Cause != nil {
		fmt.Fprintf(&b, ": %v", e.Cause)
	}
	return b.String()
}

func (e *UndoneError) Unwrap() []error {
	if e.Cause == nil {
		return []error{ErrUndone}
	}
	return []error{ErrUndone, e.Cause}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// claims keeps the runtime's claimed partitions, and from the moment
// shutdown began, the undone messages of those it handed back. A partition
// revoked by a rebalance before that is not counted: its next owner consumes
// what it left.
type claims struct {
	stopping atomic.Bool
	mu       sync.Mutex
	live     map[*partition]struct{}
	undone   map[*partition]int
}

// add registers a claimed partition.
func (c *claims) add(p *partition) {
	c.mu.Lock()
	if c.live == nil {
		c.live = map[*partition]struct{}{}
	}
	c.live[p] = struct{}{}
	c.mu.Unlock()
}

// remove unregisters a handed-back partition and hands it back to its
// finisher, so what it left undone is exactly what stays uncommitted; that is
// counted when shutdown is under way.
func (c *claims) remove(p *partition) {
	n := p.fin.handBack()
	c.mu.Lock()
	delete(c.live, p)
	if n > 0 && c.stopping.Load() {
		if c.undone == nil {
			c.undone = map[*partition]int{}
		}
		c.undone[p] += n
	}
	c.mu.Unlock()
}

// report is the UndoneError of everything handed back undone during
// shutdown and everything still claimed, or nil when nothing is undone.
func (c *claims) report(cause error) error {
	c.mu.Lock()
	counts := map[UndonePartition]int{}
	for p, n := range c.undone {
		counts[UndonePartition{Topic: p.topic, Partition: p.id}] += n
	}
	for p := range c.live {
		if n := p.fin.outstanding(); n > 0 {
			counts[UndonePartition{Topic: p.topic, Partition: p.id}] += n
		}
	}
	c.mu.Unlock()
	if len(counts) == 0 {
		return nil
	}
	e := &UndoneError{Cause: cause}
	for k, n := range counts {
		k.Messages = n
		e.Partitions = append(e.Partitions, k)
	}
	slices.SortFunc(e.Partitions, func(a, b UndonePartition) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	return e
}
