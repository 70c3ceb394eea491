// Command analytics runs the analytics example: a batch route with a batch
// responder (page_views) and a route on virtual partitions (clicks).
//
//	go run ./examples/analytics flow
//	go run ./examples/analytics server --embedded-broker=127.0.0.1:9092
//	printf '{"page":"/","user":"ada"}\n{"page":"/docs","user":"bob"}\n' |
//	  go run ./cmd/karafka-actors produce page_views --brokers 127.0.0.1:9092
//	go run ./cmd/karafka-actors consume page_view_counts --from-beginning --count 1 --brokers 127.0.0.1:9092
package main

import (
	"os"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/examples/analytics/app"
)

// plans is the example's user directory.
var plans = app.Plans{"ada": "pro", "bob": "team"}

func main() {
	cmd := cli.New("analytics", func(a *karafka.App) error { return app.Register(a, plans) },
		cli.WithShort("analytics: a batch route with a batch responder, and a route on virtual partitions"))
	os.Exit(cli.Execute(cmd))
}
