package interop_test

import (
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestChaos_sigkill: three servers share a 12-partition input topic; every
// 1-3 s a random one is SIGKILLed and started again at once, 20 times,
// while inputs stream in. Every input is answered. The servers are dynamic
// group members, or static ones (consumer.instance_id per server slot: a
// restarted server takes its predecessor's place).
func TestChaos_sigkill(t *testing.T) {
	skipChaos(t)
	t.Run("dynamic", func(t *testing.T) {
		sigkill(t, "SIGKILL x20, 3 servers")
	})
	t.Run("static", func(t *testing.T) {
		sigkill(t, "SIGKILL x20, 3 servers, static membership", staticMembership)
	})
}

func sigkill(t *testing.T, scenario string, extra ...string) {
	const kills = 20
	r := newChaos(t, scenario, chaosTarget(t, ""), 12, 3, extra...)
	r.stream(1500, nil)
	r.warmUp(3000)
	for range kills {
		r.sleepBetween(time.Second, 3*time.Second)
		slot := rand.IntN(len(r.slots))
		f, _ := r.signal(slot, syscall.SIGKILL, 10*time.Second)
		r.record(f)
		r.restart(slot)
	}
	r.sleep(5 * time.Second)
	r.finish(3*time.Minute, nil)
}

// TestChaos_sigterm: three servers share a 12-partition input topic; every
// 2-4 s a random one gets SIGTERM under load and is started again once it
// exited, 10 times. Every graceful stop exits 0, every input is answered,
// and a clean stop replays (almost) nothing: the duplicates are reported.
func TestChaos_sigterm(t *testing.T) {
	skipChaos(t)
	const stops = 10
	r := newChaos(t, "SIGTERM x10 under load, 3 servers", chaosTarget(t, ""), 12, 3)
	r.stream(1500, nil)
	r.warmUp(3000)
	var took []time.Duration
	for range stops {
		r.sleepBetween(2*time.Second, 4*time.Second)
		slot := rand.IntN(len(r.slots))
		f, s := r.signal(slot, syscall.SIGTERM, 45*time.Second)
		if s.err != nil {
			t.Errorf("server %d exited with %v after SIGTERM, want exit 0", s.id, s.err)
		}
		r.record(f)
		took = append(took, f.end.Sub(f.start))
		r.restart(slot)
	}
	r.notef("SIGTERM to exit median %v max %v", round(median(took)), round(slices.Max(took)))
	r.sleep(5 * time.Second)
	r.finish(3*time.Minute, nil)
}
