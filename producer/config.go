package producer

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/internal/bounds"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// Config configures a [Producer].
type Config struct {
	// Kafka is how to reach the cluster.
	Kafka kafka.Config
	// Acks is "all" (default), "leader" or "none".
	Acks string
	// Idempotent turns on the idempotent producer (default true); it
	// requires Acks "all" and RetryMax >= 1.
	Idempotent bool
	// Compression is "none" (default), "gzip", "snappy", "lz4" or "zstd"
	// (zstd needs kafka.version >= 2.1.0).
	Compression string
	// FlushFrequency is how long records linger to fill a batch. Default 0,
	// no linger: a record is sent as soon as its partition has no produce
	// request in flight, and records that arrive while one is in flight go
	// together in the next request, so batches fill under a backlog without
	// any linger (throughput unchanged against a 5ms linger) while a record
	// at a moderate rate leaves at once: ~3.5 ms off the median latency at
	// 10k msg/s, for 1.5x the CPU per message of the process and 1.8x that
	// of the broker at that rate (more, smaller requests; docs/benchmarks.md). 5ms (with FlushMessages 500), the default
	// before, is the choice when CPU at moderate rates matters more than
	// latency.
	FlushFrequency time.Duration
	// FlushMessages is how many records trigger a flush before
	// FlushFrequency is up. Default 0 (none); a value > 0 requires
	// FlushFrequency > 0, since without a linger records would wait for
	// that many others.
	FlushMessages int
	// ChannelBufferSize is the size of sarama's input and result channels.
	// Default 1024.
	ChannelBufferSize int
	// RetryMax is how often a failed produce is retried. Default 10.
	RetryMax int
	// RetryBackoff is the pause between retries. Default 100ms.
	RetryBackoff time.Duration
	// MaxMessageBytes is the largest record the producer sends, counted
	// by [Size]; a larger one fails at once with an error matching
	// [ErrTooLarge] and is never retried. Default (and 0) 1 MiB
	// ([DefaultMaxMessageBytes]), at most [MaxMessageBytesLimit]. The
	// brokers' message.max.bytes and the topic's max.message.bytes must be
	// raised as well to send larger records.
	MaxMessageBytes int
}

// DefaultConfig returns the defaults, with kafka.DefaultConfig() and no brokers.
func DefaultConfig() Config {
	return Config{
		Kafka:             kafka.DefaultConfig(),
		Acks:              "all",
		Idempotent:        true,
		Compression:       "none",
		FlushFrequency:    0,
		FlushMessages:     0,
		ChannelBufferSize: 1024,
		RetryMax:          10,
		RetryBackoff:      100 * time.Millisecond,
		MaxMessageBytes:   DefaultMaxMessageBytes,
	}
}

var acks = map[string]sarama.RequiredAcks{
	"all":    sarama.WaitForAll,
	"leader": sarama.WaitForLocal,
	"none":   sarama.NoResponse,
}

var codecs = map[string]sarama.CompressionCodec{
	"none":   sarama.CompressionNone,
	"gzip":   sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy,
	"lz4":    sarama.CompressionLZ4,
	"zstd":   sarama.CompressionZSTD,
}

