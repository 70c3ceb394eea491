// Command repositories runs the repositories example (Karafka 0.5's flow)
// with the full CLI:
//
//	go run ./examples/repositories flow
//	go run ./examples/repositories server --embedded-broker
package main

import (
	"os"

	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/examples/repositories/app"
)

func main() {
	os.Exit(cli.Execute(cli.New("repositories", app.Register,
		cli.WithShort("repositories: Karafka 0.5's repositories/sources flow on karafka-actors"))))
}
