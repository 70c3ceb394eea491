package karafka_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	kclient "github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
)

func exactlyOnceConfig(t *testing.T, brokers []string) karafka.Config {
	cfg := testConfig(t, brokers)
	cfg.Processing.Guarantee = karafka.ExactlyOnce
	return cfg
}

func idsOf(t *testing.T, msgs []*sarama.ConsumerMessage) string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		out = append(out, fmt.Sprint(decode(t, m)["id"]))
	}
	return strings.Join(out, ",")
}

// An exactly-once route whose controller fails mid-transaction: the ten
// messages share one open transaction; message 3 responds, then fails on
// every try, and message 6 responds, then panics on its first try. A
// try's responses are sent only when its controller returns without error,
// so nothing of a failed try is ever written, not even to a
// read_uncommitted reader: there is nothing to abort. Message 3 is retried,
// then dead-lettered once; message 6 is answered once, on its second try; a
// read_committed reader sees every other response once, in order, and the
// group's offset is committed past the last message (through the
// transaction).
func TestApp_exactlyOnceControllerFailsMidTransaction(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	dlq := in + "_dlq"
	testkafka.CreateTopics(t, brokers, 1, in, out, dlq)
	testkafka.Produce(t, brokers, in, ids(10)...)
	var tries3, tries6 atomic.Int32
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		id, _ := c.Params.Int("id")
		c.RespondWith(id)
		switch id {
		case 3:
			tries3.Add(1)
			return errors.New("cannot handle 3")
		case 6:
			if tries6.Add(1) == 1 {
				panic("6 crashes its first try")
			}
		}
		return nil
	})
	cfg := exactlyOnceConfig(t, brokers)
	cfg.Transaction.Interval = 5 * time.Second // one transaction open while 3 and 6 fail
	r := start(t, cfg, karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out)})

	got := testkafka.ConsumeCommitted(t, brokers, out, 9, 30*time.Second)
	if ids := idsOf(t, got); ids != "0,1,2,4,5,6,7,8,9" {
		t.Fatalf("read_committed responses %s, want 0..9 without 3, once each, in order", ids)
	}
	dead := testkafka.ConsumeCommitted(t, brokers, dlq, 1, 30*time.Second)
	if len(dead) != 1 {
		t.Fatalf("dead letters (read_committed): got %d, want 1", len(dead))
	}
	if v, _ := testkafka.Header(dead[0], karafka.HeaderOriginOffset); v != "3" {
		t.Errorf("dead letter origin offset %q, want 3", v)
	}
	if n := tries3.Load(); n != 3 {
		t.Errorf("message 3 tried %d times, want 3", n)
	}
	if n := tries6.Load(); n != 2 {
		t.Errorf("message 6 tried %d times, want 2 (a crash, then success)", n)
	}
	if all := testkafka.Consume(t, brokers, out, 10, 3*time.Second); idsOf(t, all) != "0,1,2,4,5,6,7,8,9" {
		t.Errorf("read_uncommitted responses %s, want 0..9 without 3, once each: a failed try's responses were written", idsOf(t, all))
	}
	group := cfg.Name + "_" + in
	waitFor(t, 10*time.Second, "offset 10 committed", func() bool { return testkafka.Committed(t, brokers, group, in)[0] == 10 })
	r.shutdown(t)
}

// A transaction whose record cannot be written (its topic does not exist)
// aborts: nothing of it is visible to a read_committed reader, while a
// read_uncommitted one sees the aborted copies. The session ends, the
// messages are consumed again from the committed offset, and, the failure
// gone, each is answered exactly once.
func TestApp_exactlyOnceAbortIsInvisible(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out, missing := testkafka.Name(t, "in"), testkafka.Name(t, "out"), testkafka.Name(t, "missing")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	testkafka.Produce(t, brokers, in, ids(10)...)
	var once atomic.Bool
	resp := func() karafka.Responder {
		return karafka.NewResponder([]karafka.Topic{karafka.Required(out), karafka.Optional(missing)}, func(o *karafka.Output, args ...any) error {
			o.RespondTo(out, map[string]any{"id": args[0]})
			if args[0].(int64) == 5 && once.CompareAndSwap(false, true) {
				o.RespondTo(missing, map[string]any{"id": args[0]})
			}
			return nil
		})
	}
	cfg := exactlyOnceConfig(t, brokers)
	cfg.Transaction.Interval = 2 * time.Second // the ten messages share one transaction
	cfg.Producer.RetryMax = 1
	r := start(t, cfg, karafka.Route{Topic: in, Controller: idController, Responder: resp})

	got := testkafka.ConsumeCommitted(t, brokers, out, 10, 60*time.Second)
	if ids := idsOf(t, got); ids != "0,1,2,3,4,5,6,7,8,9" {
		t.Fatalf("read_committed responses %s, want 0..9 once each, in order", ids)
	}
	all := testkafka.Consume(t, brokers, out, 20, 5*time.Second)
	if len(all) <= 10 {
		t.Fatalf("read_uncommitted saw %d records, want the aborted copies too (> 10): the transaction did not abort", len(all))
	}
	r.shutdown(t)
}

