// Command users embeds the users example in a small service: the
// karafka-actors runtime plus the operational surface every server gets
// with --http-addr (package ops): GET /healthz, /readyz, /metrics and /api/.
//
//	go run ./examples/users server --embedded-broker --http-addr 127.0.0.1:8080
//	curl -s 127.0.0.1:8080/readyz
package main

import (
	"os"

	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/examples/users/app"
)

func main() {
	cmd := cli.New("users", app.Register,
		cli.WithShort("users: Karafka 0.5's responder example, embedded in a service (--http-addr serves health, readiness and metrics)"))
	os.Exit(cli.Execute(cmd))
}
