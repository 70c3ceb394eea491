package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// A client that cannot connect at first: its users get errConnecting with
// the cause, then the client once it connects; Close closes it.
func TestLazy_connectsInTheBackground(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	down := errors.New("connection refused")
	var tries, closed atomic.Int32
	l := connectLazily(ctx, "test", func(context.Context) (string, error) {
		if tries.Add(1) < 3 {
			return "", down
		}
		return "client", nil
	}, func(string) error { closed.Add(1); return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))

	if _, err := l.now(); !errors.Is(err, errConnecting) {
		t.Fatalf("now before connecting: %v, want errConnecting", err)
	}
	short, c := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err := l.wait(short)
	c()
	if !errors.Is(err, errConnecting) || !errors.Is(err, down) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait while down: %v, want errConnecting with the cause and the deadline", err)
	}
	long, c2 := context.WithTimeout(ctx, 10*time.Second)
	defer c2()
	if v, err := l.wait(long); err != nil || v != "client" {
		t.Fatalf("wait: %q, %v", v, err)
	}
	cancel()
	if err := l.Close(); err != nil || closed.Load() != 1 {
		t.Fatalf("Close: %v, closed %d times", err, closed.Load())
	}
}

// Stopped before it could connect: Close returns at once, closing nothing;
// a connection that comes after Close is closed at once.
func TestLazy_stoppedWhileDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var closed atomic.Int32
	l := connectLazily(ctx, "test", func(context.Context) (int, error) { return 0, errors.New("down") },
		func(int) error { closed.Add(1); return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	cancel()
	done := make(chan error, 1)
	go func() { done <- l.Close() }()
	select {
	case err := <-done:
		if err != nil || closed.Load() != 0 {
			t.Fatalf("Close: %v, closed %d", err, closed.Load())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return after the context ended")
	}
}

func TestLazy_connectedAfterCloseIsClosed(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	var closed atomic.Int32
	l := connectLazily(ctx, "test", func(context.Context) (int, error) { <-release; return 1, nil },
		func(int) error { closed.Add(1); return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for closed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if closed.Load() != 1 {
		t.Fatalf("closed %d times, want once", closed.Load())
	}
	if _, err := l.now(); !errors.Is(err, errConnecting) {
		t.Errorf("now after Close: %v, want errConnecting", err)
	}
}
