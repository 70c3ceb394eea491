package franzclient

import (
	"context"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"
)

// slogLogger hands kgo's warnings and errors to a slog.Logger. kgo logs a
// lot at info level (every session, every heartbeat error); the runtime
// logs what matters of it itself, so info and below are not asked for.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

func (s slogLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	lv := slog.LevelWarn
	switch level {
	case kgo.LogLevelError:
		lv = slog.LevelError
	case kgo.LogLevelInfo:
		lv = slog.LevelInfo
	case kgo.LogLevelDebug:
		lv = slog.LevelDebug
	}
	s.l.Log(context.Background(), lv, "kafka client: "+msg, keyvals...)
}
