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
	addr      string
	advertise string
	dataDir   string
	topics    []topicSpec
	logger    *slog.Logger
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

// Advertise sets the loopback "host:port" the broker tells clients to
// connect to (in metadata and coordinator answers) instead of the address
// it listens on. Clients bootstrap wherever they like but then reconnect to
// this address: point it at a proxy in front of the broker (fault-injection
// tests) and every connection goes through the proxy. Default: the listen
// address.
func Advertise(hostport string) Option { return func(o *options) { o.advertise = hostport } }

// DataDir keeps the broker's topics, records, committed offsets and
// idempotent-producer state in dir (created if needed) and loads them
// again when a broker starts on the same dir, so data survives a restart.
// State is written as it changes and completely on [Broker.Close]; after a
// crash (SIGKILL) the last records may be lost, as with Kafka's default of
// not syncing every write. Default: in memory, gone after Close.
func DataDir(dir string) Option { return func(o *options) { o.dataDir = dir } }

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
