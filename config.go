package karafka

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/actors"
	"github.com/karafka-actors/karafka-actors/internal/bounds"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// ErrInvalidConfig is wrapped by every configuration error Validate and New
// report, including those found by the kafka, actors, producer and
// supervision packages (which wrap their own ErrInvalidConfig as well).
var ErrInvalidConfig = errors.New("karafka: invalid config")

// Config is the whole application configuration. Start from DefaultConfig.
type Config struct {
	// Name is the application name: the Kafka client id (unless
	// Kafka.ClientID is set) and the prefix of default consumer groups
	// ("<name>_<topic>").
	Name string
	// ConsumerGroup, when set, is the consumer group of every route that does
	// not name its own, so they share one membership and one Kafka client
	// (the layout for many routes in one process). Empty: "<name>_<topic>".
	ConsumerGroup string
	// Kafka is how to reach the brokers. An empty ClientID is Name.
	// Kafka.Client chooses the client library the app runs on
	// (kafka.ClientSarama, the default, or kafka.ClientFranz): the
	// consumer groups, the producer and the admin requests all follow it.
	Kafka kafka.Config
	// StartFromBeginning makes new consumer groups read topics from their
	// oldest message (the default) rather than only new ones.
	StartFromBeginning bool
	Consumer           ConsumerConfig
	// Producer tunes the shared producer; its Kafka field is ignored (Kafka above is used).
	Producer producer.Config
	// Supervision is the strategy of the root supervisor and the default of every route.
	Supervision supervision.Config
	// Retry is the default retry policy of failed messages.
	Retry      supervision.RetryPolicy
	DeadLetter DeadLetterConfig
	// ProduceBackoff spaces new sends of responses the broker refused.
	ProduceBackoff supervision.Backoff
	// ShutdownTimeout bounds the drain when Run's context ends.
	ShutdownTimeout time.Duration
	// Topics are the defaults of the application's topics, and whether Run
	// creates the missing ones (see App.EnsureTopics).
	Topics TopicsConfig
	// Processing says how messages are processed.
	Processing ProcessingConfig
	// Transaction tunes the transactions of exactly-once routes.
	Transaction TransactionConfig
	// SchemaRegistry is where schemas are read and registered
	// (schema_registry.*, package schemas): App.Schemas is its client.
	SchemaRegistry schemas.Config
}

// ConsumerConfig tunes the consumer groups and the way messages go through
// the runtime: sessions, commits, in-flight and batch bounds, fetches.
type ConsumerConfig = actors.ConsumerConfig

// ProcessingConfig is the processing guarantee of routes that declare none.
type ProcessingConfig struct {
	// Guarantee is topology.AtLeastOnce (the default) or
	// topology.ExactlyOnce: a message's responses, dead letter and offset
	// are written in one Kafka transaction, so a read_committed reader sees
	// them exactly once (docs/exactly-once.md). Exactly-once needs
	// kafka.version >= 2.5.0 and the idempotent producer with acks all.
	Guarantee topology.Guarantee
}

// TransactionConfig bounds the transactions of exactly-once routes: one
// is committed after MaxMessages finished messages or Interval, whichever
// comes first.
type TransactionConfig struct {
	MaxMessages int
	Interval    time.Duration
	// Timeout is the transactional producers' transaction timeout: the
	// broker aborts a transaction left open longer (that of a process that
	// died with one open and did not restart with the same
	// consumer.instance_id blocks read_committed readers until then). At
	// least Interval; brokers refuse more than their
	// transaction.max.timeout.ms (15 minutes by default). Default 1 minute.
	Timeout time.Duration
}

// TopicsConfig says how the application's topics are created and aligned:
// the route, response and dead letter topics, each with what its route
// declares (topology.TopicSpec) over these defaults.
type TopicsConfig struct {
	// Create makes Run create the missing topics before it consumes (as
	// App.EnsureTopics does). Existing topics are left as they are.
	Create bool
	// Partitions of a topic that declares none. Default 1.
	Partitions int
	// ReplicationFactor of a new topic that declares none; 0 (the default):
	// min(3, brokers).
	ReplicationFactor int
	// Configs are topic configs (such as "retention.ms") every topic gets
	// unless its route declares another value.
	Configs map[string]string
}