// Validate reports every problem of c at once (errors.Join), including those
// of c.Kafka; each wraps [kafka.ErrInvalidConfig] and names its key, such as
// "producer.acks".
func (c Config) Validate() error {
	errs := []error{c.Kafka.Validate()}
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", kafka.ErrInvalidConfig, key, fmt.Sprintf(format, args...)))
	}
	if _, ok := acks[c.Acks]; !ok {
		bad("producer.acks", "%q (allowed: all, leader, none)", c.Acks)
	}
	if c.Idempotent && c.Acks != "all" {
		bad("producer.idempotent", "requires producer.acks \"all\", got %q", c.Acks)
	}
	if c.Idempotent && c.RetryMax < 1 {
		bad("producer.idempotent", "requires producer.retry_max >= 1, got %d", c.RetryMax)
	}
	if _, ok := codecs[c.Compression]; !ok {
		bad("producer.compression", "%q (allowed: none, gzip, snappy, lz4, zstd)", c.Compression)
	} else if c.Compression == "zstd" {
		if v, err := sarama.ParseKafkaVersion(c.Kafka.Version); err == nil && !v.IsAtLeast(sarama.V2_1_0_0) {
			bad("producer.compression", "\"zstd\" requires kafka.version >= 2.1.0, got %q", c.Kafka.Version)
		}
	}
	if c.FlushFrequency < 0 {
		bad("producer.flush_frequency", "%s must not be negative", c.FlushFrequency)
	} else if c.FlushFrequency > bounds.Duration {
		bad("producer.flush_frequency", "%s must be at most %s", c.FlushFrequency, bounds.Duration)
	}
	if c.FlushMessages < 0 {
		bad("producer.flush_messages", "%d must not be negative", c.FlushMessages)
	} else if c.FlushMessages > bounds.FlushMessages {
		bad("producer.flush_messages", "%d must be at most %d", c.FlushMessages, bounds.FlushMessages)
	} else if c.FlushMessages > 0 && c.FlushFrequency == 0 {
		// sarama would then flush only after FlushMessages records.
		bad("producer.flush_messages", "%d requires producer.flush_frequency > 0 (with no linger every record is sent at once; set both or neither)", c.FlushMessages)
	}
	if c.ChannelBufferSize < 0 {
		bad("producer.channel_buffer_size", "%d must not be negative", c.ChannelBufferSize)
	} else if c.ChannelBufferSize > bounds.ChannelBufferSize {
		// sarama makes a channel of this size per topic and partition.
		bad("producer.channel_buffer_size", "%d must be at most %d", c.ChannelBufferSize, bounds.ChannelBufferSize)
	}
	if c.RetryMax < 0 {
		bad("producer.retry_max", "%d must not be negative", c.RetryMax)
	} else if c.RetryMax > bounds.RetryMax {
		bad("producer.retry_max", "%d must be at most %d", c.RetryMax, bounds.RetryMax)
	}
	if c.RetryBackoff < 0 {
		bad("producer.retry_backoff", "%s must not be negative", c.RetryBackoff)
	} else if c.RetryBackoff > bounds.Duration {
		bad("producer.retry_backoff", "%s must be at most %s", c.RetryBackoff, bounds.Duration)
	}
	if c.MaxMessageBytes < 0 || c.MaxMessageBytes > MaxMessageBytesLimit {
		bad("producer.max_message_bytes", "%d must be between 1 and %d (a produce request holds at most 100 MiB; 0: the default, 1 MiB)", c.MaxMessageBytes, MaxMessageBytesLimit)
	}
	return errors.Join(errs...)
}

// sarama validates c and returns the full sarama producer configuration.
func (c Config) sarama() (*sarama.Config, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	sc, err := c.Kafka.Sarama()
	if err != nil {
		return nil, err
	}
	p := &sc.Producer
	p.RequiredAcks = acks[c.Acks]
	p.Idempotent = c.Idempotent
	if c.Idempotent {
		sc.Net.MaxOpenRequests = 1
	}
	p.Compression = codecs[c.Compression]
	p.Flush.Frequency = c.FlushFrequency
	p.Flush.Messages = c.FlushMessages
	sc.ChannelBufferSize = c.ChannelBufferSize
	p.Retry.Max = c.RetryMax
	p.Retry.Backoff = c.RetryBackoff
	p.MaxMessageBytes = c.MaxMessageBytes
	if p.MaxMessageBytes == 0 {
		p.MaxMessageBytes = DefaultMaxMessageBytes
	}
	p.Return.Successes = true
	p.Return.Errors = true
	p.Partitioner = newPartitioner
	return sc, nil
}
