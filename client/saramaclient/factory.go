package saramaclient

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// Factory makes sarama's parts of the client seam.
type Factory struct{}

var _ client.Factory = Factory{}

// Name is "sarama".
func (Factory) Name() string { return kafka.ClientSarama }

// joinGrace is how much longer than the rebalance timeout a member waits for
// its JoinGroup or SyncGroup answer (the Java client's margin).
const joinGrace = 5 * time.Second

// NewGroup checks cfg and returns a member that connects on its first
// Consume.
func (Factory) NewGroup(cfg client.GroupConfig) (client.Group, error) {
	sc, conns, err := saramaConfig(cfg)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &group{cfg: cfg, sarama: sc, conns: conns, log: log.With("group", cfg.Group)}, nil
}

// saramaConfig is the sarama configuration of cfg's member, and the dialer
// of its connections.
func saramaConfig(cfg client.GroupConfig) (*sarama.Config, *groupConns, error) {
	sc, err := cfg.Kafka.Sarama()
	if err != nil {
		return nil, nil, err
	}
	conns := newGroupConns(sc.Net.DialTimeout, sc.Net.KeepAlive, cfg.RebalanceTimeout+joinGrace)
	sc.Net.Proxy.Enable = true // not a proxy: our dialer, see groupConns
	sc.Net.Proxy.Dialer = conns
	sc.Consumer.Group.Rebalance.Timeout = cfg.RebalanceTimeout
	if cfg.InstanceID != "" {
		sc.Consumer.Group.InstanceId = cfg.InstanceID
	}
	sc.Consumer.Return.Errors = true
	sc.Consumer.Offsets.AutoCommit.Enable = false
	sc.Consumer.Offsets.Initial = sarama.OffsetNewest
	if cfg.FromBeginning {
		sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	}
	sc.Consumer.Group.Session.Timeout = cfg.SessionTimeout
	sc.Consumer.Group.Heartbeat.Interval = cfg.HeartbeatInterval
	sc.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRoundRobin()}
	sc.ChannelBufferSize = cfg.Buffer
	sc.Consumer.MaxWaitTime = cfg.FetchMaxWait
	sc.Consumer.Fetch.Default = int32(cfg.FetchBytes)
	sc.Consumer.Fetch.Max = int32(cfg.FetchMaxBytes)
	if cfg.ReadCommitted {
		sc.Consumer.IsolationLevel = sarama.ReadCommitted
	}
	if err := sc.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%w: consumer: %w", kafka.ErrInvalidConfig, err)
	}
	return sc, conns, nil
}
