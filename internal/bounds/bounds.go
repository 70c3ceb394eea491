// Package bounds holds the upper bound of every numeric configuration value,
// in one place: the library's Validate methods (actors, producer, kafka,
// supervision, karafka) refuse a value above its bound, and the CLI's
// schema (cli/schema.go) declares each key's bound from these constants, so
// that a value is refused when it is loaded, naming the key, the bound and
// where the value came from.
//
// Without them a value such as consumer.batch_size=9223372036854775807
// validated and then crashed the server (makechan: size out of range), and
// 4294967296 exhausted its memory. Each bound is far above any production
// use (the defaults are 50 to 1000 times smaller) and small enough that
// what the runtime allocates or computes from the value stays safe.
package bounds

import "time"

const (
	// Duration bounds every duration of the configuration (a tighter bound
	// applies where one is stated): 596h is the longest whole number of
	// hours that Kafka's protocol carries in its int32 milliseconds
	// (session, rebalance and transaction timeouts; sarama converts the
	// durations it sends without a check), and it keeps sums such as
	// shutdown_timeout + 10s or rebalance_timeout + 5s far from overflowing
	// a time.Duration. No timeout, interval or backoff needs 24 days.
	Duration = 596 * time.Hour

	// FetchMaxWait bounds consumer.fetch_max_wait: Kafka's own upper bound
	// for fetch.max.wait.ms is an int32 of milliseconds; a minute is already
	// far past any sensible value and still well below it.
	FetchMaxWait = time.Minute

	// BatchSize bounds consumer.batch_size: every assigned partition
	// allocates, up front, a batch of this many message pointers and sarama
	// buffers of this many messages (at the bound ~2.4 MB per partition
	// before any message is held; full buffers hold this many messages).
	// Default 500.
	BatchSize = 100_000

	// MaxInFlight bounds consumer.max_in_flight: a partition holds up to
	// twice this many messages unfinished or uncommitted (the runtime
	// computes 2*max_in_flight+1, which must not overflow), all in memory.
	// Default 2000.
	MaxInFlight = 1_000_000

	// ChannelBufferSize bounds producer.channel_buffer_size: sarama makes a
	// channel of this size for every topic and every partition it produces
	// to (at the bound 800 kB each, before any record is queued in them).
	// Default 1024.
	ChannelBufferSize = 100_000

	// FlushMessages bounds producer.flush_messages: a produce request holds
	// at most the producer's 1 MiB message limit, so no flush gathers
	// anywhere near a million records. Default 0 (none).
	FlushMessages = 1_000_000

	// RetryMax bounds producer.retry_max: at the default 100ms
	// retry_backoff a million retries is more than a day of retrying one
	// request. Default 10.
	RetryMax = 1_000_000

	// Attempts bounds retry.attempts: at the default backoff (up to 5s) a
	// million tries keep one message retrying for two months. Default 3.
	Attempts = 1_000_000

	// MaxRestarts bounds supervision.max_restarts: a supervisor keeps up
	// to 4*(max_restarts+1) failure times per child (the runtime computes
	// that product, which must not overflow). Default 10.
	MaxRestarts = 10_000

	// TransactionMessages bounds transaction.max_messages: an open
	// transaction holds its messages' offsets and responses until it
	// commits. Default 1000.
	TransactionMessages = 1_000_000

	// Partitions bounds kafka.topic_partitions: the embedded broker
	// allocates every partition of a topic it creates, and real clusters
	// are sized in the low hundreds of thousands of partitions in all.
	// Default 1.
	Partitions = 100_000

	// ReplicationFactor bounds kafka.topic_replication_factor: Kafka's
	// protocol carries it in an int16.
	ReplicationFactor = 1<<15 - 1

	// Multiplier bounds the multiplier of every backoff: at 1000 a delay
	// reaches any max within a few attempts; more says nothing more.
	// Default 2.
	Multiplier = 1000.0

	// MaxMessageBytes bounds producer.max_message_bytes: a record must fit
	// in a produce request, which sarama caps at 100 MiB
	// (sarama.MaxRequestSize). Default 1 MiB.
	MaxMessageBytes = 100<<20 - 1

	// MaxRecordBytes bounds consumer.max_record_bytes: 1 GiB, beyond any
	// record a Kafka cluster accepts by default. Default 32 MiB.
	MaxRecordBytes = 1 << 30

	// FetchBytes bounds consumer.fetch_bytes and consumer.fetch_max_bytes:
	// sarama refuses a response over 100 MiB (sarama.MaxResponseSize), so
	// no partition's fetch can ask for more.
	FetchBytes = 100 << 20
)
