package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// errConnecting says a client connected in the background is not yet.
var errConnecting = errors.New("console: connecting to Kafka")

// lazy is a client connected in the background, tried again with a
// doubling delay (from 500 ms, at most 30 s) until it connects or its ctx
// ends, so that what uses it can start while Kafka cannot be reached.
type lazy[T any] struct {
	mu      sync.Mutex
	v       T
	ok      bool
	closed  bool          // Close was called: a client connected later is closed at once
	err     error         // the last connection error, while not connected
	ready   chan struct{} // closed when v is set
	closeFn func(T) error
}

// connectLazily starts connecting with connect; each failure is logged
// at WARN naming what.
func connectLazily[T any](ctx context.Context, what string, connect func(context.Context) (T, error), closeFn func(T) error, logger *slog.Logger) *lazy[T] {
	l := &lazy[T]{ready: make(chan struct{}), closeFn: closeFn}
	go func() {
		delay := 500 * time.Millisecond
		for {
			v, err := connect(ctx)
			if err == nil {
				l.mu.Lock()
				if l.closed || ctx.Err() != nil {
					l.mu.Unlock()
					_ = closeFn(v) // stopped while connecting
					return
				}
				l.v, l.ok = v, true
				l.mu.Unlock()
				close(l.ready)
				return
			}
			l.mu.Lock()
			l.err = err
			l.mu.Unlock()
			logger.Warn("console: cannot connect yet; trying again", "to", what, "in", delay, "error", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, 30*time.Second)
		}
	}()
	return l
}

// now returns the client, or an error wrapping errConnecting (and the
// last connection error) while it is not connected.
func (l *lazy[T]) now() (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ok {
		var zero T
		if l.err != nil {
			return zero, fmt.Errorf("%w: %w", errConnecting, l.err)
		}
		return zero, errConnecting
	}
	return l.v, nil
}

// wait waits for the client until ctx ends.
func (l *lazy[T]) wait(ctx context.Context) (T, error) {
	select {
	case <-l.ready:
		return l.now()
	case <-ctx.Done():
		v, err := l.now()
		if err == nil {
			return v, nil
		}
		return v, fmt.Errorf("%w (%w)", err, ctx.Err())
	}
}

// Close closes the client if it connected; one that connects later (a
// connection attempt may outlast its context: sarama's dials do) is
// closed as soon as it does. It does not wait for the attempt.
func (l *lazy[T]) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.ok {
		return l.closeFn(l.v)
	}
	return nil
}
