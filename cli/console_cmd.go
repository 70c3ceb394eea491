package cli

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/karafka-actors/karafka-actors/ops"
)

func (r *runner) consoleCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Serve the operator console of the whole deployment, from the reports topic, without running routes",
		Long: `Serve the operator console on --http-addr (default 127.0.0.1:9200) at /console/:
every process of the app that publishes reports (console.reports) to
console.reports_topic, their partitions, an hour of history, recent errors,
health findings, and the explorer of the routes' topics and dead letter topics
(values decoded by the routes' parsers). It runs no route and joins no consumer
group. Actions need console.actions and console.token (or console.auth_header):
replaying dead letters works here; pausing, resuming and skipping are taken in
the console of the process holding the partition, which this one names.

A server with http.addr serves the same console at /console/ of its address.

Exit status: 0 after SIGINT or SIGTERM, 1 when the address cannot be listened
on, 2 for usage or configuration errors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, routes, err := r.resolved(cmd)
			if err != nil {
				return err
			}
			if addr == "" {
				addr = s.HTTP.Addr
			}
			if addr == "" {
				addr = "127.0.0.1:9200"
			}
			if err := validHTTPAddr(addr); err != nil {
				return usageError("--http-addr: %v", err)
			}
			logger := newLogger(s, cmd.ErrOrStderr())
			warnKafka(logger, s.Kafka)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return Exit(ExitFailure, err)
			}
			url := "http://" + ln.Addr().String()
			cr, err := startConsole(s, nil, nil, routes, url+consolePath, logger)
			if err != nil {
				_ = ln.Close()
				return Exit(ExitFailure, err)
			}
			mux := http.NewServeMux()
			mux.Handle(consolePath, http.StripPrefix("/console", cr.handler))
			mux.Handle("/{$}", http.RedirectHandler(consolePath, http.StatusFound))
			srv := ops.NewServer(mux)
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			served := make(chan error, 1)
			go func() { served <- srv.Serve(ln) }()
			logger.Info("console listening", "url", url+consolePath, "reports_topic", s.Console.ReportsTopic)
			select {
			case <-ctx.Done():
			case err := <-served:
				_ = cr.stop(context.Background())
				return Exit(ExitFailure, err)
			}
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = errors.Join(srv.Shutdown(sctx), cr.stop(sctx))
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Warn("console: stopping", "error", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "http-addr", "", "serve the console on HOST:PORT (default: http.addr, else 127.0.0.1:9200)")
	return cmd
}