// DeadLetterConfig says where messages go when their retries ran out.
type DeadLetterConfig struct {
	// Enabled is true by default. When false, a message whose retries ran out
	// blocks its partition and is retried with capped backoff.
	Enabled bool
	// Pattern makes a route's dead letter topic; "%s" is the route's topic.
	Pattern string
}

// DefaultConfig returns a configuration for a broker on 127.0.0.1:9092.
func DefaultConfig() Config {
	k := kafka.DefaultConfig()
	k.Brokers = []string{"127.0.0.1:9092"}
	k.ClientID = "" // Name's
	def := actors.DefaultTransactionConfig()
	return Config{
		Name:               "karafka_app",
		Kafka:              k,
		StartFromBeginning: true,
		Consumer:           actors.DefaultConsumerConfig(),
		Producer:           producer.DefaultConfig(),
		Supervision:        supervision.DefaultConfig(),
		Retry:              supervision.DefaultRetryPolicy(),
		DeadLetter:         DeadLetterConfig{Enabled: true, Pattern: "%s_dlq"},
		ProduceBackoff:     supervision.Backoff{Initial: 100 * time.Millisecond, Max: 10 * time.Second, Multiplier: 2, Jitter: 0.2},
		ShutdownTimeout:    30 * time.Second,
		Topics:             TopicsConfig{Partitions: 1},
		Processing:         ProcessingConfig{Guarantee: topology.AtLeastOnce},
		Transaction:        TransactionConfig{MaxMessages: def.MaxMessages, Interval: def.Interval, Timeout: def.Timeout},
		SchemaRegistry:     schemas.DefaultConfig(),
	}
}

// Validate reports every invalid setting at once, each naming its key.
func (c Config) Validate() error {
	var errs []error
	if err := responders.CheckTopicName(c.Name); err != nil {
		errs = append(errs, fmt.Errorf("%w: name: %q must be usable in a consumer group name (letters, digits, '.', '_', '-')", ErrInvalidConfig, c.Name))
	}
	// The producer's configuration carries Kafka: its Validate reports kafka.* too.
	for _, err := range []error{c.Consumer.Validate(), c.producerConfig().Validate(),
		c.Supervision.Validate("supervision"), c.Retry.Validate(), c.ProduceBackoff.Validate("produce_backoff"),
		c.SchemaRegistry.Validate()} {
		if err != nil {
			errs = append(errs, invalidConfig{err})
		}
	}
	if c.DeadLetter.Enabled {
		if c.DeadLetter.Pattern == "" {
			errs = append(errs, fmt.Errorf("%w: dead_letter.pattern: empty while dead letters are enabled", ErrInvalidConfig))
		} else if err := responders.CheckTopicName(strings.ReplaceAll(c.DeadLetter.Pattern, "%s", "topic")); err != nil {
			errs = append(errs, fmt.Errorf("%w: dead_letter.pattern: %q does not make a valid topic name: %w", ErrInvalidConfig, c.DeadLetter.Pattern, err))
		}
	}
	if c.ConsumerGroup != "" {
		if err := responders.CheckTopicName(c.ConsumerGroup); err != nil {
			errs = append(errs, fmt.Errorf("%w: consumer_group: %q (letters, digits, '.', '_', '-')", ErrInvalidConfig, c.ConsumerGroup))
		}
	}
	if c.Consumer.InstanceID != "" {
		if v, err := sarama.ParseKafkaVersion(c.Kafka.Version); err == nil && !v.IsAtLeast(sarama.V2_3_0_0) {
			errs = append(errs, fmt.Errorf("%w: consumer.instance_id: static membership needs kafka.version >= 2.3.0 (is %q)", ErrInvalidConfig, c.Kafka.Version))
		}
	}
	errs = append(errs, c.Topics.validate())
	switch c.Processing.Guarantee {
	case topology.AtLeastOnce:
	case topology.ExactlyOnce:
		errs = append(errs, c.checkExactlyOnce())
	default:
		errs = append(errs, fmt.Errorf("%w: processing.guarantee: %q (allowed: at_least_once, exactly_once)", ErrInvalidConfig, c.Processing.Guarantee))
	}
	if err := c.transactions().Validate(); err != nil {
		errs = append(errs, invalidConfig{err})
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("%w: shutdown_timeout: %v must be positive", ErrInvalidConfig, c.ShutdownTimeout))
	} else if c.ShutdownTimeout > bounds.Duration {
		// The CLI waits shutdown_timeout + 10s: that sum must not overflow.
		errs = append(errs, fmt.Errorf("%w: shutdown_timeout: %v must be at most %v", ErrInvalidConfig, c.ShutdownTimeout, bounds.Duration))
	}
	return errors.Join(errs...)
}

