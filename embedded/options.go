package embedded

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Option configures [Start].
type Option func(*options)

type options struct {
	addr   string
	topics []topicSpec
	logger *slog.Logger
}

type topicSpec struct {
	partitions int32
	names      []string
}

// DefaultAddr is where the broker listens unless [Addr] says otherwise.
const DefaultAddr = "127.0.0.1:9092"

// Addr sets the loopback "host:port" to listen on; port 0 picks a free port.
// Default [DefaultAddr].
func Addr(hostport string) Option { return func(o *options) { o.addr = hostport } }

// Topics pre-creates topics with the given number of partitions (at least 1).
// It may be given several times.
func Topics(partitions int32, names ...string) Option {
	return func(o *options) { o.topics = append(o.topics, topicSpec{partitions, names}) }
}

// Logger routes the broker's own logs to l, all at debug level.
func Logger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// slogLogger adapts a *slog.Logger to kfake.Logger.
type slogLogger struct{ l *slog.Logger }

var _ kfake.Logger = slogLogger{}

// Logf logs at debug, keeping kfake's own level as an attribute.
func (s slogLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	if !s.l.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	s.l.Debug(fmt.Sprintf(format, args...), "component", "kfake", "kfake_level", level.String())
}
