package events

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Handler receives events. It must not block.
type Handler func(Event)

// Bus fans events out to subscribers. The zero value is not usable; call
// NewBus. A Bus is safe for concurrent use; Publish takes no lock.
type Bus struct {
	logger *slog.Logger
	mu     sync.Mutex // serialises Subscribe/unsubscribe
	subs   atomic.Pointer[[]subscription]
	nextID uint64
}

type subscription struct {
	id    uint64
	kinds uint64 // bit set of kinds; 0 = all
	h     Handler
}

// NewBus returns an empty bus. logger reports panicking subscribers; nil discards.
func NewBus(logger *slog.Logger) *Bus {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	b := &Bus{logger: logger}
	b.subs.Store(&[]subscription{})
	return b
}

// Subscribe registers h for the given kinds (all kinds when none are given)
// and returns a function that unsubscribes it.
func (b *Bus) Subscribe(h Handler, kinds ...Kind) (unsubscribe func()) {
	var mask uint64
	for _, k := range kinds {
		mask |= 1 << k
	}
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	old := *b.subs.Load()
	next := make([]subscription, len(old), len(old)+1)
	copy(next, old)
	next = append(next, subscription{id: id, kinds: mask, h: h})
	b.subs.Store(&next)
	b.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { b.remove(id) }) }
}

func (b *Bus) remove(id uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	old := *b.subs.Load()
	next := make([]subscription, 0, len(old))
	for _, s := range old {
		if s.id != id {
			next = append(next, s)
		}
	}
	b.subs.Store(&next)
}

// Active reports whether anyone listens to kind; publishers use it to skip
// building events nobody reads on the hot path.
func (b *Bus) Active(kind Kind) bool {
	if b == nil {
		return false
	}
	for _, s := range *b.subs.Load() {
		if s.kinds == 0 || s.kinds&(1<<kind) != 0 {
			return true
		}
	}
	return false
}

// Publish delivers e to every subscriber of its kind. A zero Time is set to now.
func (b *Bus) Publish(e Event) {
	if b == nil {
		return
	}
	subs := *b.subs.Load()
	if len(subs) == 0 {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	for _, s := range subs {
		if s.kinds == 0 || s.kinds&(1<<e.Kind) != 0 {
			b.deliver(s.h, e)
		}
	}
}

func (b *Bus) deliver(h Handler, e Event) {
	defer func() {
		if r := recover(); r != nil {
			b.logger.Error("events: subscriber panicked", "event", e.Kind.String(), "panic", fmt.Sprint(r))
		}
	}()
	h(e)
}
