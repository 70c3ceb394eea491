package actors

import (
	"sync"
	"testing"
	"time"
)

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPoolReusesIdleWorkers(t *testing.T) {
	p := newPool(time.Minute, 10)
	defer p.close()
	for i := 0; i < 100; i++ {
		done := make(chan struct{})
		p.Schedule(func() { close(done) })
		<-done
		// Wait until the worker is parked again, so the next run can reuse it.
		waitFor(t, "the worker to park", func() bool { return p.parked() == 1 })
	}
	if n := p.workers.Load(); n != 1 {
		t.Fatalf("100 sequential runs used %d workers, want 1", n)
	}
}

func TestPoolNeverBlocksWhenAllWorkersAreBusy(t *testing.T) {
	p := newPool(time.Minute, 10)
	defer p.close()
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(3)
	for i := 0; i < 3; i++ {
		p.Schedule(func() { started.Done(); <-release })
	}
	started.Wait() // all three run at once: a busy worker does not delay the next
	if n := p.workers.Load(); n != 3 {
		t.Fatalf("3 concurrent runs used %d workers, want 3", n)
	}
	close(release)
}

func TestPoolIdleWorkersExit(t *testing.T) {
	p := newPool(20*time.Millisecond, 10)
	defer p.close()
	done := make(chan struct{})
	p.Schedule(func() { close(done) })
	<-done
	waitFor(t, "the idle worker to exit", func() bool { return p.workers.Load() == 0 })
}

func TestPoolCloseStopsIdleWorkersAndStillRunsLateWork(t *testing.T) {
	p := newPool(time.Minute, 10)
	busy, release := make(chan struct{}), make(chan struct{})
	p.Schedule(func() {})
	p.Schedule(func() { close(busy); <-release })
	<-busy
	p.close() // must not wait for the busy run
	close(release)
	waitFor(t, "every worker to exit after close", func() bool { return p.workers.Load() == 0 && p.parked() == 0 })
	ran := make(chan struct{})
	p.Schedule(func() { close(ran) })
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("work scheduled after close never ran")
	}
	waitFor(t, "the late worker to exit", func() bool { return p.workers.Load() == 0 })
}

// TestPoolBurstWorkersExitUnderSteadyTraffic: after a burst of 20 concurrent
// runs, a steady trickle of short runs must be served by one reused worker
// while the other 19 time out. A pool that rotated through its idle workers
// would keep all 20 alive as long as the trickle went on.
func TestPoolBurstWorkersExitUnderSteadyTraffic(t *testing.T) {
	p := newPool(100*time.Millisecond, 10)
	defer p.close()
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(20)
	for i := 0; i < 20; i++ {
		p.Schedule(func() { started.Done(); <-release })
	}
	started.Wait()
	close(release)
	waitFor(t, "the burst to park", func() bool { return p.parked() == 20 })
	deadline := time.Now().Add(5 * time.Second)
	for p.workers.Load() > 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers still alive under a trickle of runs, want the burst's extras gone", p.workers.Load())
		}
		done := make(chan struct{})
		p.Schedule(func() { close(done) })
		<-done
		time.Sleep(5 * time.Millisecond) // 200 runs/s: every worker would get one within 100 ms if rotated
	}
}
