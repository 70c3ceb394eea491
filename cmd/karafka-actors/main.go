// Command karafka-actors is the karafka-actors CLI with the examples
// registered (repositories and users; orders, Avro through a schema
// registry, when one is configured, as with --embedded-broker), plus
// `demo`, which runs them on the embedded broker and shows messages going
// in and responses coming out:
//
//	go run ./cmd/karafka-actors demo
//	go run ./cmd/karafka-actors flow
//	go run ./cmd/karafka-actors server --embedded-broker
package main

import (
	"errors"
	"os"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	orders "github.com/karafka-actors/karafka-actors/examples/orders/app"
	repositories "github.com/karafka-actors/karafka-actors/examples/repositories/app"
	users "github.com/karafka-actors/karafka-actors/examples/users/app"
)

// register adds the examples' routes (orders' only with a schema registry).
func register(app *karafka.App) error {
	return errors.Join(repositories.Register(app), users.Register(app), orders.Register(app))
}

func main() {
	os.Exit(cli.Execute(newCommand()))
}

func newCommand() *cobraCommand {
	root := cli.New("karafka-actors", register,
		cli.WithShort("karafka-actors: Kafka applications in the spirit of Karafka 0.5, on an actor runtime (examples: repositories, users)"))
	root.AddCommand(demoCmd())
	return root
}
