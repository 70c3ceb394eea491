package deadletters_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/deadletters"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

// testClients are the client libraries to test: KARAFKA_TEST_CLIENT
// ("sarama", "franz"), or both.
func testClients(t testing.TB) []string {
	switch v := os.Getenv(testkafka.EnvClient); v {
	case "", "both":
		return []string{kafka.ClientSarama, kafka.ClientFranz}
	case kafka.ClientSarama, kafka.ClientFranz:
		return []string{v}
	default:
		t.Fatalf("%s=%q: want sarama, franz or both", testkafka.EnvClient, v)
		return nil
	}
}

// eachClient runs f as a subtest per client library, each with brokers
// of its own (a fresh embedded broker, or KARAFKA_TEST_BROKERS).
func eachClient(t *testing.T, f func(t *testing.T, cfg kafka.Config)) {
	t.Helper()
	for _, lib := range testClients(t) {
		t.Run(lib, func(t *testing.T) {
			cfg := testkafka.Config(testkafka.Brokers(t))
			cfg.Client = lib
			f(t, cfg)
		})
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// failure is the failure of origin's record at partition, offset.
func failure(origin string, partition int32, offset int64) pipeline.Failure {
	return pipeline.Failure{Topic: origin, Partition: partition, Offset: offset, Stage: "controller", Attempt: 3, Err: errors.New("boom")}
}

// deadLetter is the dead letter the runtime writes to partition of dlq
// for a record of origin.
func deadLetter(dlq string, partition int32, key, value string, in []producer.Header, f pipeline.Failure) producer.Message {
	var k []byte
	if key != "" {
		k = []byte(key)
	}
	m := pipeline.DeadLetter(dlq, k, []byte(value), in, f, 0)
	m.Partition, m.ExplicitPartition = partition, true
	return m
}

// write sends msgs, in order, and fails t on an error.
func write(t *testing.T, cfg kafka.Config, msgs ...producer.Message) {
	t.Helper()
	pc := producer.DefaultConfig()
	pc.Kafka = cfg
	p, err := producer.New(pc)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := range msgs {
		if _, err := p.Send(ctxT(t), &msgs[i]); err != nil {
			t.Fatalf("writing %s: %v", msgs[i].Topic, err)
		}
	}
}

func headers(m *sarama.ConsumerMessage) string {
	var hs []string
	for _, h := range m.Headers {
		hs = append(hs, string(h.Key)+"="+string(h.Value))
	}
	return strings.Join(hs, " ")
}

func statuses(res deadletters.Result) string {
	var s []string
	for _, o := range res.Records {
		s = append(s, fmt.Sprintf("%d@%d:%s", o.Partition, o.Offset, o.Status))
	}
	return strings.Join(s, " ")
}

// Each dead letter goes back to the partition it failed on, with its key,
// value and input headers under their own names, the dead letter's
// karafka.* headers dropped and karafka.replayed added.
func TestReplay_restoresRecords(t *testing.T) {
	eachClient(t, func(t *testing.T, cfg kafka.Config) {
		orders, dlq := testkafka.Name(t, "orders"), testkafka.Name(t, "orders_dlq")
		testkafka.CreateTopics(t, cfg.Brokers, 3, orders)
		testkafka.CreateTopics(t, cfg.Brokers, 1, dlq)
		in := []producer.Header{
			{Key: "trace", Value: []byte("t1")},
			{Key: pipeline.HeaderOriginTopic, Value: []byte("forged")},
			{Key: "dup", Value: []byte("1")},
			{Key: "dup", Value: []byte("2")},
			{Key: deadletters.HeaderReplayed, Value: []byte("old/0@9")},
		}
		write(t, cfg,
			deadLetter(dlq, 0, "k1", `{"id":1}`, in, failure(orders, 2, 40)),
			deadLetter(dlq, 0, "", `{"id":2}`, nil, failure(orders, 1, 41)),
			deadLetter(dlq, 0, "k1", `{"id":3}`, nil, failure(orders, 2, 42)),
		)
		res, err := deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: -1, To: -1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Replayed != 3 || res.Skipped != 0 || len(res.Records) != 3 {
			t.Fatalf("result %+v", res)
		}
		if len(res.Ranges) != 1 || res.Ranges[0] != (deadletters.Range{Partition: 0, From: 0, To: 3}) {
			t.Errorf("ranges %+v", res.Ranges)
		}
		want := []deadletters.Outcome{
			{Partition: 0, Offset: 0, OriginTopic: orders, OriginPartition: 2, OriginOffset: 40, Status: deadletters.StatusReplayed, SentOffset: 0},
			{Partition: 0, Offset: 1, OriginTopic: orders, OriginPartition: 1, OriginOffset: 41, Status: deadletters.StatusReplayed, SentOffset: 0},
			{Partition: 0, Offset: 2, OriginTopic: orders, OriginPartition: 2, OriginOffset: 42, Status: deadletters.StatusReplayed, SentOffset: 1},
		}
		for i, o := range res.Records {
			if o != want[i] {
				t.Errorf("outcome %d: %+v\nwant %+v", i, o, want[i])
			}
		}
		got := testkafka.Consume(t, cfg.Brokers, orders, 3, 30*time.Second)
		if len(got) != 3 {
			t.Fatalf("%d records in %s, want 3", len(got), orders)
		}
		byValue := map[string]*sarama.ConsumerMessage{}
		for _, m := range got {
			byValue[string(m.Value)] = m
		}
		for _, w := range []struct {
			value, key string
			partition  int32
			offset     int64
			headers    string
		}{
			{`{"id":1}`, "k1", 2, 0, "trace=t1 karafka.origin.topic=forged dup=1 dup=2 karafka.replayed=old/0@9 karafka.replayed=" + dlq + "/0@0"},
			{`{"id":2}`, "", 1, 0, "karafka.replayed=" + dlq + "/0@1"},
			{`{"id":3}`, "k1", 2, 1, "karafka.replayed=" + dlq + "/0@2"},
		} {
			m := byValue[w.value]
			if m == nil {
				t.Errorf("%s not replayed", w.value)
				continue
			}
			if string(m.Key) != w.key || m.Partition != w.partition || m.Offset != w.offset {
				t.Errorf("%s: key %q at %d@%d, want %q at %d@%d", w.value, m.Key, m.Partition, m.Offset, w.key, w.partition, w.offset)
			}
			if w.key == "" && m.Key != nil {
				t.Errorf("%s: key %q, want null", w.value, m.Key)
			}
			if h := headers(m); h != w.headers {
				t.Errorf("%s: headers\n  %s\nwant\n  %s", w.value, h, w.headers)
			}
		}
	})
}

// A dead letter cut to fit, a marker and a record naming no origin are
// skipped with the reason; the others around them are replayed.
func TestReplay_skipsWhatIsNotTheOriginal(t *testing.T) {
	eachClient(t, func(t *testing.T, cfg kafka.Config) {
		orders, dlq := testkafka.Name(t, "orders"), testkafka.Name(t, "orders_dlq")
		testkafka.CreateTopics(t, cfg.Brokers, 1, orders)
		testkafka.CreateTopics(t, cfg.Brokers, 1, dlq)
		cut := pipeline.DeadLetter(dlq, []byte("k"), []byte(strings.Repeat("v", 3000)), nil, failure(orders, 0, 1), 2000)
		marker := pipeline.Marker(dlq, []byte("k"), nil, 0, failure(orders, 0, 2), producer.ErrTooLarge)
		write(t, cfg,
			deadLetter(dlq, 0, "k", "first", nil, failure(orders, 0, 0)),
			cut,
			marker,
			producer.Message{Topic: dlq, Value: []byte("not a dead letter")},
			deadLetter(dlq, 0, "k", "last", nil, failure(orders, 0, 3)),
		)
		res, err := deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: 0, To: -1})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(res); s != "0@0:replayed 0@1:skipped 0@2:skipped 0@3:skipped 0@4:replayed" || res.Replayed != 2 || res.Skipped != 3 {
			t.Fatalf("replayed %d, skipped %d: %s", res.Replayed, res.Skipped, s)
		}
		for i, want := range []string{
			"cut to fit (karafka.truncated.value): not the original record; the original is at " + orders + "/0@1",
			"a marker: it stands for a dead letter the cluster refused",
			"no karafka.origin.topic header",
		} {
			if o := res.Records[i+1]; !strings.Contains(o.Error, want) {
				t.Errorf("dead letter %d skipped for %q, want %q", o.Offset, o.Error, want)
			}
		}
		got := testkafka.Consume(t, cfg.Brokers, orders, 2, 30*time.Second)
		if len(got) != 2 || string(got[0].Value) != "first" || string(got[1].Value) != "last" {
			t.Fatalf("%s holds %d records, want first and last", orders, len(got))
		}
	})
}

