package interop_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// EnvKafkaScript names the script managing the real broker of
// KARAFKA_TEST_BROKERS (scripts/test.sh sets it to scripts/kafka.sh). Its
// `restart` subcommand must stop the broker and start it on the same data.
const EnvKafkaScript = "KARAFKA_TEST_KAFKA_SCRIPT"

// TestBrokerRestart_serverRecovers: while inputs stream in, the real broker
// is restarted (scripts/kafka.sh restart: stop, start on the same data dir);
// the server reconnects by itself and every input is answered.
func TestBrokerRestart_serverRecovers(t *testing.T) {
	script := os.Getenv(EnvKafkaScript)
	if script == "" || !testkafka.External() {
		t.Skip(EnvKafkaScript + " and KARAFKA_TEST_BROKERS not set: the broker restart test needs a real broker it may restart (scripts/test.sh sets both)")
	}
	if !filepath.IsAbs(script) {
		script = filepath.Join(repoRoot, script)
	}
	const (
		partitions = 6
		inputs     = 4000
		over       = 20 * time.Second
	)
	tg := current(t)
	a := newApp(t, "restart")
	a.create(t, tg.brokers, partitions, 3)
	s := startServer(t, 1, a, serverArgs(a, tg.brokers, "--set", "consumer.session_timeout=6s", "--set", "consumer.heartbeat_interval=1s")...)
	waitUntil(t, 60*time.Second, "the server to hold the input partitions",
		func() bool { return len(s.assigned(a.input())) == partitions }, s)

	col := collect(t, tg.brokers, a.output())
	st := stream(t, tg.brokers, a.input(), inputs, over)
	waitUntil(t, 60*time.Second, "a quarter of the inputs answered", func() bool { return col.answered(inputs) >= inputs/4 }, s)

	before := col.answered(inputs)
	t0 := time.Now()
	cmd := exec.Command(script, "restart")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s restart: %v\n%s", script, err, out)
	}
	restarted := time.Now()
	t.Logf("broker restarted in %v with %d inputs sent, %d answered:\n%s", restarted.Sub(t0).Round(time.Millisecond),
		st.sent.Load(), before, strings.TrimSpace(string(out)))

	st.wait(t, 3*time.Minute)
	waitUntil(t, 2*time.Minute, "every input answered after the restart", func() bool { return col.answered(inputs) == inputs }, s)
	time.Sleep(time.Second)
	col.stop()
	dups, dupIDs := col.report(t, inputs)
	t.Logf("%s: %d inputs (%d resent by the test producer), %d duplicates (%d ids); all answered %v after the broker was back; server: %d warnings, %d partition assignments",
		tg.name, inputs, st.resent.Load(), dups, dupIDs, time.Since(restarted).Round(time.Millisecond), warnings(s), s.count("partition assigned"))
	if s.exited() {
		t.Fatalf("the server exited: %v", s.err)
	}
}
