package actors

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// newTestDeps makes the deps of a runtime without a broker: records go to
// sender, mailboxes run on dispatch (a pool of its own when nil), produce
// retries back off for at most 2ms. The actor system (and the pool it made)
// is shut down when the test ends.
func newTestDeps(tb testing.TB, sender Sender, dispatch actor.Dispatcher) *deps {
	tb.Helper()
	logger := slog.New(slog.DiscardHandler)
	sys := newSystem(logger)
	if dispatch == nil {
		pool := newPool(poolIdle, poolMaxIdle, poolThroughput)
		tb.Cleanup(pool.close)
		dispatch = pool
	}
	tb.Cleanup(sys.Shutdown)
	return &deps{sys: sys, dispatch: dispatch, sender: sender, bus: events.NewBus(logger), log: logger,
		hard: context.Background(), halt: context.Background(),
		backoff: supervision.Backoff{Initial: 200 * time.Microsecond, Max: 2 * time.Millisecond, Multiplier: 2}}
}

// marks is a sessionFinisher without a session: the at-least-once
// finishers it makes call it with each offset they mark.
type marks func(next int64)

func (m marks) partition(p *partition) finisher {
	return newAtLeastOnce(p, func(_ *atLeastOnce, next, _ int64) { m(next) })
}
func (m marks) end() {}
