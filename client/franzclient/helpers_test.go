package franzclient_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/client/franzclient"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// config is a group member's configuration for tests: quick to notice a
// rebalance, reading from the beginning.
func config(brokers []string, group string, topics ...string) client.GroupConfig {
	return client.GroupConfig{
		Kafka:             testkafka.Config(brokers),
		Group:             group,
		Topics:            topics,
		SessionTimeout:    10 * time.Second,
		HeartbeatInterval: 300 * time.Millisecond,
		RebalanceTimeout:  10 * time.Second,
		FromBeginning:     true,
		FetchMaxWait:      100 * time.Millisecond,
		FetchBytes:        1 << 20,
		Buffer:            64,
	}
}

// newGroup makes a member of cfg, closed when t ends.
func newGroup(t *testing.T, cfg client.GroupConfig) client.Group {
	t.Helper()
	g, err := franzclient.New().NewGroup(cfg)
	if err != nil {
		t.Fatalf("NewGroup: %v", err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// journal is an ordered log of what handlers saw, shared by the members
// of a test.
type journal struct {
	mu      sync.Mutex
	entries []string
}

func (j *journal) add(format string, a ...any) {
	j.mu.Lock()
	j.entries = append(j.entries, fmt.Sprintf(format, a...))
	j.mu.Unlock()
}

func (j *journal) index(entry string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Index(j.entries, entry)
}

func (j *journal) String() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return fmt.Sprint(j.entries)
}

// handler collects the records of its claims; it marks each record
// (unless markBelow says otherwise) and commits in Cleanup.
type handler struct {
	name string
	j    *journal
	// markBelow, when > 0, marks only records with offsets below it.
	markBelow int64
	// block, when set, holds every ConsumeClaim until it is closed.
	block chan struct{}
	// drain is how long Cleanup takes before it commits (the runtime
	// drains its partitions then).
	drain time.Duration
	// setupErr, when set, is what the next Setup returns (once).
	setupErr error

	mu       sync.Mutex
	recs     []client.Record
	claims   []client.Claim
	initial  map[int32]int64
	setups   int
	cleanups int
}

var _ client.Handler = (*handler)(nil)

func newHandler(name string, j *journal) *handler {
	if j == nil {
		j = &journal{}
	}
	return &handler{name: name, j: j, initial: map[int32]int64{}}
}

func (h *handler) Setup(client.Session) error {
	h.mu.Lock()
	h.setups++
	err := h.setupErr
	h.setupErr = nil
	h.mu.Unlock()
	if err != nil {
		return err
	}
	h.j.add("%s:setup", h.name)
	return nil
}

func (h *handler) Cleanup(s client.Session) error {
	time.Sleep(h.drain)
	s.Commit()
	h.mu.Lock()
	h.cleanups++
	h.mu.Unlock()
	h.j.add("%s:cleanup", h.name)
	return nil
}

func (h *handler) ConsumeClaim(s client.Session, c client.Claim) error {
	h.mu.Lock()
	h.claims = append(h.claims, c)
	h.initial[c.Partition()] = c.InitialOffset()
	h.mu.Unlock()
	h.j.add("%s:claim", h.name)
	if h.block != nil {
		<-h.block
	}
	var buf []client.Record
	for {
		var ok bool
		buf, ok = c.Fetch(buf[:0], 7)
		if !ok {
			return nil
		}
		h.mu.Lock()
		h.recs = append(h.recs, buf...)
		h.mu.Unlock()
		for _, r := range buf {
			if h.markBelow == 0 || r.Offset < h.markBelow {
				s.MarkOffset(r.Topic, r.Partition, r.Offset+1)
			}
		}
	}
}

// claimCount is how many claims h got, over all its sessions.
func (h *handler) claimCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.claims)
}

func (h *handler) records() []client.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.recs)
}

func (h *handler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.recs)
}

// consume runs g's Consume in a loop, as the runtime does, until ctx ends;
// the returned channel has every error and is closed when it stopped.
func consume(ctx context.Context, g client.Group, h client.Handler) <-chan error {
	errs := make(chan error, 100)
	go func() {
		defer close(errs)
		for ctx.Err() == nil {
			err := g.Consume(ctx, h)
			if err == nil || ctx.Err() != nil {
				continue
			}
			select {
			case errs <- err:
			default:
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return errs
}

// eventually fails t unless cond holds within timeout.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, format string, a ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: "+format, append([]any{timeout}, a...)...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// consistently fails t if cond stops holding within d.
func consistently(t *testing.T, d time.Duration, cond func() bool, format string, a ...any) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !cond() {
			t.Fatalf(format, a...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// produce writes n records to partition p of topic, keyed and valued by
// their index from first on.
func produce(t *testing.T, brokers []string, topic string, p int32, first, n int) {
	t.Helper()
	recs := make([]testkafka.Record, n)
	for i := range recs {
		k := first + i
		recs[i] = testkafka.Record{
			Key: fmt.Sprintf("k%d", k), Value: fmt.Sprintf("v%d", k),
			Partition: p, Explicit: true,
			Headers: map[string]string{"h": fmt.Sprintf("%d", k)},
		}
	}
	testkafka.Produce(t, brokers, topic, recs...)
}

// noErrors fails t if errs has an error ready.
func noErrors(t *testing.T, errs <-chan error) {
	t.Helper()
	select {
	case err, ok := <-errs:
		if ok {
			t.Fatalf("Consume: %v", err)
		}
	default:
	}
}

// stopped waits for a consume loop to end.
func stopped(t *testing.T, errs <-chan error) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case err, ok := <-errs:
			if !ok {
				return
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Consume: %v", err)
			}
		case <-timeout:
			t.Fatal("the consume loop did not stop")
		}
	}
}
