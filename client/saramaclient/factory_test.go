package saramaclient

import (
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// The broker holds an empty fetch for consumer.fetch_max_wait: the
// member's sarama config carries it (sarama's own default is 500ms), as it
// carries the other fetch and group settings.
func TestSaramaConfig_carriesTheGroupConfig(t *testing.T) {
	k := kafka.DefaultConfig()
	k.Brokers = []string{"127.0.0.1:9092"}
	sc, conns, err := saramaConfig(client.GroupConfig{Kafka: k, Group: "g", FetchMaxWait: 42 * time.Millisecond,
		SessionTimeout: 10 * time.Second, HeartbeatInterval: 3 * time.Second, RebalanceTimeout: time.Minute,
		FetchBytes: 1 << 20, Buffer: 7, InstanceID: "i-1", FromBeginning: true, ReadCommitted: true})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Consumer.MaxWaitTime != 42*time.Millisecond {
		t.Errorf("sarama Consumer.MaxWaitTime = %v, want consumer.fetch_max_wait 42ms", sc.Consumer.MaxWaitTime)
	}
	if sc.ChannelBufferSize != 7 || sc.Consumer.Group.InstanceId != "i-1" || sc.Consumer.Offsets.Initial != -2 ||
		sc.Consumer.IsolationLevel != 1 || sc.Consumer.Offsets.AutoCommit.Enable {
		t.Errorf("sarama config = buffer %d, instance %q, initial %d, isolation %d, autocommit %v",
			sc.ChannelBufferSize, sc.Consumer.Group.InstanceId, sc.Consumer.Offsets.Initial, sc.Consumer.IsolationLevel, sc.Consumer.Offsets.AutoCommit.Enable)
	}
	if conns.joinWait != time.Minute+joinGrace {
		t.Errorf("join wait = %v, want the rebalance timeout + %v", conns.joinWait, joinGrace)
	}
}
