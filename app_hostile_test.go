package karafka_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

// idController responds with the record's id, and fails (for the dead
// letter topic) a payload without one.
func idOrFail() func() karafka.Controller {
	return func() karafka.Controller {
		return karafka.ControllerFunc(func(c *karafka.Context) error {
			id, ok := c.Params.Int("id")
			if !ok {
				return errors.New("no id")
			}
			c.RespondWith(id)
			return nil
		})
	}
}

// waitCommitted waits until group committed want on partition 0 of topic.
func waitCommitted(t *testing.T, brokers []string, group, topic string, want int64) {
	t.Helper()
	var got int64 = -1
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if got = testkafka.Committed(t, brokers, group, topic)[0]; got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("group %s committed %d on %s/0, want %d", group, got, topic, want)
}

// The reproduction: a record just under the broker's limit fails,
// and its dead letter (the record plus the karafka.* headers) is over the
// producer's. It is cut to fit and sent, with a header saying so; the
// valid record behind it is answered and committed, and shutdown is clean.
// Before, the dead letter was sent again forever and nothing after the
// record was ever committed.
func TestApp_deadLetterTooLargeIsCutToFit(t *testing.T) {
	t.Parallel()
	for _, eos := range []bool{false, true} {
		t.Run(map[bool]string{false: "at_least_once", true: "exactly_once"}[eos], func(t *testing.T) {
			t.Parallel()
			brokers := testkafka.Brokers(t)
			in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
			dlq := in + "_dlq"
			testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
			const size = 1048490 // accepted by the broker (message.max.bytes 1048588)
			testkafka.Produce(t, brokers, in,
				testkafka.Record{Value: strings.Repeat("A", size), Headers: map[string]string{"trace": "t1"}},
				testkafka.Record{Value: `{"id": 16}`})
			cfg := testConfig(t, brokers)
			if eos {
				cfg = exactlyOnceConfig(t, brokers)
			}
			r := start(t, cfg, karafka.Route{Topic: in, Controller: idOrFail(), Responder: echo(out)})

			if ids := field(t, testkafka.ConsumeCommitted(t, brokers, out, 1, 30*time.Second), "id"); strings.Join(ids, ",") != "16" {
				t.Fatalf("responses %v, want 16", ids)
			}
			d := testkafka.ConsumeCommitted(t, brokers, dlq, 1, 30*time.Second)[0]
			if v, _ := testkafka.Header(d, pipeline.HeaderTruncatedValue); v != strconv.Itoa(size) {
				t.Errorf("header %s = %q, want %d", pipeline.HeaderTruncatedValue, v, size)
			}
			if len(d.Value) == 0 || len(d.Value) >= size || strings.Trim(string(d.Value), "A") != "" {
				t.Errorf("dead letter value: %d bytes, want the start of the record's %d", len(d.Value), size)
			}
			if v, _ := testkafka.Header(d, "trace"); v != "t1" {
				t.Errorf("the record's own header: %q, want it kept", v)
			}
			if v, _ := testkafka.Header(d, karafka.HeaderOriginOffset); v != "0" {
				t.Errorf("origin offset header %q, want 0", v)
			}
			waitCommitted(t, brokers, cfg.Name+"_"+in, in, 2)
			r.shutdown(t)
			if n := len(r.rec.of(events.MessageDeadLettered)); n != 1 {
				t.Errorf("%d dead-letter events, want 1", n)
			}
		})
	}
}

// A response larger than producer.max_message_bytes fails its message for
// good, at once: it is dead-lettered with an error naming the key, and the
// messages after it are answered and committed. Before, the response was
// sent again forever.
func TestApp_responseTooLargeIsDeadLettered(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
	testkafka.Produce(t, brokers, in, ids(3)...)
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		if id == 1 {
			c.RespondWith(strings.Repeat("B", 2<<20))
			return nil
		}
		c.RespondWith(id)
		return nil
	})
	cfg := testConfig(t, brokers)
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out)})

	if ids := field(t, testkafka.Consume(t, brokers, out, 2, 30*time.Second), "id"); strings.Join(ids, ",") != "0,2" {
		t.Fatalf("responses %v, want 0,2", ids)
	}
	d := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)[0]
	if string(d.Value) != `{"id": 1}` {
		t.Errorf("dead letter %q, want the input", d.Value)
	}
	if v, _ := testkafka.Header(d, karafka.HeaderError); !strings.Contains(v, "producer.max_message_bytes") {
		t.Errorf("error header %q does not name producer.max_message_bytes", v)
	}
	if v, _ := testkafka.Header(d, karafka.HeaderAttempts); v != "1" {
		t.Errorf("attempts header %q, want 1: a size refusal is not retried", v)
	}
	waitCommitted(t, brokers, cfg.Name+"_"+in, in, 3)
	r.shutdown(t)
	failed := r.rec.of(events.MessageFailed)
	if len(failed) != 1 || !errors.Is(failed[0].Err, producer.ErrTooLarge) {
		t.Errorf("failures %v, want one matching producer.ErrTooLarge", failed)
	}
}