// From and To bound each partition's offsets (To exclusive); partition
// -1 reads every partition in order, a partition only its own; a dry run
// says what would be sent and sends nothing.
func TestReplay_rangesAndDryRun(t *testing.T) {
	eachClient(t, func(t *testing.T, cfg kafka.Config) {
		orders, dlq := testkafka.Name(t, "orders"), testkafka.Name(t, "orders_dlq")
		testkafka.CreateTopics(t, cfg.Brokers, 1, orders)
		testkafka.CreateTopics(t, cfg.Brokers, 2, dlq)
		var msgs []producer.Message
		for p := range int32(2) {
			for i := range 4 {
				msgs = append(msgs, deadLetter(dlq, p, "", fmt.Sprintf("p%d-%d", p, i), nil, failure(orders, 0, int64(i))))
			}
		}
		write(t, cfg, msgs...)

		dry, err := deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: -1, From: 1, To: 3, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(dry); s != "0@1:would replay 0@2:would replay 1@1:would replay 1@2:would replay" || dry.WouldReplay != 4 || dry.Replayed != 0 {
			t.Fatalf("dry run: would replay %d, replayed %d: %s", dry.WouldReplay, dry.Replayed, s)
		}
		if got := testkafka.Consume(t, cfg.Brokers, orders, -1, time.Second); len(got) != 0 {
			t.Fatalf("a dry run sent %d records", len(got))
		}

		one, err := deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: 1, From: 2, To: -1})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(one); s != "1@2:replayed 1@3:replayed" {
			t.Fatalf("partition 1 from 2: %s", s)
		}
		// A To past the end is the end; a From past it, nothing.
		past, err := deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: 0, From: 3, To: 100})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(past); s != "0@3:replayed" || past.Ranges[0] != (deadletters.Range{Partition: 0, From: 3, To: 4}) {
			t.Fatalf("partition 0 from 3 to 100: %s, ranges %+v", s, past.Ranges)
		}
		none, err := deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: -1, From: 10, To: -1})
		if err != nil || len(none.Records) != 0 || len(none.Ranges) != 2 {
			t.Fatalf("from 10: %+v, %v", none, err)
		}
		got := testkafka.Consume(t, cfg.Brokers, orders, 3, 30*time.Second)
		var values []string
		for _, m := range got {
			values = append(values, string(m.Value))
		}
		if strings.Join(values, " ") != "p1-2 p1-3 p0-3" {
			t.Fatalf("%s holds %v", orders, values)
		}
	})
}

