package actors

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

func TestTracker_marksInOrderOnly(t *testing.T) {
	var marks []int64
	tr := newTracker(func(next, _ int64) { marks = append(marks, next) }, nil)
	e0, e1, e2 := tr.add(10), tr.add(11), tr.add(12)
	e1.hold(2) // two records in flight for offset 11
	e2.release()
	e1.release()
	if len(marks) != 0 {
		t.Fatalf("marked %v before offset 10 was done", marks)
	}
	e0.release()
	if want := []int64{11}; !equal(marks, want) {
		t.Fatalf("marks %v, want %v", marks, want)
	}
	e1.release() // one ack
	if len(marks) != 1 {
		t.Fatalf("marked %v with an ack outstanding", marks)
	}
	e1.release() // last ack retires 11 and 12
	if want := []int64{11, 13}; !equal(marks, want) {
		t.Fatalf("marks %v, want %v", marks, want)
	}
	if tr.outstanding() != 0 {
		t.Fatalf("outstanding %d", tr.outstanding())
	}
}

func TestTracker_overReleasePanics(t *testing.T) {
	tr := newTracker(func(_, _ int64) {}, nil)
	e := tr.add(1)
	e.release()
	defer func() {
		if recover() == nil {
			t.Fatal("no panic on double release")
		}
	}()
	e.release()
}

func TestTracker_concurrentReleasesMarkMonotonically(t *testing.T) {
	const n = 20000
	var mu sync.Mutex
	var last int64 = -1
	bad := 0
	tr := newTracker(func(next, _ int64) {
		mu.Lock()
		if next <= last {
			bad++
		}
		last = next
		mu.Unlock()
	}, nil)
	entries := make([]*entry, n)
	for i := range entries {
		entries[i] = tr.add(int64(i))
	}
	rand.Shuffle(n, func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				entries[i].release()
			}
		})
	}
	wg.Wait()
	if bad != 0 || last != n {
		t.Fatalf("non-monotonic marks: %d, last %d want %d", bad, last, n)
	}
}

func TestTracker_waitBelow(t *testing.T) {
	tr := newTracker(func(_, _ int64) {}, nil)
	a, b := tr.add(0), tr.add(1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := tr.waitBelow(ctx, 2); err == nil {
		t.Fatal("waitBelow returned with 2 outstanding")
	}
	go func() { a.release(); b.release() }()
	if err := tr.waitBelow(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// add is track with an entry of its own.
func (t *tracker) add(offset int64) *entry {
	e := new(entry)
	t.track(e, offset)
	return e
}

// TestTracker_freezeStopsMarking: once a partition is handed back, what
// finishes later is not marked, so the count freeze returns is exactly what
// stays uncommitted (the undone-messages report), and drains still see it go.
func TestTracker_freezeStopsMarking(t *testing.T) {
	var marks []int64
	tr := newTracker(func(next, _ int64) { marks = append(marks, next) }, nil)
	e0, e1 := tr.add(10), tr.add(11)
	e0.release()
	if n := tr.freeze(); n != 1 {
		t.Fatalf("freeze returned %d outstanding, want 1", n)
	}
	e1.release()
	if want := []int64{11}; !equal(marks, want) {
		t.Fatalf("marks %v, want %v: offset 11 finished after the hand-back and must not be marked", marks, want)
	}
	if tr.outstanding() != 0 {
		t.Fatalf("outstanding %d after the last release: a drain would wait for ever", tr.outstanding())
	}
}
