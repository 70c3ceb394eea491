// Command server is the interop suite's karafka-actors server: the full CLI
// (cli.New, so `server` with its config, signals and logging) running the
// repositories example's controllers on topics renamed with a prefix, so
// every test on a shared broker has topics of its own:
//
//	INTEROP_TOPIC_PREFIX=t1_ server --brokers 127.0.0.1:19092
//
// routes <prefix>repositories_created => <prefix>sources_created (and
// deleted/updated alike). The response carries the input's key, so the
// tests can check that keys survive a round trip through a third-party
// client. An input with a numeric "sleep_ms" field makes the controller
// take that long before it answers (a slow controller, for the chaos
// tests); the wait ends early only when the application gives up draining.
//
// With INTEROP_BATCH_SIZE=N (N > 0), the repositories_created route is a
// batch route instead, answering each message of a batch of at most N as
// the per-message route does.
//
// With INTEROP_VIRTUAL_PARTITIONS=N the repositories_created route runs on
// N virtual partitions, keyed by the input's "k" field.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/controllers"
	repositories "github.com/karafka-actors/karafka-actors/examples/repositories/app"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topology"
)

// EnvPrefix names the variable holding the topic prefix (not KARAFKA_*: the
// CLI rejects unknown KARAFKA_ variables).
const EnvPrefix = "INTEROP_TOPIC_PREFIX"

// EnvBatchSize names the variable that makes repositories_created a batch
// route with batches of at most its value.
const EnvBatchSize = "INTEROP_BATCH_SIZE"

// EnvVirtual names the variable giving the created route N virtual
// partitions keyed by the input's "k" field.
const EnvVirtual = "INTEROP_VIRTUAL_PARTITIONS"

// virtual returns the created route's virtual partitions, or nil.
func virtual() (*topology.VirtualPartitions, error) {
	v := os.Getenv(EnvVirtual)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvVirtual, err)
	}
	return &topology.VirtualPartitions{Max: n, Key: func(p *params.Params) []byte {
		k, _ := p.String("k")
		return []byte(k)
	}}, nil
}

// keyed runs the example's controller and hands each of its responses to
// the responder together with the input's key.
func keyed(inner controllers.Controller) controllers.Factory {
	return func() controllers.Controller {
		return controllers.Func(func(ctx *controllers.Context) error {
			if err := slow(ctx); err != nil {
				return err
			}
			sub := controllers.NewContext(ctx.Context, ctx.Params, ctx.Logger)
			if err := inner.Perform(sub); err != nil {
				return err
			}
			key := ctx.Params.Metadata().Key
			for _, args := range sub.Responses() {
				ctx.RespondWith(append(append([]any(nil), args...), key)...)
			}
			return nil
		})
	}
}

// batched runs the controllers f makes on each message of a batch, in
// order, and answers each message with its responses; one failure fails
// the batch.
func batched(f controllers.Factory) controllers.BatchFactory {
	return func() controllers.BatchController {
		c := f()
		return controllers.BatchFunc(func(b *controllers.BatchContext) error {
			for i, m := range b.Messages {
				sub := controllers.NewContext(b.Context, m, b.Logger)
				if err := c.Perform(sub); err != nil {
					return err
				}
				for _, args := range sub.Responses() {
					b.RespondTo(i, args...)
				}
			}
			return nil
		})
	}
}

// slow waits for the input's "sleep_ms" milliseconds, if it has that field.
func slow(ctx *controllers.Context) error {
	if !bytes.Contains(ctx.Params.Raw(), []byte(`"sleep_ms"`)) {
		return nil // most inputs: no second parse of the payload
	}
	ms, ok := ctx.Params.Int("sleep_ms")
	if !ok || ms <= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// respond sends args[0] to topic, keyed like the input when it had a key.
func respond(topic string) responders.Factory {
	r := responders.Func([]responders.Topic{responders.Required(topic)}, func(out *responders.Output, args ...any) error {
		if len(args) != 2 {
			return fmt.Errorf("want a response and a key, got %d arguments", len(args))
		}
		var opts []responders.Option
		if k, _ := args[1].([]byte); len(k) > 0 {
			opts = append(opts, responders.KeyBytes(k))
		}
		out.RespondTo(topic, args[0], opts...)
		return nil
	})
	return func() responders.Responder { return r }
}

func register(app *karafka.App) error {
	p := os.Getenv(EnvPrefix)
	vp, err := virtual()
	if err != nil {
		return err
	}
	created := topology.Route{Topic: p + repositories.RepositoriesCreated, Controller: keyed(repositories.RepositoriesCreatedController{}), Responder: respond(p + "sources_created"),
		VirtualPartitions: vp}
	if v := os.Getenv(EnvBatchSize); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("%s=%q: want a batch size of at least 1", EnvBatchSize, v)
		}
		created.BatchController, created.BatchSize, created.Controller = batched(created.Controller), n, nil
	}
	app.Route(
		created,
		topology.Route{Topic: p + repositories.RepositoriesDeleted, Controller: keyed(repositories.RepositoriesDeletedController{}), Responder: respond(p + "sources_deleted")},
		topology.Route{Topic: p + repositories.RepositoriesUpdated, Controller: keyed(repositories.RepositoriesUpdatedController{}), Responder: respond(p + "sources_updated")},
	)
	if p == "" {
		return errors.New(EnvPrefix + " is empty: the interop server needs topics of its own")
	}
	return nil
}

func main() {
	os.Exit(cli.Execute(cli.New("interop-server", register,
		cli.WithShort("interop-server: the repositories example on prefixed topics, for the interop tests"))))
}
