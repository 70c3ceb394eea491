package producer_test

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

func BenchmarkProducer_SendAsync(b *testing.B) {
	cfg := newCluster(b, kafka.ClientSarama, 4)
	p := newProducer(b, cfg)
	value := make([]byte, 200)
	msg := producer.Message{Topic: "t", Key: []byte("key"), Value: value, Headers: []producer.Header{{Key: "h", Value: []byte("v")}}}
	var wg sync.WaitGroup
	done := func(r producer.Result) {
		if r.Err != nil {
			b.Error(r.Err)
		}
		wg.Done()
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(value)))
	for b.Loop() {
		wg.Add(1)
		p.SendAsync(&msg, done)
	}
	wg.Wait()
}

// BenchmarkProducer_client sends 200-byte values under 8 keys
// asynchronously, as fast as SendAsync takes them, on each client library
// against the embedded broker (4 partitions, defaults: no linger,
// idempotent, acks all), and waits for every callback: ns/op and
// allocs/op side by side per client.
func BenchmarkProducer_client(b *testing.B) {
	for _, client := range []string{kafka.ClientSarama, kafka.ClientFranz} {
		b.Run(client, func(b *testing.B) {
			broker := testkafka.Embedded(b, embedded.Topics(4, "bench"))
			cfg := producer.DefaultConfig()
			cfg.Kafka = testkafka.Config(broker.Addrs())
			cfg.Kafka.Client = client
			p := newProducer(b, cfg)
			value := make([]byte, 200)
			// The producer only reads a Message, so one per key serves
			// every send.
			msgs := make([]producer.Message, 8)
			for i := range msgs {
				msgs[i] = producer.Message{Topic: "bench", Key: []byte("key-" + strconv.Itoa(i)), Value: value}
			}
			var wg sync.WaitGroup
			done := func(r producer.Result) {
				if r.Err != nil {
					b.Error(r.Err)
				}
				wg.Done()
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			n := 0
			for b.Loop() {
				wg.Add(1)
				p.SendAsync(&msgs[n%len(msgs)], done)
				n++
			}
			wg.Wait()
		})
	}
}

// BenchmarkProducer_SendAsyncLinger sends as fast as SendAsync accepts (a
// backlog) with the old 5 ms / 500-record linger and with no linger, and
// reports how many records each produce request carried: with no linger
// records still batch up while a partition's previous request is in flight.
func BenchmarkProducer_SendAsyncLinger(b *testing.B) {
	for _, bc := range []struct {
		name string
		freq time.Duration
		msgs int
	}{
		{name: "linger=5ms", freq: 5 * time.Millisecond, msgs: 500},
		{name: "linger=0", freq: 0, msgs: 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "t"))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			var requests atomic.Int64
			c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				requests.Add(1)
				return nil, nil, false
			})
			cfg := producer.DefaultConfig()
			cfg.Kafka.Brokers = c.ListenAddrs()
			cfg.FlushFrequency, cfg.FlushMessages = bc.freq, bc.msgs
			p := newProducer(b, cfg)
			value := make([]byte, 200)
			var wg sync.WaitGroup
			done := func(r producer.Result) {
				if r.Err != nil {
					b.Error(r.Err)
				}
				wg.Done()
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			n := 0
			for b.Loop() {
				wg.Add(1)
				p.SendAsync(&producer.Message{Topic: "t", Key: []byte(strconv.Itoa(n)), Value: value}, done)
				n++
			}
			wg.Wait()
			b.ReportMetric(float64(n)/float64(max(requests.Load(), 1)), "records/req")
		})
	}
}
