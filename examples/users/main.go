// Command users embeds the users example in a small service: the
// karafka-actors runtime plus its own HTTP health endpoint (GET /healthz on
// --health-addr, 200 once the runtime is ready).
//
//	go run ./examples/users server --embedded-broker --health-addr 127.0.0.1:8080
//	curl -s 127.0.0.1:8080/healthz
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/examples/users/app"
)

func main() {
	var healthAddr string
	cmd := cli.New("users", app.Register,
		cli.WithShort("users: Karafka 0.5's responder example, embedded in a service with a health endpoint"),
		cli.WithServerFlags(func(f *pflag.FlagSet) {
			f.StringVar(&healthAddr, "health-addr", "127.0.0.1:8080", "where GET /healthz listens (empty: off)")
		}),
		cli.WithServeHook(func(_ *cobra.Command, a *karafka.App) (func(context.Context) error, error) {
			if healthAddr == "" {
				return nil, nil
			}
			h, err := app.StartHealth(healthAddr, a)
			if err != nil {
				return nil, err
			}
			slog.Info("health endpoint listening", "url", "http://"+h.Addr()+"/healthz")
			return h.Stop, nil
		}),
	)
	os.Exit(cli.Execute(cmd))
}
