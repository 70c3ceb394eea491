package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	karafka "github.com/karafka-actors/karafka-actors"
)

// Exit codes of every command (see also the status command's own codes).
const (
	ExitOK      = 0 // success
	ExitFailure = 1 // runtime failure, or a forced exit on a second signal
	ExitUsage   = 2 // bad flags, arguments, configuration or routes: nothing was started
)

// Version is reported by `version` and `info` unless WithVersion says otherwise.
var Version = "0.1.0-dev"

// RegisterFunc adds an application's routes (and registers its responders).
type RegisterFunc func(app *karafka.App) error

// ServeHook runs next to the application in `server` once the app is built
// and before it runs (an HTTP health endpoint, say). The returned stop
// function is called after the application stopped.
type ServeHook func(cmd *cobra.Command, app *karafka.App) (stop func(context.Context) error, err error)

// Option configures New.
type Option func(*options)

type options struct {
	version     string
	short       string
	serveHooks  []ServeHook
	serverFlags []func(*pflag.FlagSet)
	defaults    []func(*Settings)
	appOptions  []karafka.Option
	commands    []*cobra.Command
}

// WithVersion sets the version `version` and `info` print.
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// WithShort sets the one-line description shown by help.
func WithShort(s string) Option { return func(o *options) { o.short = s } }

// WithServeHook runs h next to the application in `server`.
func WithServeHook(h ServeHook) Option {
	return func(o *options) { o.serveHooks = append(o.serveHooks, h) }
}

// WithServerFlags adds flags to `server`, typically read by a ServeHook.
func WithServerFlags(f func(*pflag.FlagSet)) Option {
	return func(o *options) { o.serverFlags = append(o.serverFlags, f) }
}

// WithDefaults changes the defaults before the file, env and flags apply.
func WithDefaults(f func(*Settings)) Option {
	return func(o *options) { o.defaults = append(o.defaults, f) }
}

// WithAppOptions passes options to karafka.New.
func WithAppOptions(opts ...karafka.Option) Option {
	return func(o *options) { o.appOptions = append(o.appOptions, opts...) }
}

// WithCommands adds commands of the user's own.
func WithCommands(cmds ...*cobra.Command) Option {
	return func(o *options) { o.commands = append(o.commands, cmds...) }
}

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// Exit returns an error that makes Execute exit with code (printing err if not nil).
func Exit(code int, err error) error { return &exitError{code: code, err: err} }

func usageError(format string, a ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, a...)}
}

// runner is the state shared by the commands of one CLI.
type runner struct {
	name     string
	register RegisterFunc
	opts     options

	configFile string
	sets       []string
	brokers    []string
	registry   []string // --registry of the commands that use one
	logLevel   string
	logFormat  string
	instanceID string
	httpAddr   string // server's --http-addr
}

