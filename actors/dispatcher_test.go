package actors

import (
	"sync"
	"testing"
	"time"
)

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// busy schedules n runs that block until the returned release is called, and
// returns once all n are running.
func busy(p *pool, n int) (release func()) {
	ch := make(chan struct{})
	var started sync.WaitGroup
	started.Add(n)
	for i := 0; i < n; i++ {
		p.Schedule(func() { started.Done(); <-ch })
	}
	started.Wait()
	return func() { close(ch) }
}

func TestPoolReusesIdleWorkers(t *testing.T) {
	p := newPool(time.Minute, 64, 10)
	defer p.close()
	for i := 0; i < 100; i++ {
		done := make(chan struct{})
		p.Schedule(func() { close(done) })
		<-done
		// Wait until every worker is parked again, so the next run can reuse one.
		waitFor(t, "the workers to park", func() bool { return p.parked.Load() == p.workers.Load() })
	}
	// 1, give or take a Schedule that lands in the instant between a worker
	// counting itself parked and its receive.
	if n := p.workers.Load(); n > 3 {
		t.Fatalf("100 sequential runs used %d workers, want 1", n)
	}
}

func TestPoolNeverBlocksWhenAllWorkersAreBusy(t *testing.T) {
	p := newPool(time.Minute, 64, 10)
	defer p.close()
	release := busy(p, 3) // all three run at once: a busy worker does not delay the next
	if n := p.workers.Load(); n != 3 {
		t.Fatalf("3 concurrent runs used %d workers, want 3", n)
	}
	release()
}

func TestPoolIdleWorkersExit(t *testing.T) {
	p := newPool(20*time.Millisecond, 64, 10)
	defer p.close()
	done := make(chan struct{})
	p.Schedule(func() { close(done) })
	<-done
	waitFor(t, "the idle worker to exit", func() bool { return p.workers.Load() == 0 })
}

func TestPoolCloseStopsIdleWorkersAndStillRunsLateWork(t *testing.T) {
	p := newPool(time.Minute, 64, 10)
	busy, release := make(chan struct{}), make(chan struct{})
	p.Schedule(func() {})
	p.Schedule(func() { close(busy); <-release })
	<-busy
	p.close() // must not wait for the busy run
	close(release)
	waitFor(t, "every worker to exit after close", func() bool { return p.workers.Load() == 0 && p.parked.Load() == 0 })
	ran := make(chan struct{})
	p.Schedule(func() { close(ran) })
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("work scheduled after close never ran")
	}
	waitFor(t, "the late worker to exit", func() bool { return p.workers.Load() == 0 })
}

// TestPoolKeepsAtMostMaxIdleAfterABurst: after a burst of 20 concurrent runs
// only maxIdle workers stay parked, at once and while a steady trickle of
// runs goes on (a rotating pool hands each parked worker work in turn, so the
// idle timeout alone would keep all 20 alive).
func TestPoolKeepsAtMostMaxIdleAfterABurst(t *testing.T) {
	p := newPool(time.Minute, 4, 10)
	defer p.close()
	busy(p, 20)()
	waitFor(t, "the burst's extra workers to exit", func() bool { return p.workers.Load() == 4 })
	for i := 0; i < 50; i++ {
		done := make(chan struct{})
		p.Schedule(func() { close(done) })
		<-done
		time.Sleep(time.Millisecond)
	}
	if n := p.workers.Load(); n > 5 {
		t.Fatalf("%d workers alive under a trickle of runs, want at most maxIdle 4 (+1 racing)", n)
	}
}
