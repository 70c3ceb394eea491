package producer_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a test leaves a goroutine behind. sarama's
// metrics library keeps one global ticker for the life of the process once
// a client with a real metrics registry made a meter (kafka.Config.Sarama's
// makes none; TestWithSaramaConfig_metricRegistry's does), and
// a circuit breaker sarama opened (a topic that does not exist) sleeps out
// its 10s on a goroutine of its own, whoever closed the producer.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick"),
		goleak.IgnoreAnyFunction("github.com/eapache/go-resiliency/breaker.(*Breaker).timer"))
}
