package interop_test

import (
	"syscall"
	"testing"
	"time"
)

// TestRecovery_batchRouteSigkill: the input route is a batch route
// (INTEROP_BATCH_SIZE=64); inputs stream in for 6 s, a server answers them
// in batches and is SIGKILLed at 30%; a new server (the same static member,
// so it takes the partitions back at once) answers the rest. No input is
// lost: a batch's offsets are committed only once its responses are
// acknowledged, so a batch cut short by the kill is consumed again.
func TestRecovery_batchRouteSigkill(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: kills server processes")
	}
	const inputs, partitions = 6000, 4
	tg := current(t)
	a := newApp(t, "batchkill")
	a.env = []string{"INTEROP_BATCH_SIZE=64"}
	a.create(t, tg.brokers, partitions, 1)
	col := collect(t, tg.brokers, a.output())
	args := serverArgs(a, tg.brokers, "--instance-id", "batchkill-0",
		"--set", "consumer.session_timeout=20s", "--set", "consumer.heartbeat_interval=3s")

	first := startServer(t, 1, a, args...)
	waitUntil(t, time.Minute, "the server to hold the input partitions",
		func() bool { return len(first.assigned(a.input())) == partitions }, first)
	st := stream(t, tg.brokers, a.input(), inputs, 6*time.Second)
	waitUntil(t, 2*time.Minute, "30% of the inputs answered", func() bool { return col.answered(inputs) >= inputs*3/10 }, first)
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	atKill := col.answered(inputs)
	second := startServer(t, 2, a, args...)
	st.wait(t, 2*time.Minute)
	waitUntil(t, 2*time.Minute, "every input answered after the kill", func() bool { return col.answered(inputs) == inputs }, second)
	time.Sleep(time.Second) // late duplicates
	col.stop()
	dups, _ := col.report(t, inputs)
	t.Logf("%s: batch route, %d inputs, killed with %d answered, 0 lost, %d duplicates", tg.name, inputs, atKill, dups)
}
