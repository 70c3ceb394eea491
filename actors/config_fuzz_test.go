package actors

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client/saramaclient"
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
		if _, err := (saramaclient.Factory{}).NewGroup(groupConfig(k, c, &topology.Resolved{StartFromBeginning: oldest}, nil)); err != nil {
			t.Fatalf("sarama refuses the consumer configuration of a valid %+v: %v", c, err)
		}
	})
}

// FuzzConsumerConfig_buffers: the numbers of a ConsumerConfig that
// Validate accepts are ones the runtime can build a partition from. An
// assigned partition allocates a batch of BatchSize messages and sarama a
// buffer of as many (GroupConfig.Buffer: sarama's ChannelBufferSize), and bounds its
// messages by 1+2*MaxInFlight: BatchSize = math.MaxInt validated, then
// panicked (makechan: size out of range), and 1<<32 exhausted memory.
func FuzzConsumerConfig_buffers(f *testing.F) {
	d := DefaultConsumerConfig()
	f.Add(d.BatchSize, d.MaxInFlight)
	for _, n := range []int{math.MaxInt, math.MinInt, 1 << 32, 1 << 31, math.MaxInt / 2, -1, 0, 1, 100_000, 100_001, 1_000_000, 1_000_001} {
		f.Add(n, d.MaxInFlight)
		f.Add(d.BatchSize, n)
	}
	f.Fuzz(func(t *testing.T, batch, maxInFlight int) {
		c := DefaultConsumerConfig()
		c.BatchSize, c.MaxInFlight = batch, maxInFlight
		if c.Validate() != nil {
			return
		}
		k := kafka.DefaultConfig()
		k.Brokers = []string{"127.0.0.1:9092"}
		k.ClientID = "fuzz"
		gc := groupConfig(k, c, &topology.Resolved{}, nil)
		if _, err := (saramaclient.Factory{}).NewGroup(gc); err != nil {
			t.Fatalf("sarama refuses the consumer configuration of a valid %+v: %v", c, err)
		}
		// What one partition holds up front, a pointer per slot: checked
		// before it is allocated, so that a regression fails here rather
		// than exhausting the machine's memory.
		const limit = 16 << 20
		for _, n := range []int{c.BatchSize, gc.Buffer} {
			if n < 0 || n > limit/8 {
				t.Fatalf("a valid batch_size %d makes a partition allocate %d slots up front (more than %d bytes)", c.BatchSize, n, limit)
			}
		}
		_ = make([]*work, 0, c.BatchSize)
		_ = make([]*work, 0, gc.Buffer) // a client's buffer of records
		if 1+2*c.MaxInFlight <= c.MaxInFlight {
			t.Fatalf("a valid max_in_flight %d overflows the bound of uncommitted messages", c.MaxInFlight)
		}
	})
}
