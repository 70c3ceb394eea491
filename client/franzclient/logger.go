package franzclient

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// slogLogger hands kgo's warnings and errors to a slog.Logger. kgo logs a
// lot at info level (every session, every heartbeat error); the runtime
// logs what matters of it itself, so info is dropped but for one case:
// kgo retries a committed-offset fetch refused with UNSTABLE_OFFSET_COMMIT
// every second without end (a transaction holds the group's offsets) and
// says so at info level only, where sarama's member fails the join and the
// runtime explains it. That one becomes the same explanation, once per
// unstableEvery.
type slogLogger struct {
	l *slog.Logger

	mu       sync.Mutex
	unstable time.Time // last time the UNSTABLE_OFFSET_COMMIT warning was logged
}

// unstableEvery spaces the UNSTABLE_OFFSET_COMMIT warnings.
const unstableEvery = 10 * time.Second

func (s *slogLogger) Level() kgo.LogLevel { return kgo.LogLevelInfo }

func (s *slogLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	lv := slog.LevelWarn
	switch level {
	case kgo.LogLevelError:
		lv = slog.LevelError
	case kgo.LogLevelInfo, kgo.LogLevelDebug:
		if unstableOffsets(keyvals) {
			s.warnUnstable(keyvals)
		}
		return
	}
	s.l.Log(context.Background(), lv, "kafka client: "+msg, keyvals...)
}

// unstableOffsets reports whether keyvals carry an UNSTABLE_OFFSET_COMMIT
// error.
func unstableOffsets(keyvals []any) bool {
	for i := 1; i < len(keyvals); i += 2 {
		if err, ok := keyvals[i].(error); ok && errors.Is(err, kerr.UnstableOffsetCommit) {
			return true
		}
	}
	return false
}

func (s *slogLogger) warnUnstable(keyvals []any) {
	s.mu.Lock()
	now := time.Now()
	if now.Sub(s.unstable) < unstableEvery {
		s.mu.Unlock()
		return
	}
	s.unstable = now
	s.mu.Unlock()
	s.l.Warn("consuming waits for a transaction that holds this group's offsets (UNSTABLE_OFFSET_COMMIT), retrying: it ends when its producer's "+
		"transactional id is used again (a restarted member with the same consumer.instance_id) or at its transaction timeout", keyvals...)
}
