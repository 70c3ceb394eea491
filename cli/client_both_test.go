package cli_test

import (
	"bytes"
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topology"
)

// onClient runs a command on the client library lib.
func onClient(lib string) cli.Option {
	return cli.WithDefaults(func(s *cli.Settings) { s.Kafka.Client = lib })
}

// lag, consume (directly and as a group) and an unknown topic's error
// print the same on sarama and on franz, for the same group and records.
func TestKafkaTools_sameOutputOnBothClients(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in := testkafka.Name(t, "in")
	testkafka.CreateTopics(t, brokers, 2, in)
	var recs []testkafka.Record
	for i := range 5 {
		recs = append(recs, testkafka.Record{Value: string(rune('a' + i)), Partition: 0, Explicit: true, Headers: map[string]string{"h": "\x1b"}})
	}
	recs = append(recs, testkafka.Record{Value: "z", Partition: 1, Explicit: true})
	testkafka.Produce(t, brokers, in, recs...)
	name := testkafka.Name(t, "both")
	group := name + "_" + in
	commit(t, brokers, group, in, 0, 3)
	register := func(app *karafka.App) error {
		app.Route(topology.Route{Topic: in, Controller: func() controllers.Controller {
			return controllers.Func(func(*controllers.Context) error { return nil })
		}})
		return nil
	}
	run := func(lib string, wantCode int, args ...string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		cmd := cli.New(name, register, onClient(lib))
		cmd.SetOut(&out)
		cmd.SetErr(&errb)
		args = append([]string{"--brokers", strings.Join(brokers, ",")}, args...)
		if code := cli.ExecuteArgs(cmd, args, &errb); code != wantCode {
			t.Fatalf("%s %v: exit %d, want %d: %s", lib, args, code, wantCode, errb.String())
		}
		return out.String(), errb.String()
	}
	missing := testkafka.Name(t, "missing")
	for _, tc := range []struct {
		name string
		code int
		args []string
	}{
		{"lag text", 0, []string{"lag"}},
		{"lag json", 0, []string{"lag", "--format", "json"}},
		{"consume read_committed (every record)", 0, []string{"consume", in, "--from-beginning", "--count", "6", "--timeout", "30s", "--headers", "--isolation", "read_committed"}},
		{"consume unknown topic", 1, []string{"consume", missing, "--count", "1", "--timeout", "10s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outS, errS := run(kafka.ClientSarama, tc.code, tc.args...)
			outF, errF := run(kafka.ClientFranz, tc.code, tc.args...)
			if strings.HasPrefix(tc.name, "consume read_committed") { // partitions interleave differently
				outS, outF = sortedLines(outS), sortedLines(outF)
			}
			if outS != outF {
				t.Errorf("stdout differs:\n--- sarama\n%s--- franz\n%s", outS, outF)
			}
			if tc.code != 0 && errS != errF {
				t.Errorf("stderr differs:\n--- sarama\n%s--- franz\n%s", errS, errF)
			}
			if tc.name == "lag text" && !strings.Contains(outS, group+" ") {
				t.Errorf("lag printed no row of %s:\n%s", group, outS)
			}
			if tc.code != 0 && !strings.Contains(errS, "UNKNOWN_TOPIC_OR_PARTITION") {
				t.Errorf("unknown topic error: %s", errS)
			}
		})
	}
	// A group consumed on one client and then the other: each commits what
	// it printed, and lag says the same on both.
	g1, _ := run(kafka.ClientSarama, 0, "consume", in, "--group", name+"_reader", "--from-beginning", "--count", "3", "--timeout", "30s")
	g2, _ := run(kafka.ClientFranz, 0, "consume", in, "--group", name+"_reader", "--from-beginning", "--count", "3", "--timeout", "30s")
	if got := strings.Count(g1+g2, "\n"); got != 6 {
		t.Fatalf("group consumes printed %d lines:\n%s%s", got, g1, g2)
	}
	if strings.Contains(g2, "a\n") && strings.Contains(g1, "a\n") {
		t.Errorf("franz reread what sarama's group committed:\n%s---\n%s", g1, g2)
	}
}

func sortedLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i := range lines {
		for j := i + 1; j < len(lines); j++ {
			if lines[j] < lines[i] {
				lines[i], lines[j] = lines[j], lines[i]
			}
		}
	}
	return strings.Join(lines, "")
}
