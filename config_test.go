package karafka_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topology"
)

// Every problem is reported once, even those of the Kafka settings, which
// the producer's configuration shares.
func TestConfig_ValidateReportsEachProblemOnce(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*karafka.Config)
		want   string
	}{
		{"kafka broker", func(c *karafka.Config) { c.Kafka.Brokers = []string{"nohost"} }, "kafka.brokers[0]:"},
		{"kafka version", func(c *karafka.Config) { c.Kafka.Version = "x" }, "kafka.version:"},
		{"producer acks", func(c *karafka.Config) { c.Producer.Acks = "some" }, "producer.acks:"},
		{"shutdown timeout", func(c *karafka.Config) { c.ShutdownTimeout = 0 }, "shutdown_timeout:"},
		{"no broker", func(c *karafka.Config) { c.Kafka.Brokers = nil }, "kafka.brokers:"},
		{"consumer batch size", func(c *karafka.Config) { c.Consumer.BatchSize = 0 }, "consumer.batch_size:"},
		{"retry attempts", func(c *karafka.Config) { c.Retry.Attempts = 0 }, "retry.attempts:"},
		{"supervision strategy", func(c *karafka.Config) { c.Supervision.Strategy = "x" }, "supervision.strategy:"},
		{"processing guarantee", func(c *karafka.Config) { c.Processing.Guarantee = "twice" }, "processing.guarantee:"},
		{"exactly once without acks all", func(c *karafka.Config) {
			c.Processing.Guarantee, c.Producer.Acks, c.Producer.Idempotent = topology.ExactlyOnce, "leader", false
		}, "producer.acks: exactly-once needs \"all\", got \"leader\" (processing.guarantee: exactly_once)"},
		{"exactly once without idempotence", func(c *karafka.Config) {
			c.Processing.Guarantee, c.Producer.Idempotent = topology.ExactlyOnce, false
		}, "producer.idempotent: exactly-once"},
		{"exactly once on old kafka", func(c *karafka.Config) {
			c.Processing.Guarantee, c.Kafka.Version = topology.ExactlyOnce, "2.4.0"
		}, "kafka.version: exactly-once needs >= 2.5.0"},
		{"transaction max messages", func(c *karafka.Config) { c.Transaction.MaxMessages = 0 }, "transaction.max_messages:"},
		{"transaction interval", func(c *karafka.Config) { c.Transaction.Interval = 0 }, "transaction.interval:"},
		{"transaction timeout zero", func(c *karafka.Config) { c.Transaction.Timeout = 0 }, "transaction.timeout: 0s must be at least 1ms"},
		{"transaction timeout shorter than the interval", func(c *karafka.Config) {
			c.Transaction.Interval, c.Transaction.Timeout = 2*time.Second, time.Second
		}, "transaction.timeout: 1s is shorter than transaction.interval 2s"},
		{"transaction timeout past int32 milliseconds", func(c *karafka.Config) { c.Transaction.Timeout = 600 * time.Hour }, "transaction.timeout: 600h0m0s must be at most 596h0m0s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := karafka.DefaultConfig()
			tc.modify(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate() = nil")
			}
			if n := strings.Count(err.Error(), tc.want); n != 1 {
				t.Fatalf("%q reported %d times, want once:\n%v", tc.want, n, err)
			}
			if strings.HasPrefix(tc.want, "kafka.") && !errors.Is(err, kafka.ErrInvalidConfig) {
				t.Fatalf("Validate() = %v, want kafka.ErrInvalidConfig", err)
			}
			// As documented: every configuration error wraps this package's
			// ErrInvalidConfig, whichever package found it.
			if !errors.Is(err, karafka.ErrInvalidConfig) {
				t.Fatalf("Validate() = %v, want karafka.ErrInvalidConfig", err)
			}
			if _, nerr := karafka.New(c); !errors.Is(nerr, karafka.ErrInvalidConfig) {
				t.Fatalf("New() = %v, want karafka.ErrInvalidConfig", nerr)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if n := strings.Count(line, "invalid config"); n != 1 {
					t.Fatalf("a problem says \"invalid config\" %d times, want once:\n%v", n, err)
				}
			}
		})
	}
}

// The Kafka client id follows Name unless it is set: an embedding app that
// sets only Name connects under its own name.
func TestDefaultConfig_clientIDFollowsName(t *testing.T) {
	cases := []struct {
		name     string
		modify   func(*karafka.Config)
		clientID string
	}{
		{"default", func(*karafka.Config) {}, "karafka_app"},
		{"only the name set", func(c *karafka.Config) { c.Name = "orders" }, "orders"},
		{"client id set explicitly", func(c *karafka.Config) { c.Name = "orders"; c.Kafka.ClientID = "orders-eu" }, "orders-eu"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := karafka.DefaultConfig()
			tc.modify(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			app, err := karafka.New(cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := app.Config().Kafka.ClientID; got != tc.clientID {
				t.Fatalf("client id %q, want %q", got, tc.clientID)
			}
		})
	}
}
