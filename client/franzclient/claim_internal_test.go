package franzclient

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// claimOf returns a claim of limit 20 on a client that connects nowhere
// (pausing and resuming are local to kgo).
func claimOf(t *testing.T) (*claim, *kgo.Client, context.CancelCauseFunc) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers("127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	s := &session{cl: cl}
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	return newClaim(s, tp{"t", 0}, 20), cl, s.cancel
}

func records(from, n int) []*kgo.Record {
	rs := make([]*kgo.Record, n)
	for i := range rs {
		rs[i] = &kgo.Record{Topic: "t", Offset: int64(from + i)}
	}
	return rs
}

func paused(cl *kgo.Client) bool { return len(cl.PauseFetchPartitions(nil)["t"]) == 1 }

func TestClaim_pausesWhenFullResumesWhenDrained(t *testing.T) {
	c, cl, _ := claimOf(t)
	c.push(records(0, 20), 100)
	if paused(cl) {
		t.Fatal("paused at the limit")
	}
	c.push(records(20, 10), 100)
	if !paused(cl) {
		t.Fatal("not paused above the limit")
	}
	if c.HighWaterMark() != 100 {
		t.Fatalf("HighWaterMark = %d", c.HighWaterMark())
	}
	var next int64
	take := func(n int) {
		t.Helper()
		out, ok := c.Fetch(nil, n)
		if !ok || len(out) != n {
			t.Fatalf("Fetch = %d records, %v; want %d", len(out), ok, n)
		}
		for _, r := range out {
			if r.Offset != next {
				t.Fatalf("offset %d, want %d", r.Offset, next)
			}
			next++
		}
	}
	take(15) // 15 left: above half the limit
	if !paused(cl) {
		t.Fatal("resumed above half the limit")
	}
	take(5) // 10 left
	if paused(cl) {
		t.Fatal("still paused once drained to half the limit")
	}

	// The runtime's Pause holds whatever the queue does.
	c.hold(true)
	if !paused(cl) {
		t.Fatal("Pause did not pause")
	}
	c.push(records(30, 20), 100) // 30 held: full too
	take(25)
	if !paused(cl) {
		t.Fatal("drained claim resumed a partition the runtime paused")
	}
	c.hold(false)
	if paused(cl) {
		t.Fatal("Resume did not resume")
	}
}

func TestClaim_fetchWaitsAndEnds(t *testing.T) {
	c, _, cancel := claimOf(t)
	got := make(chan int, 1)
	go func() {
		out, _ := c.Fetch(nil, 10)
		got <- len(out)
	}()
	select {
	case n := <-got:
		t.Fatalf("Fetch returned %d records before any arrived", n)
	case <-time.After(50 * time.Millisecond):
	}
	c.push(records(0, 3), 3)
	select {
	case n := <-got:
		if n != 3 {
			t.Fatalf("Fetch = %d records, want 3", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Fetch did not return once records arrived")
	}
	c.push(records(3, 3), 6)
	cancel(errRevoked)
	if out, ok := c.Fetch(nil, 10); ok || len(out) != 0 {
		t.Fatalf("Fetch after the session ended = %d records, %v; want none, false", len(out), ok)
	}
}