// invalidConfig is a configuration problem found by another package (its
// error wraps that package's ErrInvalidConfig): it wraps this package's
// ErrInvalidConfig too, with its message unchanged, so errors.Is holds for
// both and the problem reads once.
type invalidConfig struct{ err error }

func (e invalidConfig) Error() string   { return e.err.Error() }
func (e invalidConfig) Unwrap() []error { return []error{ErrInvalidConfig, e.err} }

// checkExactlyOnce reports what keeps exactly-once from running, each
// problem naming its key and processing.guarantee.
func (c Config) checkExactlyOnce() error {
	err := producer.CheckTransactional(c.producerConfig())
	if err == nil {
		return nil
	}
	var errs []error
	for _, e := range problems(err) {
		errs = append(errs, invalidConfig{fmt.Errorf("%w (processing.guarantee: exactly_once)", e)})
	}
	return errors.Join(errs...)
}

// problems splits an errors.Join into its errors.
func problems(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// transactions is the runtime's transaction configuration, without a producer.
func (c Config) transactions() actors.TransactionConfig {
	return actors.TransactionConfig{MaxMessages: c.Transaction.MaxMessages, Interval: c.Transaction.Interval,
		Timeout: c.Transaction.Timeout, IDPrefix: c.Name}
}

// ProducerConfig is the configuration of the App's producer: Producer
// with Kafka (its client id defaulting to Name), for a producer of one's
// own beside the App's, such as the console's reports.
func (c Config) ProducerConfig() producer.Config { return c.producerConfig() }

func (c Config) producerConfig() producer.Config {
	p := c.Producer
	p.Kafka = c.kafkaConfig()
	return p
}

// kafkaConfig is c.Kafka with the client id defaulting to the name.
func (c Config) kafkaConfig() kafka.Config {
	k := c.Kafka
	if k.ClientID == "" {
		k.ClientID = c.Name
	}
	return k
}

func (c Config) deadLetterPattern() string {
	if !c.DeadLetter.Enabled {
		return ""
	}
	return c.DeadLetter.Pattern
}

// validate reports every invalid default, naming its configuration key.
func (t TopicsConfig) validate() error {
	var errs []error
	if t.Partitions < 1 {
		errs = append(errs, fmt.Errorf("%w: kafka.topic_partitions: %d must be at least 1", ErrInvalidConfig, t.Partitions))
	} else if t.Partitions > bounds.Partitions {
		errs = append(errs, fmt.Errorf("%w: kafka.topic_partitions: %d must be at most %d", ErrInvalidConfig, t.Partitions, bounds.Partitions))
	}
	if t.ReplicationFactor < 0 || t.ReplicationFactor > bounds.ReplicationFactor {
		errs = append(errs, fmt.Errorf("%w: kafka.topic_replication_factor: %d must be 0 (min(3, brokers)) to %d", ErrInvalidConfig, t.ReplicationFactor, bounds.ReplicationFactor))
	}
	for _, k := range slices.Sorted(maps.Keys(t.Configs)) {
		switch {
		case !kafka.ValidConfigKey(k):
			errs = append(errs, fmt.Errorf("%w: kafka.topic_configs: %q is not a config name (such as retention.ms)", ErrInvalidConfig, k))
		case t.Configs[k] == "":
			errs = append(errs, fmt.Errorf("%w: kafka.topic_configs: %s: empty value", ErrInvalidConfig, k))
		}
	}
	return errors.Join(errs...)
}
