package interop_test

import (
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
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

// TestChaos_sigkillExactlyOnce is TestChaos_sigkill's static scenario with
// processing.guarantee exactly_once and 200,000 inputs, read by
// read_committed clients: every input is answered and none twice (0
// duplicates), although each kill leaves an open transaction whose records
// a read_uncommitted reader of the same topic sees (they are aborted when
// the restarted server, with the same transactional id, starts): that
// reader's duplicates are counted and logged, to show what the
// transactions hide.
func TestChaos_sigkillExactlyOnce(t *testing.T) {
	skipChaos(t)
	const (
		kills  = 20
		inputs = 200_000
		rate   = 2500 // inputs/s: the stream lasts 80 s, the kills ~80 s
	)
	r := newChaosWith(t, "SIGKILL x20, 3 servers, static membership, exactly once", chaosTarget(t, ""),
		clientOpts{isolation: sarama.ReadCommitted}, 12, 3, staticMembership, "--set", "processing.guarantee=exactly_once")
	uncommitted := collect(t, r.b.direct, r.a.output())
	uncommitted.markers = true
	r.streamSpec(streamSpec{rate: rate, n: inputs})
	r.warmUp(3000)
	for range kills {
		r.sleepBetween(2*time.Second, 6*time.Second)
		slot := rand.IntN(len(r.slots))
		f, _ := r.signal(slot, syscall.SIGKILL, 10*time.Second)
		r.record(f)
		r.restart(slot)
	}
	r.st.wait(t, r.within(3*time.Minute))
	res := r.finish(3*time.Minute, nil)
	if res.inputs != inputs {
		t.Errorf("%d inputs sent, want %d", res.inputs, inputs)
	}
	if res.duplicates != 0 {
		t.Errorf("read_committed: %d duplicates, want 0", res.duplicates)
	}
	// A restarted server aborts its predecessor's open transaction when it
	// starts: no partition waits for the transaction timeout (1 minute)
	// after a kill. 45 s leaves room for a loaded machine's pauses.
	if m := maxOf(res.first); m > 45*time.Second {
		t.Errorf("a kill's first answer came %v after it: a transaction left open by the killed server was not aborted by its successor", round(m))
	}
	uncommitted.drain(t, r.b.direct, clientOpts{}, 30*time.Second)
	uncommitted.stop()
	udups, uids := uncommitted.report(t, res.inputs)
	t.Logf("%s: read_committed %d inputs, 0 lost, %d duplicates; read_uncommitted %d duplicates of %d inputs (records of aborted transactions)",
		r.b.name, res.inputs, res.duplicates, udups, uids)
}

// TestChaos_zombieExactlyOnce: two exactly-once servers share the input;
// one is frozen (SIGSTOP) past its session timeout (12 s, and until the
// other took its partitions over), then resumed (SIGCONT). The frozen one resumes with
// a transaction open in a generation that is gone: its commit is refused
// (KIP-447: the offsets carry its member id and generation) and the
// transaction aborted, so its late writes are invisible. A read_committed
// reader sees every input answered exactly once.
func TestChaos_zombieExactlyOnce(t *testing.T) {
	skipChaos(t)
	r := newChaosWith(t, "zombie (SIGSTOP 12s past a 6s session), 2 servers, exactly once", chaosTarget(t, ""),
		clientOpts{isolation: sarama.ReadCommitted}, 6, 2, "--set", "processing.guarantee=exactly_once")
	r.stream(1500, nil)
	r.warmUp(3000)
	zombie := r.slots[0]
	start := time.Now()
	if err := zombie.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	r.sleep(12 * time.Second)
	// Resume only once the other server took every partition over: on a
	// loaded machine the coordinator may notice the expired session late.
	other, n := r.slots[1], r.partitions()
	waitUntil(t, r.within(60*time.Second), "the other server to take the zombie's partitions over",
		func() bool { return len(other.assigned(r.a.input())) == n }, other)
	if err := zombie.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	r.addFault("SIGSTOP 12s", start, time.Now())
	r.sleep(10 * time.Second)
	res := r.finish(3*time.Minute, nil)
	if res.duplicates != 0 {
		t.Errorf("read_committed: %d duplicates, want 0", res.duplicates)
	}
	aborted := zombie.count("transaction aborted: nothing of it is visible to read_committed readers; the session ends and its partitions are consumed again from the last committed offsets")
	fenced := zombie.count("transactional producer cannot go on (fenced, or unknown to the broker); its transaction is dropped, the session ends and its partitions are consumed again from the last committed offsets with a new producer")
	t.Logf("zombie: %d transactions aborted, %d fenced after it resumed", aborted, fenced)
	for _, l := range zombie.lines() {
		if l.Level == "WARN" || l.Level == "ERROR" {
			t.Logf("zombie: %s: %s (%s)", l.Level, l.Msg, l.Error)
		}
	}
	if aborted+fenced == 0 {
		t.Errorf("the resumed zombie aborted no transaction: its late commit was not refused (log:\n%s)", zombie.output())
	}
}
