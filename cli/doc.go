// Package cli is the command line of a karafka-actors application: the
// commands of Ruby Karafka's CLI (server, flow, routes, info, install, ...)
// plus process management (status, stop, restart with a locked pid file),
// Kafka tools for development (broker, produce, consume), the replay of
// dead letters (replay) and the schema registry's (schemas list, show,
// register, check).
//
// An application's main is one line around its route registration:
//
//	func main() {
//		os.Exit(cli.Execute(cli.New("orders", register)))
//	}
//
// where register(app *karafka.App) error adds the routes and registers the
// responders; every command calls it. Options add to it: WithServeHook runs
// something next to the server (a health endpoint), WithServerFlags and
// WithCommands add flags and commands, WithDefaults changes configuration
// defaults, WithAppOptions passes options to karafka.New.
//
// Configuration comes from defaults < a config file (--config, or
// $KARAFKA_CONFIG; YAML, JSON or TOML) < KARAFKA_* environment variables <
// flags (--set key=value, --brokers, ...). Load does the same for programs
// of their own; every problem it reports wraps ErrConfig and names the key
// and where its value came from. Keys lists every key; WriteConfigYAML
// writes them with their defaults and documentation.
//
// Exit codes: ExitOK, ExitFailure, ExitUsage (bad flags, configuration or
// routes: nothing was started), and the status command's LSB codes
// (StatusRunning, StatusStale, StatusNotRunning, StatusUnknown).
package cli
