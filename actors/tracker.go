package actors

import (
	"context"
	"sync"
	"time"

	"github.com/karafka-actors/karafka-actors/events"
)

// tracker marks a partition's offsets in order. Each consumed message gets an
// entry holding one token per outstanding piece of work (its processing, and
// each produced record until acknowledged). When the oldest entries have no
// tokens left, the offset after the last of them is marked.
//
// Entries are added by the claim goroutine and released by actors and
// producer callbacks, so the tracker is guarded by a mutex.
type tracker struct {
	mu      sync.Mutex
	entries []*entry // ring-free deque: entries[head:] are outstanding
	head    int
	mark    func(next, finished int64) // called without the lock held, in order
	marking sync.Mutex                 // keeps mark calls in order across goroutines
	changed chan struct{}              // signalled (non-blocking) when entries are retired
	onDone  func(e *entry, now time.Time)
	frozen  bool // set by freeze: retired entries are no longer marked
	// retired counts every entry retired, for State.
	retired int64
}

type entry struct {
	t       *tracker
	offset  int64
	pending int32
	// outcome is how the message finished; set before its last release.
	outcome events.Outcome
	// start is when the message was consumed, set only while someone
	// subscribes to the events that carry a Duration.
	start time.Time
}

// newTracker returns a tracker that calls mark with each next offset to
// resume from, in order, and the number of entries retired up to it; and
// onDone (when not nil) with each retired entry and the time it was retired.
func newTracker(mark func(next, finished int64), onDone func(e *entry, now time.Time)) *tracker {
	return &tracker{mark: mark, onDone: onDone, changed: make(chan struct{}, 1)}
}

// track registers e as the next consumed offset, with one processing token.
// e usually lives inside the message's work, saving an allocation.
func (t *tracker) track(e *entry, offset int64) {
	*e = entry{t: t, offset: offset, pending: 1}
	t.mu.Lock()
	t.entries = append(t.entries, e)
	t.mu.Unlock()
}

// outstanding is the number of entries not yet retired.
func (t *tracker) outstanding() int {
	t.mu.Lock()
	n := len(t.entries) - t.head
	t.mu.Unlock()
	return n
}

// hold adds n tokens (records about to be produced).
func (e *entry) hold(n int) {
	e.t.mu.Lock()
	e.pending += int32(n)
	e.t.mu.Unlock()
}

// release removes one token and retires finished entries.
func (e *entry) release() {
	t := e.t
	t.mu.Lock()
	e.pending--
	if e.pending < 0 {
		t.mu.Unlock()
		panic("actors: tracker entry released more often than held")
	}
	if e.pending > 0 {
		t.mu.Unlock()
		return
	}
	var buf [16]*entry // retired entries for onDone, on the stack unless many
	done := buf[:0]
	var next int64 = -1
	first := t.head
	for t.head < len(t.entries) && t.entries[t.head].pending == 0 {
		r := t.entries[t.head]
		t.entries[t.head] = nil
		t.head++
		next = r.offset + 1
		if t.onDone != nil {
			done = append(done, r)
		}
	}
	t.retired += int64(t.head - first)
	retired := t.retired
	t.entries, t.head = compactFront(t.entries, t.head)
	if t.frozen {
		next = -1 // handed back: its offsets stay where they are
	}
	if next >= 0 {
		// take the marking lock before dropping the state lock so marks are
		// issued in the order entries were retired.
		t.marking.Lock()
	}
	t.mu.Unlock()
	if next >= 0 {
		t.mark(next, retired)
		t.marking.Unlock()
		select {
		case t.changed <- struct{}{}:
		default:
		}
	}
	if len(done) > 0 {
		now := time.Now()
		for _, r := range done {
			t.onDone(r, now)
		}
	}
}

// counts returns the number of entries retired so far and of those outstanding.
func (t *tracker) counts() (retired int64, outstanding int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.retired, len(t.entries) - t.head
}

// freeze stops marking and returns the entries not retired yet: from now
// on, entries still finish (waitBelow sees them go) but are not marked, so
// exactly the returned number of messages stays uncommitted.
func (t *tracker) freeze() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.frozen = true
	return len(t.entries) - t.head
}

// waitBelow blocks until fewer than limit entries are outstanding or ctx ends.
func (t *tracker) waitBelow(ctx context.Context, limit int) error {
	return waitCountBelow(ctx, limit, t.outstanding, t.changed)
}

// waitCountBelow blocks until count() < limit, looking again each time
// changed is signalled, or until ctx ends (its error is returned then).
func waitCountBelow(ctx context.Context, limit int, count func() int, changed <-chan struct{}) error {
	for count() >= limit {
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
