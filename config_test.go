package karafka_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/kafka"
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
		{"kafka client", func(c *karafka.Config) { c.Kafka.Client = "kafka-go" }, `kafka.client: "kafka-go" (allowed: sarama, franz)`},
		{"kafka client empty", func(c *karafka.Config) { c.Kafka.Client = "" }, "kafka.client: empty (allowed: sarama, franz)"},
		{"producer acks", func(c *karafka.Config) { c.Producer.Acks = "some" }, "producer.acks:"},
		{"shutdown timeout", func(c *karafka.Config) { c.ShutdownTimeout = 0 }, "shutdown_timeout:"},
		{"no broker", func(c *karafka.Config) { c.Kafka.Brokers = nil }, "kafka.brokers:"},
		{"consumer batch size", func(c *karafka.Config) { c.Consumer.BatchSize = 0 }, "consumer.batch_size:"},
		{"retry attempts", func(c *karafka.Config) { c.Retry.Attempts = 0 }, "retry.attempts:"},
		{"supervision strategy", func(c *karafka.Config) { c.Supervision.Strategy = "x" }, "supervision.strategy:"},
		{"processing guarantee", func(c *karafka.Config) { c.Processing.Guarantee = "twice" }, "processing.guarantee:"},
		{"exactly once without acks all", func(c *karafka.Config) {
			c.Processing.Guarantee, c.Producer.Acks, c.Producer.Idempotent = karafka.ExactlyOnce, "leader", false
		}, "producer.acks: exactly-once needs \"all\", got \"leader\" (processing.guarantee: exactly_once)"},
		{"exactly once without idempotence", func(c *karafka.Config) {
			c.Processing.Guarantee, c.Producer.Idempotent = karafka.ExactlyOnce, false
		}, "producer.idempotent: exactly-once"},
		{"exactly once on old kafka", func(c *karafka.Config) {
			c.Processing.Guarantee, c.Kafka.Version = karafka.ExactlyOnce, "2.4.0"
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

// Every number of the configuration has an upper bound that Validate
// enforces, naming the key and the bound: consumer.batch_size =
// math.MaxInt validated, then the server panicked making its channels
// (makechan: size out of range), and 4294967296 exhausted its memory.
// Library users who skip the CLI get this error instead of the panic.
func TestConfig_ValidateBoundsEveryNumber(t *testing.T) {
	const huge = time.Duration(math.MaxInt64)
	cases := []struct {
		modify func(*karafka.Config)
		want   string
	}{
		{func(c *karafka.Config) { c.Consumer.BatchSize = math.MaxInt }, "consumer.batch_size: 9223372036854775807 must be at most 100000"},
		{func(c *karafka.Config) { c.Consumer.BatchSize = 1 << 32 }, "consumer.batch_size: 4294967296 must be at most 100000"},
		{func(c *karafka.Config) { c.Consumer.MaxInFlight = math.MaxInt }, "consumer.max_in_flight: 9223372036854775807 must be at most 1000000"},
		{func(c *karafka.Config) { c.Producer.ChannelBufferSize = math.MaxInt }, "producer.channel_buffer_size: 9223372036854775807 must be at most 100000"},
		{func(c *karafka.Config) {
			c.Producer.FlushMessages, c.Producer.FlushFrequency = 1_000_001, time.Millisecond
		}, "producer.flush_messages: 1000001 must be at most 1000000"},
		{func(c *karafka.Config) { c.Producer.RetryMax = math.MaxInt }, "producer.retry_max: 9223372036854775807 must be at most 1000000"},
		{func(c *karafka.Config) { c.Supervision.MaxRestarts = math.MaxInt }, "supervision.max_restarts: 9223372036854775807 must be at most 10000"},
		{func(c *karafka.Config) { c.Retry.Attempts = math.MaxInt }, "retry.attempts: 9223372036854775807 must be at most 1000000"},
		{func(c *karafka.Config) { c.Transaction.MaxMessages = math.MaxInt }, "transaction.max_messages: 9223372036854775807 must be at most 1000000"},
		{func(c *karafka.Config) { c.Topics.Partitions = math.MaxInt32 }, "kafka.topic_partitions: 2147483647 must be at most 100000"},
		{func(c *karafka.Config) { c.Topics.ReplicationFactor = math.MaxInt }, "kafka.topic_replication_factor: 9223372036854775807 must be 0 (min(3, brokers)) to 32767"},
		{func(c *karafka.Config) { c.ShutdownTimeout = huge }, "shutdown_timeout: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Kafka.DialTimeout = huge }, "kafka.dial_timeout: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Kafka.ReadTimeout = huge }, "kafka.read_timeout: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Consumer.SessionTimeout = huge }, "consumer.session_timeout: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Consumer.HeartbeatInterval = huge }, "consumer.heartbeat_interval: 2562047h47m16.854775807s must be at least 1ms and below session_timeout"},
		{func(c *karafka.Config) { c.Consumer.RebalanceTimeout = huge }, "consumer.rebalance_timeout: 2562047h47m16.854775807s is outside 1s..596h0m0s"},
		{func(c *karafka.Config) { c.Consumer.CommitInterval = huge }, "consumer.commit_interval: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Consumer.DrainTimeout = huge }, "consumer.drain_timeout: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Consumer.FetchMaxWait = huge }, "consumer.fetch_max_wait: 2562047h47m16.854775807s is outside 1ms..1m0s"},
		{func(c *karafka.Config) { c.Consumer.ReconnectBackoff.Max = huge }, "consumer.reconnect_backoff.max: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Consumer.ReconnectBackoff.Initial = huge }, "consumer.reconnect_backoff.initial: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Consumer.ReconnectBackoff.Multiplier = math.Inf(1) }, "consumer.reconnect_backoff.multiplier: +Inf must be at most 1000"},
		{func(c *karafka.Config) { c.Producer.FlushFrequency = huge }, "producer.flush_frequency: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Producer.RetryBackoff = huge }, "producer.retry_backoff: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Supervision.Within = huge }, "supervision.within: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) {
			c.Supervision.Strategy, c.Supervision.Backoff.Multiplier = karafka.ExponentialBackoff, 1e300
		}, "supervision.backoff.multiplier: 1e+300 must be at most 1000"},
		{func(c *karafka.Config) { c.Retry.Backoff.Max = huge }, "retry.backoff.max: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Retry.Backoff.Multiplier = 1001 }, "retry.backoff.multiplier: 1001 must be at most 1000"},
		{func(c *karafka.Config) { c.ProduceBackoff.Max = huge }, "produce_backoff.max: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Transaction.Interval = huge }, "transaction.interval: 2562047h47m16.854775807s must be at most 596h0m0s"},
		{func(c *karafka.Config) { c.Transaction.Timeout = huge }, "transaction.timeout: 2562047h47m16.854775807s must be at most 596h0m0s"},
	}
	for _, tc := range cases {
		key, _, _ := strings.Cut(tc.want, ":")
		t.Run(key, func(t *testing.T) {
			c := karafka.DefaultConfig()
			tc.modify(&c)
			err := c.Validate()
			if !errors.Is(err, karafka.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v\nwant karafka.ErrInvalidConfig containing %q", err, tc.want)
			}
			if _, nerr := karafka.New(c); !errors.Is(nerr, karafka.ErrInvalidConfig) {
				t.Fatalf("New() = %v, want karafka.ErrInvalidConfig", nerr)
			}
		})
	}
}
