package cli

import (
	"context"
	"log/slog"
	"os"
	"syscall"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
)

// A signal that came while the server was starting (it waits in sigs) ends
// the app even when it reaches Shutdown before Run began. Before, Shutdown
// then returned ErrNotRunning and Run went on for ever: a daemon stopped
// right after a restart never exited (TestProcess_statusAndStopWithPidFiles
// failed in CI that way).
func TestRunApp_signalBeforeRunStartedStopsIt(t *testing.T) {
	for range 5 { // without the fix the race is lost at once, most of the time
		cfg := karafka.DefaultConfig()
		cfg.Kafka.Brokers = []string{"127.0.0.1:1"} // Run retries it until stopped
		app, err := karafka.New(cfg, karafka.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		app.Route(karafka.Route{Topic: "t", Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(*karafka.Context) error { return nil })
		}})
		sigs := make(chan os.Signal, 2)
		sigs <- syscall.SIGTERM
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- runApp(ctx, cancel, app, time.Second, sigs, slog.New(slog.DiscardHandler)) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cancel()
			t.Fatal("runApp still running 20s after the signal")
		}
		cancel()
	}
}
