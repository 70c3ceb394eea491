package actors

import (
	"context"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// newSystem makes a protoactor system whose logs go to logger, one level
// down (protoactor's Info is our Debug) and never with ANSI colour.
func newSystem(logger *slog.Logger) *actor.ActorSystem {
	l := slog.New(demote{logger.Handler()}).With("component", "protoactor")
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return l }))
}

// demote lowers every record by one level (Error stays Error).
type demote struct{ h slog.Handler }

func lower(l slog.Level) slog.Level {
	if l >= slog.LevelError {
		return l
	}
	return l - 4
}

func (d demote) Enabled(ctx context.Context, l slog.Level) bool { return d.h.Enabled(ctx, lower(l)) }
func (d demote) Handle(ctx context.Context, r slog.Record) error {
	r.Level = lower(r.Level)
	return d.h.Handle(ctx, r)
}
func (d demote) WithAttrs(a []slog.Attr) slog.Handler { return demote{d.h.WithAttrs(a)} }
func (d demote) WithGroup(n string) slog.Handler      { return demote{d.h.WithGroup(n)} }
