package karafka_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// testConfig is a configuration tuned for fast tests against brokers.
func testConfig(t testing.TB, brokers []string) karafka.Config {
	cfg := karafka.DefaultConfig()
	cfg.Name = testkafka.Name(t, "app")
	cfg.Kafka.Brokers = brokers
	cfg.Kafka.ClientID = "karafka-test"
	cfg.Kafka.Client = testkafka.Client()
	cfg.Consumer.CommitInterval = 100 * time.Millisecond
	cfg.Consumer.DrainTimeout = 20 * time.Second
	cfg.Consumer.ReconnectBackoff = karafka.Backoff{Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond, Multiplier: 2}
	cfg.Retry = karafka.RetryPolicy{Attempts: 3, Backoff: karafka.Backoff{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Multiplier: 2}}
	cfg.Supervision.MaxRestarts = 1000
	cfg.ShutdownTimeout = 30 * time.Second
	return cfg
}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("KARAFKA_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	l, _ := capturedLogger(t)
	return l
}

// capturedLogger logs info and up into a buffer that text returns; it is
// printed if the test fails, so a rare failure comes with the app's own
// account of it, without noise otherwise.
func capturedLogger(t testing.TB) (l *slog.Logger, text func() string) {
	var mu sync.Mutex
	var buf bytes.Buffer
	text = func() string {
		mu.Lock()
		defer mu.Unlock()
		return buf.String()
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("app log:\n%s", text())
		}
	})
	return slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelInfo})), text
}

// lockedWriter serialises writes from the app's goroutines into w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// running is an App started in the background.
type running struct {
	app  *karafka.App
	errc chan error
	rec  *recorder
}

// start runs an app with routes and waits until it is ready. The app is shut
// down when the test ends, if the test did not do it.
func start(t *testing.T, cfg karafka.Config, routes ...karafka.Route) *running {
	t.Helper()
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)), karafka.WithRoutes(routes...))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return runApp(t, app)
}

func (r *running) shutdown(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := r.app.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-r.errc; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// recorder keeps every event.
type recorder struct {
	mu  sync.Mutex
	all []events.Event
}

func record(b *events.Bus) *recorder {
	r := &recorder{}
	b.Subscribe(func(e events.Event) {
		r.mu.Lock()
		r.all = append(r.all, e)
		r.mu.Unlock()
	})
	return r
}

func (r *recorder) of(k events.Kind) []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []events.Event
	for _, e := range r.all {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func decode(t *testing.T, m *sarama.ConsumerMessage) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(m.Value, &v); err != nil {
		t.Fatalf("response %s/%d@%d is not JSON: %v: %q", m.Topic, m.Partition, m.Offset, err, m.Value)
	}
	return v
}

// runApp runs an already built app and waits until it is ready.
func runApp(t *testing.T, app *karafka.App) *running {
	t.Helper()
	r := &running{app: app, errc: make(chan error, 1), rec: record(app.Events())}
	go func() { r.errc <- app.Run(context.Background()) }()
	select {
	case <-app.Ready():
	case err := <-r.errc:
		t.Fatalf("Run returned before ready: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("app not ready after 60s")
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_ = app.Shutdown(ctx)
	})
	return r
}
