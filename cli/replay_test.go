package cli_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

// writeDeadLetters writes, to partition 0 of dlq, the dead letters the
// runtime would for records of the origin topics named (value "o:v": a
// record of o with value v; a value over limit bytes is cut to fit).
func writeDeadLetters(t *testing.T, brokers []string, dlq string, limit int, records ...string) {
	t.Helper()
	pc := producer.DefaultConfig()
	pc.Kafka = testkafka.Config(brokers)
	p, err := producer.New(pc)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i, r := range records {
		origin, value, _ := strings.Cut(r, ":")
		f := pipeline.Failure{Topic: origin, Partition: 0, Offset: int64(10 + i), Stage: "controller", Attempt: 1, Err: errors.New("boom")}
		in := []producer.Header{{Key: "source", Value: []byte("web")}, {Key: "karafka.stage", Value: []byte("forged")}}
		m := pipeline.DeadLetter(dlq, []byte("k"), []byte(value), in, f, limit)
		m.Partition, m.ExplicitPartition = 0, true
		if _, err := p.Send(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
}

// replay prints one line per dead letter and a summary, the same on both
// clients; a dry run sends nothing; a dead letter topic that does not
// exist exits 1; a missing origin topic stops it (exit 1) with the command
// that resumes it; bad flags exit 2.
func TestReplayCommand(t *testing.T) {
	brokers := testkafka.Brokers(t)
	name := testkafka.Name(t, "replay")
	orders, dlq, gone := testkafka.Name(t, "orders"), testkafka.Name(t, "orders_dlq"), testkafka.Name(t, "gone")
	testkafka.CreateTopics(t, brokers, 1, orders)
	testkafka.CreateTopics(t, brokers, 1, dlq)
	big := strings.Repeat("v", 3000)
	writeDeadLetters(t, brokers, dlq, 2000, orders+":a", orders+":"+big, orders+":b", gone+":c", orders+":d")

	run := func(lib string, wantCode int, args ...string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		cmd := cli.New(name, nil, onClient(lib))
		cmd.SetOut(&out)
		cmd.SetErr(&errb)
		args = append([]string{"--brokers", strings.Join(brokers, ",")}, args...)
		if code := cli.ExecuteArgs(cmd, args, &errb); code != wantCode {
			t.Fatalf("%s %v: exit %d, want %d:\n%s%s", lib, args, code, wantCode, out.String(), errb.String())
		}
		return out.String(), errb.String()
	}

	// The dry run and the failures print the same on both clients; the
	// replay itself runs once (on sarama, then franz resumes it).
	for _, lib := range []string{kafka.ClientSarama, kafka.ClientFranz} {
		out, _ := run(lib, cli.ExitFailure, "replay", dlq, "--dry-run")
		want := "would replay " + dlq + "/0@0 -> " + orders + "/0 (was " + orders + "/0@10)\n" +
			"skipped " + dlq + "/0@1 (was " + orders + "/0@11): cut to fit (karafka.truncated.value): not the original record; the original is at " + orders + "/0@11 until its retention removes it\n" +
			"would replay " + dlq + "/0@2 -> " + orders + "/0 (was " + orders + "/0@12)\n" +
			"failed " + dlq + "/0@3 -> " + gone + "/0 (was " + gone + "/0@13): the origin topic does not exist (a replay creates none): topic \"" + gone + "\": "
		if !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "dry run: would replay 2 and skip 1 of 4 dead letter(s) of "+dlq+" (partitions 0); nothing was sent\n") {
			t.Errorf("%s dry run printed\n%s\nwant it to start with\n%s", lib, out, want)
		}
		_, errS := run(lib, cli.ExitFailure, "replay", testkafka.Name(t, "missing"))
		if !strings.Contains(errS, "UNKNOWN_TOPIC_OR_PARTITION") {
			t.Errorf("%s unknown topic: %s", lib, errS)
		}
	}
	if got := testkafka.Consume(t, brokers, orders, -1, time.Second); len(got) != 0 {
		t.Fatalf("the dry runs sent %d records", len(got))
	}

	out, errS := run(kafka.ClientSarama, cli.ExitFailure, "replay", dlq)
	if !strings.HasPrefix(out, "replayed "+dlq+"/0@0 -> "+orders+"/0@0 (was "+orders+"/0@10)\n") ||
		!strings.HasSuffix(out, "replayed 2 and skipped 1 of 4 dead letter(s) of "+dlq+" (partitions 0)\n") {
		t.Errorf("replay printed\n%s", out)
	}
	for _, w := range []string{"stopped at " + dlq + "/0@3", "the origin topic does not exist (a replay creates none): topic \"" + gone + "\"", "to resume: " + name + " replay " + dlq + " --partition 0 --from 3\n"} {
		if !strings.Contains(errS, w) {
			t.Errorf("replay's error\n%s\ndoes not say %q", errS, w)
		}
	}
	testkafka.CreateTopics(t, brokers, 1, gone)
	out, _ = run(kafka.ClientFranz, cli.ExitOK, "replay", dlq, "--partition", "0", "--from", "3", "--to", "5")
	if want := "replayed " + dlq + "/0@3 -> " + gone + "/0@0 (was " + gone + "/0@13)\n" +
		"replayed " + dlq + "/0@4 -> " + orders + "/0@2 (was " + orders + "/0@14)\n" +
		"replayed 2 and skipped 0 of 2 dead letter(s) of " + dlq + " (partitions 0)\n"; out != want {
		t.Errorf("resumed replay printed\n%s\nwant\n%s", out, want)
	}
	got := testkafka.Consume(t, brokers, orders, 3, 30*time.Second)
	var values []string
	for _, m := range got {
		h := headersOf(m)
		if h != "source=web,karafka.stage=forged,karafka.replayed="+dlq+"/0@"+map[string]string{"a": "0", "b": "2", "d": "4"}[string(m.Value)] {
			t.Errorf("%s: headers %s", m.Value, h)
		}
		values = append(values, string(m.Value))
	}
	if strings.Join(values, " ") != "a b d" {
		t.Errorf("%s holds %v", orders, values)
	}

	for _, args := range [][]string{
		{"replay"},
		{"replay", dlq, "--from", "-1"},
		{"replay", dlq, "--from", "3", "--to", "2"},
		{"replay", dlq, "--partition", "-2"},
		{"replay", dlq, "--set", "kafka.client=nope"},
	} {
		run(kafka.ClientSarama, cli.ExitUsage, args...)
	}
}
