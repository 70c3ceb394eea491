package actors

import (
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topology"
)

// FuzzConsumerConfig_sarama: a ConsumerConfig that Validate accepts gives a
// sarama configuration that sarama accepts too, so a refusal names our key
// (consumer.heartbeat_interval) rather than sarama's field, from Validate.
func FuzzConsumerConfig_sarama(f *testing.F) {
	d := DefaultConsumerConfig()
	f.Add(int64(d.SessionTimeout), int64(d.HeartbeatInterval), int64(d.RebalanceTimeout), int64(d.CommitInterval), d.BatchSize, d.InstanceID, true)
	f.Add(int64(time.Second), int64(time.Second-1), int64(time.Second), int64(1), 1, "orders-0", false)
	f.Add(int64(time.Second), int64(time.Millisecond), int64(time.Hour), int64(time.Hour), 1<<30, strings.Repeat("i", 249), true)
	f.Fuzz(func(t *testing.T, session, heartbeat, rebalance, commit int64, batch int, instance string, oldest bool) {
		c := DefaultConsumerConfig()
		c.SessionTimeout = time.Duration(session)
		c.HeartbeatInterval = time.Duration(heartbeat)
		c.RebalanceTimeout = time.Duration(rebalance)
		c.CommitInterval = time.Duration(commit)
		c.BatchSize = batch
		c.InstanceID = instance
		if c.Validate() != nil {
			return
		}
		k := kafka.DefaultConfig()
		k.Brokers = []string{"127.0.0.1:9092"}
		k.ClientID = "fuzz"
		if _, _, err := consumerSarama(k, c, &topology.Resolved{StartFromBeginning: oldest}); err != nil {
			t.Fatalf("sarama refuses the consumer configuration of a valid %+v: %v", c, err)
		}
	})
}
