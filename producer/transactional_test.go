package producer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/goleak"

	kclient "github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

func newTransactional(t *testing.T, cfg producer.Config, id string, opts ...producer.Option) *producer.Transactional {
	t.Helper()
	p, err := producer.NewTransactional(cfg, id, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// sendTxn sends value into p's open transaction and waits for its result.
func sendTxn(t *testing.T, p *producer.Transactional, value string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := p.Send(ctx, &producer.Message{Topic: "t", Value: []byte(value), Partition: 0, ExplicitPartition: true}); err != nil {
		t.Fatal(err)
	}
}

// readCommitted reads partition 0 of "t" as a read_committed consumer for
// a while and returns the values.
func readCommitted(t *testing.T, cfg producer.Config) []string {
	t.Helper()
	sc, err := cfg.Kafka.Sarama()
	if err != nil {
		t.Fatal(err)
	}
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	c, err := sarama.NewConsumer(cfg.Kafka.Brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition("t", 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	var got []string
	for {
		select {
		case m := <-pc.Messages():
			got = append(got, string(m.Value))
		case <-time.After(time.Second):
			return got
		}
	}
}

// Records of an aborted transaction are invisible to read_committed
// readers; those of a committed one are visible.
func TestTransactional_commitAndAbort(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := newCluster(t, client, 1)
		p := newTransactional(t, cfg, "tx-a")
		for _, c := range []struct {
			value  string
			commit bool
		}{{"aborted", false}, {"committed", true}} {
			if err := p.BeginTxn(); err != nil {
				t.Fatal(err)
			}
			sendTxn(t, p, c.value)
			var err error
			if c.commit {
				err = p.CommitTxn()
			} else {
				err = p.AbortTxn()
			}
			if err != nil {
				t.Fatalf("%s: %v", c.value, err)
			}
		}
		if got := readCommitted(t, cfg); strings.Join(got, ",") != "committed" {
			t.Fatalf("read_committed got %q, want only the committed record", got)
		}
	})
}

// A producer that a newer one with the same transactional id fenced says
// so in words (sarama prints Kafka's PRODUCER_FENCED as "Unknown error")
// and matches ErrFenced; it can only be closed.
func TestTransactional_fencedByANewerProducer(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := newCluster(t, client, 1)
		old := newTransactional(t, cfg, "tx-b")
		if err := old.BeginTxn(); err != nil {
			t.Fatal(err)
		}
		sendTxn(t, old, "zombie")
		newTransactional(t, cfg, "tx-b") // fences old and aborts its transaction
		err := old.CommitTxn()
		if !errors.Is(err, producer.ErrFenced) {
			t.Fatalf("CommitTxn of the fenced producer = %v, want ErrFenced", err)
		}
		if !strings.Contains(err.Error(), `transactional id "tx-b" was fenced`) {
			t.Fatalf("error %q does not say the producer was fenced", err)
		}
		if !old.Fatal() {
			t.Fatal("a fenced producer is not in a fatal state")
		}
		if got := readCommitted(t, cfg); len(got) != 0 {
			t.Fatalf("read_committed got %q from the fenced producer's transaction", got)
		}
	})
}

// A producer whose making fails once its client is connected (here the
// broker refuses InitProducerId: a transaction timeout above its
// transaction.max.timeout.ms) closes that client: no metadata updater or
// broker connection is left running (sarama.NewAsyncProducer left them).
func TestNewTransactional_failureLeavesNoConnection(t *testing.T) {
	cfg := newCluster(t, kafka.ClientSarama, 1)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick"))
	_, err := producer.NewTransactional(cfg, "tx-refused", producer.WithSaramaConfig(func(sc *sarama.Config) {
		sc.Producer.Transaction.Timeout = 16 * time.Minute
	}))
	if !errors.Is(err, sarama.ErrInvalidTransactionTimeout) {
		t.Fatalf("NewTransactional = %v, want the broker's INVALID_TRANSACTION_TIMEOUT", err)
	}
}

// A transaction timeout the broker refuses (above its
// transaction.max.timeout.ms, 15 minutes by default) fails NewTransactional
// with an error naming transaction.timeout and its value, matching
// kafka.ErrInvalidConfig and sarama.ErrInvalidTransactionTimeout (not
// ErrUnreachable: the broker answered).
func TestNewTransactional_brokerRefusesTheTimeout(t *testing.T) {
	eachClient(t, func(t *testing.T, client string) {
		cfg := newCluster(t, client, 1)
		p, err := producer.NewTransactional(cfg, "tx-timeout", producer.WithTransactionTimeout(16*time.Minute))
		if err == nil {
			_ = p.Close()
			t.Fatal("NewTransactional with a 16m transaction timeout: nil error, want the broker's refusal")
		}
		if !errors.Is(err, kafka.ErrInvalidConfig) || !errors.Is(err, kclient.ErrInvalidTransactionTimeout) || errors.Is(err, producer.ErrUnreachable) {
			t.Fatalf("error %v: want kafka.ErrInvalidConfig and Kafka's INVALID_TRANSACTION_TIMEOUT, not ErrUnreachable", err)
		}
		if client == kafka.ClientSarama && !errors.Is(err, sarama.ErrInvalidTransactionTimeout) {
			t.Fatalf("error %v: want sarama.ErrInvalidTransactionTimeout", err)
		}
		for _, want := range []string{"transaction.timeout: the broker refuses 16m0s", "transaction.max.timeout.ms", `"tx-timeout"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		// Accepted below the maximum, and a value under 1ms is refused before
		// any broker is asked.
		newTransactional(t, cfg, "tx-timeout", producer.WithTransactionTimeout(15*time.Minute))
		if _, err := producer.NewTransactional(cfg, "tx-timeout", producer.WithTransactionTimeout(0)); !errors.Is(err, kafka.ErrInvalidConfig) ||
			!strings.Contains(err.Error(), "transaction.timeout: 0s must be at least 1ms") {
			t.Fatalf("timeout 0: error %v, want kafka.ErrInvalidConfig naming transaction.timeout", err)
		}
	})
}

func TestCheckTransactional(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*producer.Config)
		want   string
	}{
		{"defaults", func(*producer.Config) {}, ""},
		{"not idempotent", func(c *producer.Config) { c.Idempotent = false }, "producer.idempotent:"},
		{"acks leader", func(c *producer.Config) { c.Acks = "leader" }, "producer.acks:"},
		{"kafka 2.4", func(c *producer.Config) { c.Kafka.Version = "2.4.0" }, "kafka.version: exactly-once needs >= 2.5.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := producer.DefaultConfig()
			tc.modify(&c)
			err := producer.CheckTransactional(c)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckTransactional = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, kafka.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckTransactional = %v, want kafka.ErrInvalidConfig naming %q", err, tc.want)
			}
		})
	}
}
