package actors

import (
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topology"
)

// FuzzConsumerConfig_sarama: a ConsumerConfig that Validate accepts gives a
// sarama configuration that sarama accepts too. sarama only checks it in
// NewConsumerGroup, inside the membership's reconnect loop, so a mismatch
// would not fail at start but retry for ever.
func FuzzConsumerConfig_sarama(f *testing.F) {
	d := DefaultConsumerConfig()
	f.Add(int64(d.SessionTimeout), int64(d.HeartbeatInterval), int64(d.CommitInterval), d.BatchSize, true)
	f.Add(int64(time.Second), int64(time.Second-1), int64(1), 1, false)
	f.Add(int64(time.Second), int64(time.Millisecond), int64(time.Hour), 1<<30, true)
	f.Fuzz(func(t *testing.T, session, heartbeat, commit int64, batch int, oldest bool) {
		c := DefaultConsumerConfig()
		c.SessionTimeout = time.Duration(session)
		c.HeartbeatInterval = time.Duration(heartbeat)
		c.CommitInterval = time.Duration(commit)
		c.BatchSize = batch
		if c.Validate() != nil {
			return
		}
		k := kafka.DefaultConfig()
		k.Brokers = []string{"127.0.0.1:9092"}
		sc, err := consumerSarama(k, c, &topology.Resolved{StartFromBeginning: oldest})
		if err != nil {
			t.Fatalf("consumerSarama(%+v) = %v", c, err)
		}
		if err := sc.Validate(); err != nil {
			t.Fatalf("sarama refuses the consumer configuration of a valid %+v: %v", c, err)
		}
	})
}