// New returns the root command of an application's CLI: server, flow, routes,
// info, version, status, stop, restart, broker, produce, consume, install,
// topics, lag, schemas and replay
// for the routes register adds. Run it with Execute.
func New(name string, register RegisterFunc, opts ...Option) *cobra.Command {
	r := &runner{name: name, register: register}
	r.opts.version = Version
	for _, o := range opts {
		o(&r.opts)
	}
	short := r.opts.short
	if short == "" {
		short = name + ": a Kafka application on karafka-actors"
	}
	root := &cobra.Command{
		Use:           name,
		Short:         short,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		Long: short + `

Configuration: defaults < config file (--config, or $KARAFKA_CONFIG) < environment
(KARAFKA_<KEY>, dots as underscores: KARAFKA_KAFKA_BROKERS=a:9092,b:9092) < flags
(--set key=value, --brokers, --log-level, --log-format, --instance-id). Unknown keys and invalid
values exit with status 2 before anything connects.

Exit codes: 0 success, 1 failure, 2 usage or configuration error
(status: 0 running, 1 stale pid file, 3 not running, 4 unreadable pid file).`,
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&r.configFile, "config", "c", "", "config file (YAML, JSON or TOML; default $KARAFKA_CONFIG)")
	pf.StringArrayVar(&r.sets, "set", nil, "set a config key, key=value (repeatable; highest precedence)")
	pf.StringSliceVar(&r.brokers, "brokers", nil, "shortcut for --set kafka.brokers=...")
	pf.StringVar(&r.logLevel, "log-level", "", "shortcut for --set log.level=... (debug, info, warn, error)")
	pf.StringVar(&r.logFormat, "log-format", "", "shortcut for --set log.format=... (text, json)")
	pf.StringVar(&r.instanceID, "instance-id", "", "shortcut for --set consumer.instance_id=... (static group membership: one stable id per process)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return Exit(ExitUsage, err) })

	root.AddCommand(
		r.serverCmd(), r.flowCmd(), r.routesCmd(), r.infoCmd(), r.versionCmd(),
		r.statusCmd(), r.stopCmd(), r.restartCmd(),
		r.brokerCmd(), r.produceCmd(), r.consumeCmd(), r.installCmd(), r.topicsCmd(), r.lagCmd(), r.consoleCmd(),
		r.schemasCmd(), r.replayCmd(),
	)
	root.AddCommand(r.opts.commands...)
	return root
}

// Execute runs cmd with os.Args and returns the exit code; main does
// os.Exit(cli.Execute(cmd)).
func Execute(cmd *cobra.Command) int {
	return ExecuteArgs(cmd, os.Args[1:], os.Stderr)
}

// ExecuteArgs runs cmd with args, printing errors to stderr, and returns the exit code.
func ExecuteArgs(cmd *cobra.Command, args []string, stderr io.Writer) int {
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return ExitOK
	}
	code := ExitFailure
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
		if ee.err == nil {
			return code
		}
	case errors.Is(err, ErrConfig), isUsage(err):
		code = ExitUsage
	}
	fmt.Fprintf(stderr, "%s: %v\n", cmd.Name(), err)
	if code == ExitUsage && isUsage(err) {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// isUsage recognises cobra's argument and command errors.
func isUsage(err error) bool {
	msg := err.Error()
	for _, s := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// settings loads the configuration for cmd: defaults < file < env < flags.
func (r *runner) settings(cmd *cobra.Command) (Settings, error) {
	file := r.configFile
	if file == "" {
		file = os.Getenv("KARAFKA_CONFIG")
	}
	var sets []string
	if len(r.brokers) > 0 {
		sets = append(sets, "kafka.brokers="+strings.Join(r.brokers, ","))
	}
	if len(r.registry) > 0 {
		sets = append(sets, "schema_registry.urls="+strings.Join(r.registry, ","))
	}
	if r.logLevel != "" {
		sets = append(sets, "log.level="+r.logLevel)
	}
	if r.logFormat != "" {
		sets = append(sets, "log.format="+r.logFormat)
	}
	if r.instanceID != "" {
		sets = append(sets, "consumer.instance_id="+r.instanceID)
	}
	if r.httpAddr != "" {
		sets = append(sets, "http.addr="+r.httpAddr)
	}
	sets = append(sets, r.sets...)
	s, err := load(r.name, Sources{File: file, Env: envFromOS(), Set: sets}, r.opts.defaults)
	if err != nil {
		return s, Exit(ExitUsage, err)
	}
	return s, nil
}

// newApp builds the application from s, registering its routes, and
// validates the routes. Route errors are usage errors (exit 2).
func (r *runner) newApp(s Settings, logger *slog.Logger, extra ...karafka.Option) (*karafka.App, error) {
	opts := append([]karafka.Option{karafka.WithLogger(logger)}, r.opts.appOptions...)
	if s.Console.Reports {
		opts = append(opts, karafka.WithTopics(reportsTopic(s)))
	}
	opts = append(opts, extra...)
	app, err := karafka.New(s.AppConfig(), opts...)
	if err != nil {
		return nil, Exit(ExitUsage, newConfigError([]error{err}, nil, nil))
	}
	if r.register != nil {
		if err := r.register(app); err != nil {
			return nil, Exit(ExitUsage, fmt.Errorf("registering routes: %w", err))
		}
	}
	if err := app.Validate(); err != nil {
		return nil, Exit(ExitUsage, fmt.Errorf("invalid routes:\n%w", err))
	}
	return app, nil
}

// newLogger logs to w as s.Log says.
func newLogger(s Settings, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(s.Log.Level))
	ho := &slog.HandlerOptions{Level: level}
	if s.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}