// createTopicWithConfig creates topic with one partition and configs.
func createTopicWithConfig(t *testing.T, brokers []string, topic string, configs map[string]string) {
	t.Helper()
	sc, err := testkafka.Config(brokers).Sarama()
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sarama.NewClusterAdmin(brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	entries := map[string]*string{}
	for k, v := range configs {
		entries[k] = &v
	}
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1, ConfigEntries: entries}, false); err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
}

// The broker refuses for good what the producer would send: a dead letter
// and a response over their topics' max.message.bytes. The dead letter is
// replaced by a marker naming the input (no value), the response's input
// is dead-lettered, and everything is committed. Before, both were sent
// again forever.
func TestApp_brokerRefusalsAreNotRetried(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in)
	createTopicWithConfig(t, brokers, out, map[string]string{"max.message.bytes": "4000"})
	createTopicWithConfig(t, brokers, dlq, map[string]string{"max.message.bytes": "6000"})
	big := strings.Repeat("C", 8000)
	testkafka.Produce(t, brokers, in,
		testkafka.Record{Value: big, Key: "k1"},                           // malformed: dead letter too large for dlq
		testkafka.Record{Value: `{"id": 1, "pad": "` + big[:5000] + `"}`}, // its response too large for out, its dead letter fits
		testkafka.Record{Value: `{"id": 2}`})
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, ok := c.Params.Int("id")
		if !ok {
			return errors.New("no id")
		}
		pad, _ := c.Params.String("pad")
		c.RespondWith(fmt.Sprint(id) + pad)
		return nil
	})
	cfg := testConfig(t, brokers)
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out)})

	if ids := field(t, testkafka.Consume(t, brokers, out, 1, 30*time.Second), "id"); strings.Join(ids, ",") != "2" {
		t.Fatalf("responses %v, want 2", ids)
	}
	dead := testkafka.Consume(t, brokers, dlq, 2, 30*time.Second)
	byOffset := map[string]*sarama.ConsumerMessage{}
	for _, d := range dead {
		o, _ := testkafka.Header(d, karafka.HeaderOriginOffset)
		byOffset[o] = d
	}
	marker := byOffset["0"]
	if marker == nil || len(marker.Value) != 0 || string(marker.Key) != "k1" {
		t.Fatalf("dead letters %v: want a marker for offset 0 with key k1 and no value", dead)
	}
	if v, _ := testkafka.Header(marker, pipeline.HeaderTruncatedValue); v != "8000" {
		t.Errorf("marker's %s = %q, want 8000", pipeline.HeaderTruncatedValue, v)
	}
	if v, _ := testkafka.Header(marker, karafka.HeaderError); !strings.Contains(v, "dead letter refused") || !strings.Contains(v, "MESSAGE_TOO_LARGE") {
		t.Errorf("marker's error header %q: want the refusal named", v)
	}
	resp := byOffset["1"]
	if resp == nil {
		t.Fatalf("no dead letter for offset 1 (its response refused): %v", dead)
	}
	if v, _ := testkafka.Header(resp, karafka.HeaderStage); v != "responder" {
		t.Errorf("stage header %q, want responder", v)
	}
	waitCommitted(t, brokers, cfg.Name+"_"+in, in, 3)
	r.shutdown(t)
}

// A record larger than consumer.max_record_bytes is not processed: its
// dead letter has no value and names the limit; the records after it are.
func TestApp_recordOverMaxRecordBytesIsNotProcessed(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
	testkafka.Produce(t, brokers, in,
		testkafka.Record{Value: `{"id": 0}`},
		testkafka.Record{Value: `{"id": 1, "pad": "` + strings.Repeat("D", 5000) + `"}`, Key: "k"},
		testkafka.Record{Value: `{"id": 2}`})
	var seen atomic.Int32
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		if id == 1 {
			seen.Add(1)
		}
		c.RespondWith(id)
		return nil
	})
	cfg := testConfig(t, brokers)
	cfg.Consumer.MaxRecordBytes = 1000
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out)})

	if ids := field(t, testkafka.Consume(t, brokers, out, 2, 30*time.Second), "id"); strings.Join(ids, ",") != "0,2" {
		t.Fatalf("responses %v, want 0,2", ids)
	}
	d := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)[0]
	if len(d.Value) != 0 || string(d.Key) != "k" {
		t.Errorf("dead letter key %q value %d bytes: want the key and no value", d.Key, len(d.Value))
	}
	if v, _ := testkafka.Header(d, karafka.HeaderError); !strings.Contains(v, "consumer.max_record_bytes (1000)") {
		t.Errorf("error header %q does not name consumer.max_record_bytes", v)
	}
	waitCommitted(t, brokers, cfg.Name+"_"+in, in, 3)
	r.shutdown(t)
	if seen.Load() != 0 {
		t.Errorf("the controller saw the record over the bound %d times", seen.Load())
	}
	failed := r.rec.of(events.MessageFailed)
	if len(failed) != 1 || !errors.Is(failed[0].Err, karafka.ErrRecordTooLarge) {
		t.Errorf("failures %v, want one matching karafka.ErrRecordTooLarge", failed)
	}
}