// A dead letter topic or partition that does not exist, and a request
// that makes no sense, are errors before anything is read.
func TestReplay_unknownTopicAndInvalidRequest(t *testing.T) {
	eachClient(t, func(t *testing.T, cfg kafka.Config) {
		dlq := testkafka.Name(t, "dlq")
		testkafka.CreateTopics(t, cfg.Brokers, 1, dlq)
		missing := testkafka.Name(t, "missing")
		_, err := deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: missing, Partition: -1, To: -1})
		if !errors.Is(err, client.ErrUnknownTopicOrPartition) || !strings.Contains(err.Error(), missing) || errors.Is(err, deadletters.ErrStopped) {
			t.Errorf("unknown topic: %v", err)
		}
		_, err = deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: 3, To: -1})
		if !errors.Is(err, client.ErrUnknownTopicOrPartition) || !strings.Contains(err.Error(), "no partition 3") {
			t.Errorf("unknown partition: %v", err)
		}
		for _, req := range []deadletters.Request{
			{Partition: -1, To: -1},
			{Topic: dlq, Partition: -2, To: -1},
			{Topic: dlq, Partition: 0, From: -1, To: -1},
			{Topic: dlq, Partition: 0, From: 5, To: 4},
		} {
			if _, err := deadletters.Replay(ctxT(t), cfg, req); !errors.Is(err, deadletters.ErrInvalidRequest) {
				t.Errorf("%+v: %v, want ErrInvalidRequest", req, err)
			}
		}
	})
}

