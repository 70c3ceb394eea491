package interop_test

import (
	"testing"
	"time"
)

// TestChaos_brokerRestart: two servers share a 6-partition input topic while
// the broker is restarted 3 times mid-stream, keeping its data (the
// embedded broker with --data-dir; real Kafka through `kafka.sh restart`).
// The servers reconnect by themselves and every input is answered.
func TestChaos_brokerRestart(t *testing.T) {
	skipChaos(t)
	const restarts = 3
	b := chaosTarget(t, "")
	b.needScript(t)
	r := newChaos(t, "broker restart x3", b, 6, 2)
	r.stream(1000, nil)
	r.warmUp(2000)
	var took []time.Duration
	for range restarts {
		r.sleep(8 * time.Second)
		start := time.Now()
		b.restart(t)
		r.addFault("restart", start, time.Now())
		took = append(took, time.Since(start))
	}
	r.notef("restart (stop to answering again) median %v max %v", round(median(took)), round(maxOf(took)))
	r.sleep(8 * time.Second)
	r.finish(3*time.Minute, nil)
}

// TestChaos_brokerFrozen: two servers share a 6-partition input topic while
// the broker process is frozen (SIGSTOP) for 10 s, past the servers' 6 s
// session timeout, and then resumed (SIGCONT), twice. Every input is
// answered.
func TestChaos_brokerFrozen(t *testing.T) {
	skipChaos(t)
	const (
		freezes = 2
		frozen  = 10 * time.Second
	)
	b := chaosTarget(t, "")
	b.needScript(t)
	r := newChaos(t, "broker frozen 10s (SIGSTOP) x2", b, 6, 2)
	r.stream(1000, nil)
	r.warmUp(2000)
	for range freezes {
		r.sleep(8 * time.Second)
		start := time.Now()
		b.freeze(t)
		r.sleep(frozen)
		b.thaw(t)
		r.addFault("frozen", start, time.Now())
	}
	r.sleep(8 * time.Second)
	r.finish(3*time.Minute, nil)
}