// An input carrying karafka.* headers cannot forge its dead letter's: they
// are kept under input.karafka.*, and the karafka.* headers are the
// runtime's only.
func TestApp_forgedFrameworkHeadersAreRenamed(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	in := testkafka.Name(t, "in")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, dlq)
	testkafka.Produce(t, brokers, in, testkafka.Record{Value: `not json`,
		Headers: map[string]string{"karafka.origin.topic": "payments", "karafka.attempts": "99"}})
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: idOrFail(), Responder: echo(in + "_unused")})

	d := testkafka.Consume(t, brokers, dlq, 1, 30*time.Second)[0]
	for _, h := range d.Headers {
		k, v := string(h.Key), string(h.Value)
		if (k == karafka.HeaderOriginTopic && v != in) || (k == karafka.HeaderAttempts && v != "1") {
			t.Errorf("dead letter header %s = %q: forged", k, v)
		}
	}
	if v, _ := testkafka.Header(d, pipeline.InputHeaderPrefix+karafka.HeaderOriginTopic); v != "payments" {
		t.Errorf("the input's own header kept as %q, want payments", v)
	}
	r.shutdown(t)
}

// With no dead letter topic, a message that keeps failing makes its
// partition stuck: State says which and why, and the app is not ready
// until it moves on again.
func TestApp_stuckPartitionIsNotReady(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out)
	testkafka.Produce(t, brokers, in, ids(2)...)
	var heal atomic.Bool
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		if id == 1 && !heal.Load() {
			return errors.New("downstream unavailable")
		}
		c.RespondWith(id)
		return nil
	})
	cfg := testConfig(t, brokers)
	cfg.Retry.Attempts = 1
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out),
		DisableDeadLetter: true})

	var st karafka.State
	waitFor(t, 30*time.Second, "a stuck partition", func() bool {
		st = r.app.State()
		return len(st.Partitions) == 1 && st.Partitions[0].Stuck != ""
	})
	if st.Ready {
		t.Error("ready with a stuck partition")
	}
	if why := st.Partitions[0].Stuck; !strings.Contains(why, "offset 1") || !strings.Contains(why, "downstream unavailable") {
		t.Errorf("stuck reason %q: want the offset and the error", why)
	}
	heal.Store(true)
	waitFor(t, 30*time.Second, "ready again", func() bool { return r.app.State().Ready })
	r.shutdown(t)
}

// The start-up log says which guarantee each consumer group runs with
// (rough edge 15 of issue 18: it did not).
func TestApp_startupLogNamesEachGroupsGuarantee(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	a, b := testkafka.Name(t, "a"), testkafka.Name(t, "b")
	testkafka.CreateTopics(t, brokers, 1, a, b)
	cfg := testConfig(t, brokers)
	log, text := capturedLogger(t)
	app, err := karafka.New(cfg, karafka.WithLogger(log), karafka.WithRoutes(
		karafka.Route{Topic: a, Controller: idOrFail()},
		karafka.Route{Topic: b, Controller: idOrFail(), Guarantee: karafka.ExactlyOnce}))
	if err != nil {
		t.Fatal(err)
	}
	r := runApp(t, app)
	r.shutdown(t)
	for topic, guarantee := range map[string]string{a: "at_least_once", b: "exactly_once"} {
		want := fmt.Sprintf(`msg="consumer group" group=%s_%s topics=[%s] guarantee=%s`, cfg.Name, topic, topic, guarantee)
		if !strings.Contains(text(), want) {
			t.Errorf("the start-up log does not say %s; log:\n%s", want, text())
		}
	}
}

// Records over 1 MB go through when the keys and the topics allow them
// (rough edge 1 of issue 18: there was no key to send them): a 1.5 MB input
// is fetched (consumer.fetch_bytes grows to it) and answered with a 3 MB
// response (producer.max_message_bytes).
func TestApp_recordsOverOneMegabyte(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	for _, topic := range []string{in, out, in + "_dlq"} {
		createTopicWithConfig(t, brokers, topic, map[string]string{"max.message.bytes": "5000000"})
	}
	pc := producer.DefaultConfig()
	pc.Kafka = testkafka.Config(brokers)
	pc.MaxMessageBytes = 4 << 20
	p, err := producer.New(pc)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("E", 3<<19) // 1.5 MiB; the response carries it twice (key and value)
	if _, err := p.Send(t.Context(), &producer.Message{Topic: in, Value: []byte(`{"id": 1, "pad": "` + big + `"}`)}); err != nil {
		t.Fatalf("produce 1.5 MB: %v", err)
	}
	_ = p.Close()
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		pad, _ := c.Params.String("pad")
		c.RespondWith(pad)
		return nil
	})
	cfg := testConfig(t, brokers)
	cfg.Producer.MaxMessageBytes = 4 << 20
	cfg.Consumer.FetchBytes = 64 << 10 // smaller than the record: the fetch grows
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out)})
	got := testkafka.Consume(t, brokers, out, 1, 30*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d responses, want 1", len(got))
	}
	if v := decode(t, got[0])["id"]; v != big {
		t.Fatalf("response id of %d bytes, want the 1.5 MB pad", len(fmt.Sprint(v)))
	}
	r.shutdown(t)
}
