package cli

import (
	"log/slog"

	"github.com/karafka-actors/karafka-actors/kafka"
)

// warnKafka logs k's warnings (kafka.Config.Warnings: broker certificates
// not verified, a SASL PLAIN password in clear text) on logger. Every
// command that connects to Kafka calls it once, before connecting.
func warnKafka(logger *slog.Logger, k kafka.Config) {
	for _, w := range k.Warnings() {
		logger.Warn(w)
	}
}
