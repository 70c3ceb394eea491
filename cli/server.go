package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/ops"
)

func (r *runner) serverCmd() *cobra.Command {
	var embeddedAddr, registryAddr, pidPath, logFile string
	var daemon bool
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the application (consume, run controllers, respond)",
		Long: `Run the application until SIGTERM or SIGINT, then shut down gracefully: stop
fetching, drain in-flight messages (bounded by shutdown_timeout), flush the producer,
commit offsets, leave the consumer groups; exit 0. Messages still undone when
shutdown_timeout passes stay uncommitted (consumed again on the next start): the
server says how many of which partitions and exits 1. A second signal forces exit 1.

--embedded-broker[=ADDR] starts the in-process Kafka-protocol broker on ADDR
(default 127.0.0.1:9092) and creates the route, response and dead letter topics;
otherwise the server connects to kafka.brokers (and creates missing topics only
when kafka.create_topics is true; see also the topics command). The embedded
broker is for development only: it has no authentication and no TLS (any local
user can read, write and delete its topics), so ADDR must be a loopback address.
Unless schema_registry.urls is set, --embedded-broker also serves an in-memory
schema registry (package embedded's StartRegistry: Confluent's REST API, Avro
compatibility checked) on a free loopback port and points the app at it; the log
says where. --embedded-registry[=ADDR] serves it on ADDR (default a free port),
with or without the embedded broker, and the app uses it whatever
schema_registry.urls says. It has no authentication either, listens on loopback
only, and its schemas are gone when the server stops.

--daemon detaches (a new session), logs to --log-file and needs --pid-file; the
command returns once the server holds its pid file. Manage it with status, stop
and restart. A foreground server is seen by status and stop only when it is
started with --pid-file (without one it writes no pid file).

--http-addr HOST:PORT (config key http.addr) serves the operational surface
(package ops): GET /metrics (Prometheus), /healthz (alive), /readyz (200 once
every route joined its consumer group; 503 while connecting, joining, and from
the moment shutdown starts), /api/topology and /api/state (JSON). It answers
until the application stopped. Name the host: 127.0.0.1 for loopback; another
interface's address (0.0.0.0: every one) exposes it beyond this machine.

Exit status: 0 clean shutdown, 1 failure (messages left undone at shutdown, or forced
by a second signal),
2 usage, configuration or route error (nothing was started).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := r.settings(cmd)
			if err != nil {
				return err
			}
			registryAddr = embeddedRegistryAddr(cmd, s, embeddedAddr, registryAddr)
			checked := s
			if registryAddr != "" {
				// Validation connects to nothing: the registry's real URL
				// is known once it listens, the app is made again then.
				checked.SchemaRegistry.URLs = []string{"http://" + registryAddr}
			}
			// Validate routes before anything connects or detaches.
			if _, err := r.newApp(checked, slog.New(slog.DiscardHandler)); err != nil {
				return err
			}
			if daemon {
				if pidPath == "" {
					return usageError("--daemon needs --pid-file")
				}
				args := childArgs(os.Args[1:])
				return r.daemonize(cmd, args, pidPath, logFile)
			}
			if cmd.Flags().Changed("embedded-broker") && embeddedAddr == "" {
				embeddedAddr = embedded.DefaultAddr
			}
			return r.serve(cmd, s, embeddedAddr, registryAddr, pidPath)
		},
	}
	f := cmd.Flags()
	f.StringVar(&embeddedAddr, "embedded-broker", "", "start the embedded broker on ADDR (default "+embedded.DefaultAddr+") and create the topics")
	f.Lookup("embedded-broker").NoOptDefVal = embedded.DefaultAddr
	f.StringVar(&registryAddr, "embedded-registry", "", "serve the embedded schema registry on ADDR (default a free loopback port; --embedded-broker serves it unless schema_registry.urls is set) and point the app at it")
	f.Lookup("embedded-registry").NoOptDefVal = embeddedRegistryFreePort
	f.BoolVarP(&daemon, "daemon", "d", false, "run in the background (needs --pid-file)")
	f.StringVarP(&pidPath, "pid-file", "p", "", "write and lock this pid file while running")
	f.StringVar(&r.httpAddr, "http-addr", "", "serve /metrics, /healthz, /readyz and /api/ on HOST:PORT (shortcut for --set http.addr=...; name the host, e.g. 127.0.0.1:9100)")
	f.StringVar(&logFile, "log-file", "", "with --daemon: where stdout and stderr go (default: the pid file's path with .pid replaced by, or else followed by, .log: tmp/pids/app.pid logs to tmp/pids/app.log)")
	for _, add := range r.opts.serverFlags {
		add(f)
	}
	return cmd
}

// embeddedRegistryFreePort is where the server's embedded registry
// listens unless --embedded-registry names an address: the app is pointed
// at it, so it needs no well-known port.
const embeddedRegistryFreePort = "127.0.0.1:0"

// embeddedRegistryAddr is where the server serves the embedded schema
// registry, "" for nowhere: --embedded-registry's address when given;
// otherwise a free port with --embedded-broker when schema_registry.urls
// is unset (a configured registry is used as it is).
func embeddedRegistryAddr(cmd *cobra.Command, s Settings, brokerAddr, flagAddr string) string {
	switch {
	case cmd.Flags().Changed("embedded-registry"):
		if flagAddr == "" {
			return embeddedRegistryFreePort
		}
		return flagAddr
	case brokerAddr != "" && len(s.SchemaRegistry.URLs) == 0:
		return embeddedRegistryFreePort
	}
	return ""
}

// childArgs drops --daemon (and -d) from the server's arguments.
func childArgs(args []string) []string {
	var out []string
	for _, a := range args {
		if a == "--daemon" || a == "-d" || strings.HasPrefix(a, "--daemon=") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// daemonize starts this program again with args, detached in its own
// session with its output in logFile, and waits until it holds pidPath.
func (r *runner) daemonize(cmd *cobra.Command, args []string, pidPath, logFile string) error {
	pidPath = absPath(pidPath)
	if logFile == "" {
		logFile = strings.TrimSuffix(pidPath, ".pid") + ".log"
	}
	logFile = absPath(logFile)
	if st, pid, err := inspect(pidPath); st == stateRunning {
		return Exit(ExitFailure, fmt.Errorf("pid file %s: %w (pid %d)", pidPath, ErrAlreadyRunning, pid))
	} else if refused(err) {
		return Exit(ExitFailure, err)
	}
	if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
		return Exit(ExitFailure, err)
	}
	lf, err := openOwned("log file", logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND)
	if err != nil {
		return Exit(ExitFailure, err)
	}
	defer lf.Close()
	self, err := os.Executable()
	if err != nil {
		return Exit(ExitFailure, err)
	}
	// Make relative paths in args absolute-safe: the child keeps our cwd.
	for i := range args {
		if args[i] == "--pid-file" || args[i] == "-p" {
			if i+1 < len(args) {
				args[i+1] = absPath(args[i+1])
			}
		}
	}
	child := exec.Command(self, args...)
	child.Stdin = nil
	child.Stdout, child.Stderr = lf, lf
	child.Env = os.Environ()
	child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := child.Start(); err != nil {
		return Exit(ExitFailure, fmt.Errorf("starting the daemon: %w", err))
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	deadline := time.After(30 * time.Second)
	for {
		if st, pid, _ := inspect(pidPath); st == stateRunning && pid == child.Process.Pid {
			fmt.Fprintf(cmd.OutOrStdout(), "started (pid %d, pid file %s, log %s)\n", pid, pidPath, logFile)
			return nil
		}
		select {
		case err := <-exited:
			return Exit(ExitFailure, fmt.Errorf("the daemon exited at start (%v); see %s", err, logFile))
		case <-deadline:
			return Exit(ExitFailure, fmt.Errorf("the daemon did not take its pid file in 30s; see %s", logFile))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// serve runs the application in the foreground until a signal.
func (r *runner) serve(cmd *cobra.Command, s Settings, embeddedAddr, registryAddr, pidPath string) error {
	logger := newLogger(s, cmd.ErrOrStderr())
	warnKafka(logger, s.Kafka)
	var pf *pidFile
	if pidPath != "" {
		var err error
		if pf, err = acquirePIDFile(pidPath); err != nil {
			return Exit(ExitFailure, err)
		}
		defer pf.release()
	}

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var broker *embedded.Broker
	if embeddedAddr != "" {
		var err error
		broker, err = embedded.Start(embedded.Addr(embeddedAddr), embedded.Logger(logger))
		if err != nil {
			return Exit(ExitFailure, err)
		}
		defer broker.Close()
		s.Kafka.Brokers = broker.Addrs()
		logger.Info("embedded broker listening", "addr", strings.Join(broker.Addrs(), ","))
	}
	if registryAddr != "" {
		reg, err := embedded.StartRegistry(registryAddr)
		if err != nil {
			return Exit(ExitFailure, err)
		}
		defer reg.Close()
		s.SchemaRegistry.URLs = []string{reg.URL()}
		logger.Info("embedded schema registry listening", "url", reg.URL())
	}
	tp, err := tracerProvider(ctx, s)
	if err != nil {
		return Exit(ExitUsage, err)
	}
	var extra []karafka.Option
	if tp != nil {
		extra = append(extra, karafka.WithTracerProvider(tp))
		defer func() {
			// Export the spans still buffered: after the drain, so the last
			// messages' spans are among them.
			sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
			defer c()
			if err := tp.Shutdown(sctx); err != nil {
				logger.Warn("exporting the last traces failed", "error", err)
			}
		}()
		announceTracing(logger, s)
	}
	app, err := r.newApp(s, logger, extra...)
	if err != nil {
		return err
	}
	if broker != nil && !s.Topics.Create {
		// The embedded broker starts empty: always create the topics.
		if err := createTopics(ctx, app, logger); err != nil {
			return Exit(ExitFailure, err)
		}
	}
	var stops []func(context.Context) error
	if s.HTTP.Addr != "" {
		stop, err := serveOps(s.HTTP.Addr, app, logger, &s)
		if err != nil {
			return Exit(ExitFailure, err)
		}
		stops = append(stops, stop)
	}
	for _, h := range r.opts.serveHooks {
		stopHook, err := h(cmd, app)
		if err != nil {
			return Exit(ExitFailure, err)
		}
		if stopHook != nil {
			stops = append(stops, stopHook)
		}
	}
	runErr := runApp(ctx, cancel, app, s.ShutdownTimeout, sigs, logger)
	for i := len(stops) - 1; i >= 0; i-- {
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		if err := stops[i](sctx); err != nil {
			logger.Warn("stopping a service hook failed", "error", err)
		}
		c()
	}
	if runErr != nil {
		return Exit(ExitFailure, runErr)
	}
	return nil
}

// runApp runs app until it fails or a signal arrives; the first signal
// shuts it down gracefully, a second one exits 1 at once. The signal also
// ends ctx (cancel), which Run takes as Shutdown: a signal that came while
// the server was starting (it waits in sigs) may reach Shutdown before Run
// began, and Shutdown alone then does nothing (ErrNotRunning) while Run
// went on for ever.
func runApp(ctx context.Context, cancel context.CancelFunc, app *karafka.App, shutdownTimeout time.Duration, sigs <-chan os.Signal, logger *slog.Logger) error {
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	select {
	case err := <-done:
		return err
	case sig := <-sigs:
		logger.Info("signal received, shutting down gracefully (send it again to force)", "signal", sig.String())
	}
	go func() {
		sig := <-sigs
		logger.Error("second signal received, exiting now", "signal", sig.String())
		os.Exit(ExitFailure)
	}()
	cancel()
	sctx, cancelShutdown := context.WithTimeout(context.Background(), shutdownTimeout+10*time.Second)
	defer cancelShutdown()
	if err := app.Shutdown(sctx); err != nil && !errors.Is(err, karafka.ErrNotRunning) {
		return err
	}
	return <-done
}

// createTopics creates the app's missing route, response and dead letter topics.
func createTopics(ctx context.Context, app *karafka.App, logger *slog.Logger) error {
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := app.EnsureTopics(tctx); err != nil {
		return err
	}
	logger.Info("topics ready")
	return nil
}

// serveOps serves app's operational surface (package ops) on addr until the
// returned stop is called, after the application stopped: /readyz answers
// 503 during the drain, /healthz 503 at the end.
// The server is ops.NewServer's (timeouts, header bound); opts change it.
// With s, it serves the console at /console/ too (package console): the
// process's own reports and, with console.reports, the whole
// deployment's; its final report is published when stop is called.
func serveOps(addr string, app *karafka.App, logger *slog.Logger, s *Settings, opts ...ops.ServerOption) (stop func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http.addr: %w", err)
	}
	url := "http://" + ln.Addr().String()
	h := ops.New(app)
	var handler http.Handler = h
	var cr *consoleRun
	if s != nil && s.Console.Enabled {
		routes, _ := app.Routes()
		cr, err = startConsole(*s, app, h.State, routes, publishedURL(ln.Addr())+consolePath, logger)
		if err != nil {
			_ = ln.Close()
			h.Close()
			return nil, err
		}
		handler = withConsole(h, cr.handler)
	}
	srv := ops.NewServer(handler, opts...)
	go func() { _ = srv.Serve(ln) }()
	endpoints := "/metrics /healthz /readyz /api/topology /api/state"
	if cr != nil {
		endpoints += " " + consolePath
	}
	logger.Info("http listening", "url", url+"/", "endpoints", endpoints)
	return func(ctx context.Context) error {
		var errs []error
		if cr != nil {
			errs = append(errs, cr.stop(ctx))
		}
		h.Close()
		if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	}, nil
}
