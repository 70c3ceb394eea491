package cli_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// produceCmd runs `produce` with stdin and returns its exit code and stderr.
func produceCmd(t *testing.T, stdin string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := cli.New("t", nil, onTestClient)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetIn(strings.NewReader(stdin))
	code := cli.ExecuteArgs(cmd, append([]string{"produce"}, args...), &errb)
	return code, errb.String()
}

func headersOf(m *sarama.ConsumerMessage) string {
	var hs []string
	for _, h := range m.Headers {
		hs = append(hs, string(h.Key)+"="+string(h.Value))
	}
	return strings.Join(hs, ",")
}

// produce sets a key per line, headers, a partition and null values
// (issue 18: it could set none of them).
func TestProduceCommand_keysHeadersPartitionAndTombstones(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "produce_flags")
	testkafka.CreateTopics(t, brokers, 3, topic)
	b := "--brokers=" + strings.Join(brokers, ",")

	code, stderr := produceCmd(t, "a\t1\n\nb\tNULL\nc\tx\ty\nd\t\n", topic, b, "--key-separator", "\t", "--null-value", "NULL",
		"--header", "h1=x", "-H", "h1=y", "--header", "h2=a=b", "--partition", "2")
	if code != 0 {
		t.Fatalf("produce: exit %d: %s", code, stderr)
	}
	code, stderr = produceCmd(t, "gone1\ngone2\n", topic, b, "--tombstone", "-p", "1")
	if code != 0 {
		t.Fatalf("produce --tombstone: exit %d: %s", code, stderr)
	}
	got := testkafka.Consume(t, brokers, topic, 6, 30*time.Second)
	if len(got) != 6 {
		t.Fatalf("consumed %d records, want 6", len(got))
	}
	type rec struct {
		partition    int32
		key, headers string
		value        *string
	}
	str := func(s string) *string { return &s }
	want := map[string]rec{
		"a":     {2, "a", "h1=x,h1=y,h2=a=b", str("1")},
		"b":     {2, "b", "h1=x,h1=y,h2=a=b", nil},
		"c":     {2, "c", "h1=x,h1=y,h2=a=b", str("x\ty")},
		"d":     {2, "d", "h1=x,h1=y,h2=a=b", str("")},
		"gone1": {1, "gone1", "", nil},
		"gone2": {1, "gone2", "", nil},
	}
	for _, m := range got {
		w, ok := want[string(m.Key)]
		if !ok {
			t.Errorf("unexpected record key %q value %q", m.Key, m.Value)
			continue
		}
		if m.Partition != w.partition {
			t.Errorf("%s: partition %d, want %d", m.Key, m.Partition, w.partition)
		}
		if h := headersOf(m); h != w.headers {
			t.Errorf("%s: headers %q, want %q", m.Key, h, w.headers)
		}
		switch {
		case w.value == nil && m.Value != nil:
			t.Errorf("%s: value %q, want null", m.Key, m.Value)
		case w.value != nil && (m.Value == nil || string(m.Value) != *w.value):
			t.Errorf("%s: value %q (null: %t), want %q", m.Key, m.Value, m.Value == nil, *w.value)
		}
	}
}

// Flags that cannot work, alone or together, are refused before anything
// is sent, each with what to do instead.
func TestProduceCommand_refusesBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--header", "novalue"}, `--header "novalue": want KEY=VALUE`},
		{[]string{"--header", "=v"}, `--header "=v": want KEY=VALUE`},
		{[]string{"--partition", "-1"}, "--partition -1: want a partition number, 0 or more"},
		{[]string{"--key-separator", ""}, "--key-separator is empty"},
		{[]string{"--key", "k", "--key-separator", ":"}, "--key and --key-separator both set the key"},
		{[]string{"--tombstone", "--null-value", "NULL"}, "--tombstone and --null-value both make null values"},
		{[]string{"--tombstone", "--key", "k"}, "--tombstone reads a key per line"},
		{[]string{"--tombstone", "--key-separator", ":"}, "drop --key-separator"},
		{[]string{"--null-value", ""}, "--null-value is empty"},
	}
	for _, tt := range tests {
		// No broker listens there: the flags are refused before any dial.
		code, stderr := produceCmd(t, "a:1\n", append([]string{"t", "--brokers=127.0.0.1:1"}, tt.args...)...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("produce %q: exit %d, stderr %q; want exit %d naming %q", tt.args, code, stderr, cli.ExitUsage, tt.want)
		}
	}
}

// A line without the key separator stops produce, naming the line, and a
// partition the topic lacks is named as the --partition it came from.
func TestProduceCommand_namesBadLinesAndPartitions(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "produce_bad")
	testkafka.CreateTopics(t, brokers, 2, topic)
	b := "--brokers=" + strings.Join(brokers, ",")

	code, stderr := produceCmd(t, "a:1\nb:2\nno separator\nc:3\n", topic, b, "--key-separator", ":")
	if want := `stdin line 3: no key separator ":" (with --key-separator each line is KEY:VALUE); nothing after it was sent, 2 of the 2 message(s) before it were produced`; code != cli.ExitFailure || !strings.Contains(stderr, want) {
		t.Errorf("a line without separator: exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
	if got := testkafka.Consume(t, brokers, topic, 2, 30*time.Second); len(got) != 2 {
		t.Errorf("consumed %d records, want the 2 before the bad line", len(got))
	}

	code, stderr = produceCmd(t, "x\n", topic, b, "--partition", "7")
	if want := "--partition 7: topic " + topic + " has no such partition"; code != cli.ExitFailure || !strings.Contains(stderr, want) {
		t.Errorf("--partition 7 of 2: exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
}
