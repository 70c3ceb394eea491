package karafka_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that every goroutine an App starts is gone once it shut down.
func TestMain(m *testing.M) {
	if os.Getenv("KARAFKA_CRASH_CHILD") != "" {
		os.Exit(m.Run())
	}
	goleak.VerifyTestMain(m,
		// sarama's metrics registry ticks for the life of the process.
		goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick"),
		// protoactor's dead-letter log throttle waits out one period, then ends.
		goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"),
		// a circuit breaker sarama opened (a topic that does not exist) sleeps out its 10s.
		goleak.IgnoreAnyFunction("github.com/eapache/go-resiliency/breaker.(*Breaker).timer"),
	)
}
