package karafka

import (
	"log/slog"

	"github.com/karafka-actors/karafka-actors/events"
)

// logEvent logs the per-message events at debug level; the runtime logs
// failures, restarts and partition changes itself at higher levels.
func logEvent(l *slog.Logger) events.Handler {
	return func(e events.Event) {
		switch e.Kind {
		case events.MessageConsumed, events.MessageProcessed, events.MessageFiltered, events.MessageRetried, events.OffsetsCommitted:
			l.Debug(e.Kind.String(), "topic", e.Topic, "partition", e.Partition, "offset", e.Offset, "attempt", e.Attempt)
		}
	}
}
