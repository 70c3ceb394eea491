package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// consume prints a record whose key, value and header hold terminal escape
// sequences with them escaped, one record per line; --raw prints them as
// they are (issue 17: ESC sequences reached the terminal).
func TestConsumeCommand_escapesControlCharactersUnlessRaw(t *testing.T) {
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "escapes")
	testkafka.CreateTopics(t, brokers, 1, topic)
	testkafka.Produce(t, brokers, topic,
		testkafka.Record{Key: "k\x1b[2J", Value: "v\x1b]0;owned\x07\nsecond line", Headers: map[string]string{"h": "\x1b[31mred"}},
		testkafka.Record{Key: "plain", Value: `{"id":2,"name":"Zoë"}`},
	)
	consume := func(extra ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		cmd := cli.New("t", nil, onTestClient)
		cmd.SetOut(&out)
		cmd.SetErr(&errb)
		args := append([]string{"consume", topic, "--brokers", strings.Join(brokers, ","), "--from-beginning", "--count", "2", "--timeout", "30s", "--print-key", "--headers"}, extra...)
		if code := cli.ExecuteArgs(cmd, args, &errb); code != 0 {
			t.Fatalf("consume %v: exit %d: %s", extra, code, errb.String())
		}
		return out.String()
	}

	want := `"k\x1b[2J"` + "\t" + `{"h":"\u001b[31mred"}` + "\t" + `"v\x1b]0;owned\a\nsecond line"` + "\n" +
		"plain\t{}\t" + `{"id":2,"name":"Zoë"}` + "\n"
	if got := consume(); got != want {
		t.Fatalf("consume printed:\n%q\nwant:\n%q", got, want)
	}
	raw := consume("--raw")
	if !strings.Contains(raw, "k\x1b[2J\t") || !strings.Contains(raw, "\x1b]0;owned\x07\nsecond line\n") {
		t.Fatalf("consume --raw did not print the bytes as they are:\n%q", raw)
	}
}
