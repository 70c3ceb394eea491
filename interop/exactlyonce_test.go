package interop_test

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestExactlyOnce_killedServerAnswersEveryInputOnce: a server with
// processing.guarantee exactly_once is SIGKILLed again and again while
// inputs stream in, then started once more and left alone. A read_committed
// reader of the responses must see every input answered exactly once: 0
// lost, 0 duplicates. A read_uncommitted reader of the same topic sees the
// records of the transactions the kills left open (aborted later), so it
// counts duplicates: that number is logged, to show what the transactions
// hide. The server keeps one consumer.instance_id across restarts, so its
// transactional id is stable: each new incarnation fences its predecessor
// and aborts its open transaction at once, instead of read_committed readers
// waiting for that transaction to time out.
func TestExactlyOnce_killedServerAnswersEveryInputOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: kills server processes")
	}
	const (
		partitions = 4
		inputs     = 4000
		over       = 15 * time.Second
		kills      = 6
	)
	tg := current(t)
	a := newApp(t, "eoskill")
	a.create(t, tg.brokers, partitions, 2)
	args := serverArgs(a, tg.brokers,
		"--set", "processing.guarantee=exactly_once",
		"--set", "consumer.instance_id=eos-1",
		"--set", "consumer.session_timeout=6s", "--set", "consumer.heartbeat_interval=1s",
		"--set", "consumer.rebalance_timeout=10s", "--set", "kafka.read_timeout=3s")

	committed := collectWith(t, tg.brokers, a.output(), false, clientOpts{isolation: sarama.ReadCommitted})
	uncommitted := collect(t, tg.brokers, a.output())
	st := stream(t, tg.brokers, a.input(), inputs, over)
	for k := 1; k <= kills; k++ {
		s := startServer(t, k, a, args...)
		time.Sleep(1500*time.Millisecond + rand.N(1500*time.Millisecond))
		if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-s.done
	}
	t.Logf("%s: %d kills done with %d inputs sent, %d answered (read_committed)", tg.name, kills, st.sent.Load(), committed.answered(inputs))
	last := startServer(t, kills+1, a, args...)
	st.wait(t, 2*time.Minute)
	waitUntil(t, 2*time.Minute, "every input answered (read_committed)",
		func() bool { return committed.answered(inputs) == inputs }, last)
	time.Sleep(2 * time.Second) // late duplicates, if any, would land now
	committed.stop()
	uncommitted.stop()
	dups, dupIDs := committed.report(t, inputs)
	if dups != 0 {
		t.Errorf("read_committed: %d duplicates of %d inputs, want 0", dups, dupIDs)
	}
	udups, _ := uncommitted.report(t, inputs)
	t.Logf("%s: %d inputs, %d kills: read_committed 0 lost, %d duplicates; read_uncommitted %d duplicates (aborted records)",
		tg.name, inputs, kills, dups, udups)
}
