package producer

import (
	"log/slog"

	"github.com/IBM/sarama"
)

// Option customises [New].
type Option func(*options)

type options struct {
	logger   *slog.Logger
	override func(*sarama.Config)
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
func WithSaramaConfig(fn func(*sarama.Config)) Option {
	return func(o *options) { o.override = fn }
}
