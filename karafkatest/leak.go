package karafkatest

import (
	"testing"

	"go.uber.org/goleak"
)

// LeakOptions are the goroutines VerifyNoLeaks ignores: process-wide
// tickers of the libraries underneath, not owned by any app.
func LeakOptions() []goleak.Option {
	return []goleak.Option{
		// sarama's metrics registry ticks for the life of the process.
		goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick"),
		// protoactor's dead-letter log throttle waits out one period, then ends.
		goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"),
		// a circuit breaker sarama opened (a topic that does not exist) sleeps out its 10s.
		goleak.IgnoreAnyFunction("github.com/eapache/go-resiliency/breaker.(*Breaker).timer"),
	}
}

// VerifyNoLeaks fails t when goroutines started during t are still running
// once t and its cleanups are done (goleak, with LeakOptions and opts).
// Call it first in the test, so that its check runs after every other
// cleanup: the app's shutdown and the broker's close. Goroutines that were
// running before are ignored. Tests that run in parallel (t.Parallel) see
// each other's goroutines; use goleak.VerifyTestMain there instead.
func VerifyNoLeaks(t testing.TB, opts ...goleak.Option) {
	t.Helper()
	opts = append(append(LeakOptions(), goleak.IgnoreCurrent()), opts...)
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })
}
