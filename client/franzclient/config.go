package franzclient

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// minBuffer is the least number of records a claim holds before its
// partition is paused: below it, pausing and resuming would alternate at
// every fetch.
const minBuffer = 16

// checkConfig checks what the runtime sets in cfg (it validated its own
// settings already; this catches what would make kgo misbehave) and returns
// the connection options of cfg.Kafka. Errors wrap kafka.ErrInvalidConfig
// and name the setting.
func checkConfig(cfg client.GroupConfig) ([]kgo.Opt, error) {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", kafka.ErrInvalidConfig, key, fmt.Sprintf(format, a...)))
	}
	if cfg.Group == "" {
		bad("group", "is empty")
	}
	if len(cfg.Topics) == 0 {
		bad("topics", "none given")
	}
	for _, t := range cfg.Topics {
		if t == "" {
			bad("topics", "a topic name is empty")
		}
	}
	// Zero durations keep kgo's defaults; negative ones are mistakes.
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"consumer.session_timeout", cfg.SessionTimeout},
		{"consumer.heartbeat_interval", cfg.HeartbeatInterval},
		{"consumer.rebalance_timeout", cfg.RebalanceTimeout},
		{"consumer.fetch_max_wait", cfg.FetchMaxWait},
	} {
		if d.v < 0 {
			bad(d.key, "%v is negative", d.v)
		}
	}
	if cfg.SessionTimeout > 0 && cfg.HeartbeatInterval >= cfg.SessionTimeout {
		bad("consumer.heartbeat_interval", "%v must be below consumer.session_timeout (%v)", cfg.HeartbeatInterval, cfg.SessionTimeout)
	}
	if cfg.FetchBytes < 0 || cfg.FetchBytes > math.MaxInt32 {
		bad("consumer.fetch_bytes", "%d is outside 0 (default)..%d", cfg.FetchBytes, math.MaxInt32)
	}
	if cfg.FetchMaxBytes < 0 || cfg.FetchMaxBytes > math.MaxInt32 {
		bad("consumer.fetch_max_bytes", "%d is outside 0 (default)..%d", cfg.FetchMaxBytes, math.MaxInt32)
	}
	if cfg.Buffer < 0 {
		bad("buffer", "%d is negative", cfg.Buffer)
	}
	opts, err := cfg.Kafka.Franz()
	if err != nil {
		errs = append(errs, err) // wraps kafka.ErrInvalidConfig and names the key
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return opts, nil
}

// groupOpts are the consumer group options of cfg, on top of the
// connection options.
func groupOpts(cfg client.GroupConfig) []kgo.Opt {
	start := kgo.NewOffset().AtEnd()
	if cfg.FromBeginning {
		start = kgo.NewOffset().AtStart()
	}
	opts := []kgo.Opt{
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.Topics...),
		// Eager: every rebalance revokes every partition, as sarama's
		// sessions do; a cooperative balancer would keep partitions
		// across sessions, which the runtime's session model has no
		// room for.
		kgo.Balancers(kgo.RoundRobinBalancer()),
		// The runtime commits what it marked, in Cleanup.
		kgo.DisableAutoCommit(),
		// No rebalance callback runs while a poll's records are being
		// routed to their claims (see poll): a revoked partition's
		// records never reach the next session.
		kgo.BlockRebalanceOnPoll(),
		kgo.ConsumeResetOffset(start),
		// A deleted topic shows up as UNKNOWN_TOPIC_OR_PARTITION (or
		// UNKNOWN_TOPIC_ID) fetch errors, which kgo strips otherwise;
		// see topicGone.
		kgo.KeepRetryableFetchErrors(),
	}
	if cfg.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(cfg.InstanceID))
	}
	if cfg.SessionTimeout > 0 {
		opts = append(opts, kgo.SessionTimeout(cfg.SessionTimeout))
	}
	if cfg.HeartbeatInterval > 0 {
		opts = append(opts, kgo.HeartbeatInterval(cfg.HeartbeatInterval))
	}
	if cfg.RebalanceTimeout > 0 {
		opts = append(opts, kgo.RebalanceTimeout(cfg.RebalanceTimeout))
	}
	if cfg.ReadCommitted {
		// kgo always fetches committed offsets with RequireStable
		// (KIP-447) in a group: nothing to ask for that.
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	if cfg.FetchMaxWait > 0 {
		opts = append(opts, kgo.FetchMaxWait(cfg.FetchMaxWait))
	}
	if cfg.FetchBytes > 0 {
		opts = append(opts, kgo.FetchMaxPartitionBytes(int32(cfg.FetchBytes)))
	}
	if cfg.FetchMaxBytes > 0 {
		opts = append(opts, kgo.FetchMaxBytes(int32(cfg.FetchMaxBytes)))
	}
	return opts
}

// bufferOf is how many records a claim of cfg holds before its partition
// is paused.
func bufferOf(cfg client.GroupConfig) int {
	return max(cfg.Buffer, minBuffer)
}
