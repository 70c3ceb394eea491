package actors

import (
	"github.com/asynkron/protoactor-go/actor"
)

// rootActor supervises the listeners with the application's strategy. On a
// restart it spawns them again; their consume loops and claimed partitions
// live in listener state and carry on.
type rootActor struct{ listeners []*listener }

func (a *rootActor) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*actor.Started); ok {
		for _, l := range a.listeners {
			ctx.SpawnPrefix(l.props(), "listener-"+l.route.Topic+"-")
		}
	}
}