// A transaction timeout above the broker's transaction.max.timeout.ms (15
// minutes by default, on Kafka and on the embedded broker) is refused when
// a session makes its transactional producer: the error, in the event and
// in the log, names transaction.timeout.
func TestApp_exactlyOnceTransactionTimeoutAboveBrokerMaxNamesTheKey(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	cfg := exactlyOnceConfig(t, brokers)
	cfg.Transaction.Timeout = 16 * time.Minute
	logger, logs := capturedLogger(t)
	app, err := karafka.New(cfg, karafka.WithLogger(logger), karafka.WithRoutes(
		karafka.Route{Topic: in, Controller: idController, Responder: echo(out)}))
	if err != nil {
		t.Fatal(err)
	}
	r := runApp(t, app)
	var refused error
	waitFor(t, 30*time.Second, "the broker's refusal of the transaction timeout", func() bool {
		for _, ev := range r.rec.of(events.BrokerUnreachable) {
			// Kafka's code, whichever client library refused it.
			if errors.Is(ev.Err, kclient.ErrInvalidTransactionTimeout) {
				refused = ev.Err
				return true
			}
		}
		return false
	})
	if !errors.Is(refused, kafka.ErrInvalidConfig) || !strings.Contains(refused.Error(), "transaction.timeout: the broker refuses 16m0s") {
		t.Fatalf("error %q: want kafka.ErrInvalidConfig naming transaction.timeout and its value", refused)
	}
	if want := "retrying: transaction.timeout is above the broker's transaction.max.timeout.ms"; !strings.Contains(logs(), want) {
		t.Fatalf("the log does not say %q:\n%s", want, logs())
	}
	r.shutdown(t)
}

// A member that died in the middle of a transaction which already holds
// offsets of the group leaves them pending: a read_committed consumer's
// offset fetch is refused (UNSTABLE_OFFSET_COMMIT) until that transaction
// ends. Its successor, with the same consumer.instance_id and hence the
// same transactional id, must end it at once by making its producer
// (InitProducerId aborts it) before it joins the group and fetches
// offsets, not wait for the transaction to time out (a minute here): it
// answers every input within 20 s, once each, from offset 0: the dead
// member's offsets are aborted with its transaction.
func TestApp_exactlyOnceSuccessorAbortsItsPredecessorsTransaction(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	testkafka.Produce(t, brokers, in, ids(10)...)
	cfg := exactlyOnceConfig(t, brokers)
	cfg.Consumer.InstanceID = "m1"
	cfg.Transaction.Timeout = time.Minute
	group := cfg.Name + "_" + in

	// The predecessor died between sending its transaction's offsets to
	// the group coordinator and ending the transaction (sarama sends them
	// while committing: the window is narrow, but a SIGKILL finds it).
	dieInTransactionWithOffsets(t, brokers, cfg.Name+"."+group+".m1", group, in, 5)

	r := start(t, cfg, karafka.Route{Topic: in, Controller: idController, Responder: echo(out)})
	got := testkafka.ConsumeCommitted(t, brokers, out, 10, 20*time.Second)
	if ids := idsOf(t, got); ids != "0,1,2,3,4,5,6,7,8,9" {
		t.Fatalf("read_committed responses within 20s: %q, want 0..9 once each, in order (the dead member's transaction, holding the group's offsets, was not aborted when its successor started)", ids)
	}
	r.shutdown(t)
}

// dieInTransactionWithOffsets does what a transactional producer with
// transactional id txid does when it dies in CommitTxn, between sending
// its offsets and EndTxn: InitProducerId, AddOffsetsToTxn for group, and
// TxnOffsetCommit of offset for partition 0 of topic, then nothing. The
// transaction stays open (until its 1-minute timeout), and its offsets
// pending in group.
func dieInTransactionWithOffsets(t *testing.T, brokers []string, txid, group, topic string, offset int64) {
	t.Helper()
	sc := sarama.NewConfig()
	sc.Version = sarama.V2_8_0_0
	c, err := sarama.NewClient(brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc, err := c.TransactionCoordinator(txid)
	if err != nil {
		t.Fatal(err)
	}
	ip, err := tc.InitProducerID(&sarama.InitProducerIDRequest{Version: 4, TransactionalID: &txid, TransactionTimeout: time.Minute, ProducerID: -1, ProducerEpoch: -1})
	if err == nil && ip.Err != sarama.ErrNoError {
		err = ip.Err
	}
	if err != nil {
		t.Fatalf("InitProducerId: %v", err)
	}
	ao, err := tc.AddOffsetsToTxn(&sarama.AddOffsetsToTxnRequest{Version: 3, TransactionalID: txid, ProducerID: ip.ProducerID, ProducerEpoch: ip.ProducerEpoch, GroupID: group})
	if err == nil && ao.Err != sarama.ErrNoError {
		err = ao.Err
	}
	if err != nil {
		t.Fatalf("AddOffsetsToTxn: %v", err)
	}
	gc, err := c.Coordinator(group)
	if err != nil {
		t.Fatal(err)
	}
	toc, err := gc.TxnOffsetCommit(&sarama.TxnOffsetCommitRequest{Version: 3, TransactionalID: txid, GroupID: group,
		ProducerID: ip.ProducerID, ProducerEpoch: ip.ProducerEpoch, GenerationID: -1,
		Topics: map[string][]*sarama.PartitionOffsetMetadata{topic: {{Partition: 0, Offset: offset}}}})
	if err != nil {
		t.Fatalf("TxnOffsetCommit: %v", err)
	}
	for _, ps := range toc.Topics {
		for _, p := range ps {
			if p.Err != sarama.ErrNoError {
				t.Fatalf("TxnOffsetCommit: partition %d: %v", p.Partition, p.Err)
			}
		}
	}
}
