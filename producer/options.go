package producer

import (
	"log/slog"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Option customises [New].
type Option func(*options)

type options struct {
	logger   *slog.Logger
	override func(*sarama.Config)
	// franz are WithFranzOptions', applied last on franz.
	franz    []kgo.Opt
	franzSet bool
	// txnTimeout, when txnTimeoutSet, is NewTransactional's transaction timeout.
	txnTimeout    time.Duration
	txnTimeoutSet bool
}

// newOptions applies opts over the defaults.
func newOptions(opts []Option) options {
	o := options{logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLogger sets the logger for life-cycle and delivery-failure logs
// (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithSaramaConfig runs fn on the finished sarama configuration just before
// the producer is built: a last-mile override for settings Config does not
// cover. Return.Successes and Return.Errors are forced back on afterwards.
// It applies to kafka.client "sarama" only: with "franz", New and
// NewTransactional refuse it (an error wrapping kafka.ErrInvalidConfig
// naming the option) rather than drop the settings it was meant to make.
func WithSaramaConfig(fn func(*sarama.Config)) Option {
	return func(o *options) { o.override = fn }
}

// WithFranzOptions appends opts to the franz-go client options the
// producer is built with (after its own, so they win): a last-mile
// override for settings Config does not cover, such as kgo.WithLogger or
// kgo.WithHooks. The producer's partitioner, and a transactional
// producer's kgo.TransactionalID, must not be overridden. It applies to
// kafka.client "franz" only: with "sarama", New and NewTransactional refuse
// it, as WithSaramaConfig with "franz".
func WithFranzOptions(opts ...kgo.Opt) Option {
	return func(o *options) { o.franz, o.franzSet = append(o.franz, opts...), true }
}

// WithTransactionTimeout sets the transaction timeout of [NewTransactional]'s
// producer (sarama's Producer.Transaction.Timeout, default 1 minute; the
// karafka key transaction.timeout), sent to the broker in InitProducerId:
// the broker aborts a transaction left open longer. It must be at least
// 1ms. Brokers refuse a value above their transaction.max.timeout.ms (15
// minutes by default): NewTransactional then returns an error naming
// transaction.timeout that wraps kafka.ErrInvalidConfig and
// sarama.ErrInvalidTransactionTimeout. [New] ignores it.
func WithTransactionTimeout(d time.Duration) Option {
	return func(o *options) { o.txnTimeout, o.txnTimeoutSet = d, true }
}
