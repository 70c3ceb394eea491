package main

import (
	"os"

	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/examples/orders/app"
)

func main() {
	cmd := cli.New("orders", app.Register,
		cli.WithShort("orders: Avro records in and out through a schema registry (with --embedded-broker, an in-process registry)"))
	os.Exit(cli.Execute(cmd))
}