// A dead letter whose origin topic does not exist stops the replay there,
// naming the topic and how far it got, and no topic is created; so does a
// send the producer fails. Resuming from where it stopped replays the
// rest.
func TestReplay_stopsAtAFailure(t *testing.T) {
	eachClient(t, func(t *testing.T, cfg kafka.Config) {
		orders, dlq := testkafka.Name(t, "orders"), testkafka.Name(t, "orders_dlq")
		gone := testkafka.Name(t, "gone")
		testkafka.CreateTopics(t, cfg.Brokers, 1, orders)
		testkafka.CreateTopics(t, cfg.Brokers, 2, dlq)
		write(t, cfg,
			deadLetter(dlq, 0, "", "a", nil, failure(orders, 0, 0)),
			deadLetter(dlq, 0, "", "b", nil, failure(orders, 0, 1)),
			deadLetter(dlq, 0, "", "c", nil, failure(gone, 0, 2)),
			deadLetter(dlq, 0, "", "d", nil, failure(orders, 0, 3)),
			deadLetter(dlq, 1, "", "e", nil, failure(orders, 0, 4)),
		)
		res, err := deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: -1, To: -1})
		stop, ok := errors.AsType[*deadletters.StoppedError](err)
		if !ok || !errors.Is(err, deadletters.ErrStopped) || !errors.Is(err, client.ErrUnknownTopicOrPartition) {
			t.Fatalf("error %v: want a StoppedError matching ErrStopped and ErrUnknownTopicOrPartition", err)
		}
		if stop.Partition != 0 || stop.Offset != 2 || stop.LastReplayed != 1 || stop.Replayed != 2 || len(stop.NotStarted) != 1 || stop.NotStarted[0] != 1 {
			t.Errorf("stopped %+v", stop)
		}
		for _, want := range []string{"stopped at " + dlq + "/0@2", "the origin topic does not exist (a replay creates none): topic \"" + gone + "\"", "2 replayed", "resume from offset 2 of partition 0", "partitions 1 not started"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if s := statuses(res); s != "0@0:replayed 0@1:replayed 0@2:failed" || res.Replayed != 2 {
			t.Errorf("result: %s", s)
		}
		if got := testkafka.Consume(t, cfg.Brokers, orders, 2, 30*time.Second); len(got) != 2 {
			t.Errorf("%s holds %d records, want 2", orders, len(got))
		}
		if _, err := deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: 0, From: 2, To: -1, DryRun: true}); !errors.Is(err, client.ErrUnknownTopicOrPartition) || !strings.Contains(err.Error(), "dry run") {
			t.Errorf("dry run: %v", err)
		}
		testkafka.CreateTopics(t, cfg.Brokers, 1, gone) // fixed: resume
		res, err = deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: dlq, Partition: 0, From: stop.Offset, To: -1})
		if err != nil || res.Replayed != 2 {
			t.Fatalf("resumed: %s, %v", statuses(res), err)
		}

		// A producer failure: the second dead letter is over the
		// producer's limit.
		big := testkafka.Name(t, "big_dlq")
		testkafka.CreateTopics(t, cfg.Brokers, 1, big)
		write(t, cfg,
			deadLetter(big, 0, "", "small", nil, failure(orders, 0, 5)),
			deadLetter(big, 0, "", strings.Repeat("x", 2000), nil, failure(orders, 0, 6)),
			deadLetter(big, 0, "", "after", nil, failure(orders, 0, 7)),
		)
		pc := producer.DefaultConfig()
		pc.MaxMessageBytes = 1000
		res, err = deadletters.Replay(ctxT(t), cfg, deadletters.Request{Topic: big, Partition: -1, To: -1}, deadletters.WithProducerConfig(pc))
		if !errors.Is(err, producer.ErrTooLarge) || !errors.Is(err, deadletters.ErrStopped) || !strings.Contains(err.Error(), "stopped at "+big+"/0@1") {
			t.Fatalf("over the limit: %v", err)
		}
		if s := statuses(res); s != "0@0:replayed 0@1:failed" {
			t.Errorf("over the limit: %s", s)
		}
	})
}

// An ended context stops the replay before the next dead letter.
func TestReplay_contextEnded(t *testing.T) {
	eachClient(t, func(t *testing.T, cfg kafka.Config) {
		orders, dlq := testkafka.Name(t, "orders"), testkafka.Name(t, "orders_dlq")
		testkafka.CreateTopics(t, cfg.Brokers, 1, orders)
		testkafka.CreateTopics(t, cfg.Brokers, 1, dlq)
		write(t, cfg,
			deadLetter(dlq, 0, "", "a", nil, failure(orders, 0, 0)),
			deadLetter(dlq, 0, "", "b", nil, failure(orders, 0, 1)),
		)
		ctx, cancel := context.WithCancel(ctxT(t))
		defer cancel()
		res, err := deadletters.Replay(ctx, cfg, deadletters.Request{Topic: dlq, Partition: -1, To: -1},
			deadletters.WithProgress(func(o deadletters.Outcome) {
				if o.Status == deadletters.StatusReplayed {
					cancel()
				}
			}))
		stop, ok := errors.AsType[*deadletters.StoppedError](err)
		if !ok || !errors.Is(err, context.Canceled) || stop.Offset != 1 || res.Replayed != 1 {
			t.Fatalf("%s: %v", statuses(res), err)
		}
	})
}
