package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/topology"
)

// TestLagCommand_committedHighWatermarkAndLag: a partition its group
// committed at 3 of 5 has lag 2; one it never committed shows "-" and
// every message it holds as lag (the route starts from the beginning).
func TestLagCommand_committedHighWatermarkAndLag(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in := testkafka.Name(t, "in")
	testkafka.CreateTopics(t, brokers, 2, in)
	recs := make([]testkafka.Record, 0, 9)
	for i := range 5 {
		recs = append(recs, testkafka.Record{Value: `{}`, Partition: 0, Explicit: true, Key: string(rune('a' + i))})
	}
	for range 4 {
		recs = append(recs, testkafka.Record{Value: `{}`, Partition: 1, Explicit: true})
	}
	testkafka.Produce(t, brokers, in, recs...)
	name := testkafka.Name(t, "lag")
	group := name + "_" + in
	commit(t, brokers, group, in, 0, 3)

	register := func(app *karafka.App) error {
		app.Route(topology.Route{Topic: in, Controller: func() controllers.Controller {
			return controllers.Func(func(*controllers.Context) error { return nil })
		}})
		return nil
	}
	run := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		cmd := cli.New(name, register, onTestClient)
		cmd.SetOut(&out)
		args = append([]string{"--brokers", strings.Join(brokers, ",")}, args...)
		if code := cli.ExecuteArgs(cmd, args, &errb); code != cli.ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}

	text := run("lag")
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "GROUP TOPIC PARTITION COMMITTED HIGH-WATERMARK LAG" {
		t.Fatalf("lag output:\n%s", text)
	}
	for i, want := range []string{group + " " + in + " 0 3 5 2", group + " " + in + " 1 - 4 4"} {
		if got := strings.Join(strings.Fields(lines[i+1]), " "); got != want {
			t.Errorf("row %d: %q, want %q", i, got, want)
		}
	}

	var rows []cli.LagRow
	if err := json.Unmarshal([]byte(run("lag", "--format", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	want := []cli.LagRow{
		{Group: group, Topic: in, Partition: 0, Committed: 3, HighWatermark: 5, Lag: 2},
		{Group: group, Topic: in, Partition: 1, Committed: -1, HighWatermark: 4, Lag: 4},
	}
	if len(rows) != 2 || rows[0] != want[0] || rows[1] != want[1] {
		t.Errorf("json rows %+v, want %+v", rows, want)
	}

	var errb bytes.Buffer
	cmd := cli.New(name, register, onTestClient)
	cmd.SetOut(&bytes.Buffer{})
	if code := cli.ExecuteArgs(cmd, []string{"lag", "--format", "yaml"}, &errb); code != cli.ExitUsage || !strings.Contains(errb.String(), "text, json") {
		t.Errorf("lag --format yaml: exit %d %q, want 2 naming the formats", code, errb.String())
	}
}

// commit commits offset for group on topic's partition, as a member of
// group (any broker accepts that), marking nothing on the other partitions.
func commit(t *testing.T, brokers []string, group, topic string, partition int32, offset int64) {
	t.Helper()
	sc, err := testkafka.Config(brokers).Sarama()
	if err != nil {
		t.Fatal(err)
	}
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	sc.Consumer.Offsets.AutoCommit.Enable = false
	g, err := sarama.NewConsumerGroup(brokers, group, sc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h := &marker{partition: partition, offset: offset, done: cancel}
	if err := g.Consume(ctx, []string{topic}, h); err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if !h.marked.Load() {
		t.Fatalf("offset %d of partition %d not committed", offset, partition)
	}
}

// marker marks offset on partition once it read up to it, commits and ends
// the session.
type marker struct {
	partition int32
	offset    int64
	done      func()
	marked    atomic.Bool
}

func (*marker) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (*marker) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *marker) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	if claim.Partition() != h.partition {
		<-sess.Context().Done()
		return nil
	}
	for m := range claim.Messages() {
		if m.Offset+1 >= h.offset {
			sess.MarkOffset(claim.Topic(), h.partition, h.offset, "")
			sess.Commit()
			h.marked.Store(true)
			h.done()
			return nil
		}
	}
	return nil
}

// TestLagCommand_groupNeverCommitted: a group that never committed (never
// ran) is no error: every partition shows "-" and exit status 0, on any
// broker (the embedded one answers GROUP_ID_NOT_FOUND where Kafka answers
// -1 offsets). Routes start from the beginning by default: the lag is what
// each partition holds.
func TestLagCommand_groupNeverCommitted(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	in := testkafka.Name(t, "in")
	testkafka.CreateTopics(t, brokers, 2, in)
	testkafka.Produce(t, brokers, in, testkafka.Record{Value: `{}`, Partition: 1, Explicit: true})
	name := testkafka.Name(t, "lag")
	group := name + "_" + in
	cmd := cli.New(name, func(app *karafka.App) error {
		app.Route(topology.Route{Topic: in, Controller: func() controllers.Controller {
			return controllers.Func(func(*controllers.Context) error { return nil })
		}})
		return nil
	}, onTestClient)
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	if code := cli.ExecuteArgs(cmd, []string{"--brokers", strings.Join(brokers, ","), "lag"}, &errb); code != cli.ExitOK {
		t.Fatalf("lag: exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("lag output:\n%s", out.String())
	}
	for i, want := range []string{group + " " + in + " 0 - 0 0", group + " " + in + " 1 - 1 1"} {
		if got := strings.Join(strings.Fields(lines[i+1]), " "); got != want {
			t.Errorf("row %d: %q, want %q", i, got, want)
		}
	}
}
