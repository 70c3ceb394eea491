package kafka_test

import (
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/rcrowley/go-metrics"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/karafka-actors/karafka-actors/kafka"
)

// exchange produces one record to topic "t" of brokers with a client of
// configuration sc and consumes it back with another, then calls check
// while the consumer is open (closing a client unregisters its metrics).
func exchange(t *testing.T, brokers []string, sc *sarama.Config, check func()) {
	t.Helper()
	sc.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "t", Value: sarama.StringEncoder("v")}); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := sarama.NewConsumer(brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition("t", 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	select {
	case <-pc.Messages():
	case <-time.After(10 * time.Second):
		t.Fatal("record not read back")
	}
	check()
}

// TestConfig_Sarama_metricsOff checks that sarama records nothing through a
// configuration from Config.Sarama (its metrics cost 7% of the worker's
// CPU and nothing reads them), and that a user who sets a registry of their
// own gets sarama's metrics in it.
func TestConfig_Sarama_metricsOff(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	c := kafka.DefaultConfig()
	c.Brokers = cluster.ListenAddrs()

	t.Run("default", func(t *testing.T) {
		sc, err := c.Sarama()
		if err != nil {
			t.Fatal(err)
		}
		exchange(t, c.Brokers, sc, func() {
			var names []string
			sc.MetricRegistry.Each(func(name string, _ any) { names = append(names, name) })
			if len(names) > 0 || len(sc.MetricRegistry.GetAll()) > 0 {
				t.Errorf("registry holds %d metrics after a produce and a fetch (%v), want none", len(names), names)
			}
		})
		if m := metrics.GetOrRegisterMeter("request-rate", sc.MetricRegistry); m != (metrics.NilMeter{}) {
			t.Errorf("meter = %T, want metrics.NilMeter", m)
		}
		h := sc.MetricRegistry.GetOrRegister("request-size", func() metrics.Histogram { return metrics.NewHistogram(metrics.NewUniformSample(1)) })
		if h != (metrics.NilHistogram{}) {
			t.Errorf("histogram = %T, want metrics.NilHistogram", h)
		}
		if n := metrics.GetOrRegisterCounter("requests-in-flight", sc.MetricRegistry); n != (metrics.NilCounter{}) {
			t.Errorf("counter = %T, want metrics.NilCounter", n)
		}
		if g := sc.MetricRegistry.GetOrRegister("g", metrics.NewGauge); g.(metrics.Gauge) == nil {
			t.Error("gauge: nil") // another kind is built, not kept
		}
	})

	t.Run("own registry", func(t *testing.T) {
		sc, err := c.Sarama()
		if err != nil {
			t.Fatal(err)
		}
		reg := metrics.NewRegistry()
		sc.MetricRegistry = reg
		exchange(t, c.Brokers, sc, func() {
			if m, ok := reg.Get("request-rate").(metrics.Meter); !ok || m.Count() == 0 {
				t.Errorf("request-rate = %v, want a meter that counted requests", reg.Get("request-rate"))
			}
		})
	})
}
