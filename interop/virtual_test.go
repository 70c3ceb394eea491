package interop_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// TestVirtual_sigkillLosesNothing: a server runs the created route on 8
// virtual partitions of one Kafka partition, keyed by the input's "k" (10
// keys), each input taking 5 ms, streamed faster than it answers; it is
// SIGKILLed with a backlog in flight on every virtual actor and started
// again. Every input is answered, and per key the last copies of the
// answers come in input order: a key that was ahead of the committed offset
// is answered again, after its earlier answers.
func TestVirtual_sigkillLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: kills server processes")
	}
	const inputs, keys = 3000, 10
	tg := current(t)
	a := newApp(t, "virtual")
	a.env = []string{"INTEROP_VIRTUAL_PARTITIONS=8"}
	a.create(t, tg.brokers, 1, 1)
	args := serverArgs(a, tg.brokers,
		"--set", "consumer.session_timeout=6s", "--set", "consumer.heartbeat_interval=1s",
		"--set", "consumer.rebalance_timeout=10s", "--set", "kafka.read_timeout=3s")

	col := collect(t, tg.brokers, a.output())
	st := streamWith(t, tg.brokers, streamSpec{topic: a.input(), n: inputs, rate: inputs / 1.5,
		value: func(id int) string { return fmt.Sprintf(`{"id":%d,"k":"c%d","sleep_ms":5}`, id, id%keys) }})
	s := startServer(t, 1, a, args...)
	waitUntil(t, 60*time.Second, "a third of the inputs answered", func() bool { return col.answered(inputs) >= inputs/3 }, s)
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.done
	t.Logf("%s: SIGKILLed with %d inputs sent, %d answered", tg.name, st.sent.Load(), col.answered(inputs))
	last := startServer(t, 2, a, args...)
	st.wait(t, 2*time.Minute)
	waitUntil(t, 90*time.Second, "every input answered after the kill", func() bool { return col.answered(inputs) == inputs }, last)
	col.stop()
	dups, _ := col.report(t, inputs)

	col.mu.Lock()
	defer col.mu.Unlock()
	lastAt := map[int64]int{}
	for i, ans := range col.seen {
		lastAt[ans.id] = i
	}
	prev := map[int64]int64{} // per key: the id answered last, in last-copy order
	for i, ans := range col.seen {
		if lastAt[ans.id] != i {
			continue
		}
		k := ans.id % keys
		if p, ok := prev[k]; ok && ans.id < p {
			t.Fatalf("key c%d: the last copy of id %d's answer came after id %d's", k, ans.id, p)
		}
		prev[k] = ans.id
	}
	t.Logf("%s: %d inputs, 0 lost, %d duplicates, per-key order of last copies kept", tg.name, inputs, dups)
}
