package saramaclient

import (
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

func TestGroupConns_deadline(t *testing.T) {
	const joinWait = time.Minute
	now := time.Now()
	soon := now.Add(time.Second)
	for _, tc := range []struct {
		name    string
		joining bool
		limit   time.Time
		in      time.Time
		check   func(got time.Time) bool
	}{
		{"in a session a deadline is kept", false, time.Time{}, soon, func(got time.Time) bool { return got.Equal(soon) }},
		{"while joining a read waits the join wait at least", true, time.Time{}, soon, func(got time.Time) bool { return !got.Before(now.Add(joinWait)) }},
		{"while joining a later deadline is kept", true, time.Time{}, now.Add(2 * joinWait), func(got time.Time) bool { return got.Equal(now.Add(2 * joinWait)) }},
		{"no deadline stays none", true, time.Time{}, time.Time{}, func(got time.Time) bool { return got.IsZero() }},
		{"a cap shortens a join's read", true, now.Add(time.Millisecond), soon, func(got time.Time) bool { return got.Equal(now.Add(time.Millisecond)) }},
		{"a cap bounds a read without deadline", false, now, time.Time{}, func(got time.Time) bool { return got.Equal(now) }},
		{"a cap keeps an earlier deadline", false, now.Add(time.Hour), soon, func(got time.Time) bool { return got.Equal(soon) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGroupConns(time.Second, 0, joinWait)
			g.joining.Store(tc.joining)
			if !tc.limit.IsZero() {
				g.capReads(tc.limit)
			}
			if got := g.deadline(tc.in); !tc.check(got) {
				t.Errorf("deadline(%v) = %v", tc.in.Sub(now), got.Sub(now))
			}
		})
	}
}

// TestGroupConns_capReadsEndsPendingRead: a read the broker never answers
// (a held join) ends with a timeout as soon as capReads is called.
func TestGroupConns_capReadsEndsPendingRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c // never writes: a held answer
		}
	}()
	g := newGroupConns(time.Second, 0, time.Hour)
	c, err := g.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer func() { (<-accepted).Close() }()
	if err := c.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	read := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		read <- err
	}()
	select {
	case err := <-read:
		t.Fatalf("read ended before capReads although joining (%v): the join wait was not applied", err)
	case <-time.After(100 * time.Millisecond):
	}
	g.capReads(time.Now())
	select {
	case err := <-read:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read ended with %v, want a deadline error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("read still pending 10s after capReads")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	n := len(g.live)
	g.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d connections still tracked after Close", n)
	}
}

// gatedConn records read deadlines; one more than a minute away waits for
// gate before it is recorded, as if its caller were preempted right there.
type gatedConn struct {
	net.Conn
	gate  chan struct{}
	mu    sync.Mutex
	reads []time.Time
}

func (c *gatedConn) SetReadDeadline(t time.Time) error {
	if time.Until(t) > time.Minute {
		<-c.gate
	}
	c.mu.Lock()
	c.reads = append(c.reads, t)
	c.mu.Unlock()
	return nil
}

func (c *gatedConn) SetWriteDeadline(time.Time) error { return nil }

// TestGroupConns_capReadsWinsOverConcurrentDeadline: a read deadline sarama
// sets while capReads runs (computed before the cap, applied after it) must
// not undo the cap, or a join held by the coordinator keeps shutdown waiting.
func TestGroupConns_capReadsWinsOverConcurrentDeadline(t *testing.T) {
	g := newGroupConns(time.Second, 0, time.Hour) // joining: reads wait an hour
	inner := &gatedConn{gate: make(chan struct{})}
	c := &groupConn{Conn: inner, g: g}
	g.mu.Lock()
	g.live[c] = struct{}{}
	g.mu.Unlock()
	set := make(chan error, 1)
	go func() { set <- c.SetReadDeadline(time.Now().Add(time.Second)) }()
	time.Sleep(10 * time.Millisecond) // the setter computed its hour-long deadline and waits at the gate
	at := time.Now()
	g.capReads(at)
	close(inner.gate)
	if err := <-set; err != nil {
		t.Fatal(err)
	}
	inner.mu.Lock()
	defer inner.mu.Unlock()
	if last := inner.reads[len(inner.reads)-1]; last.After(at) {
		t.Fatalf("read deadline %v after the cap: a concurrent SetReadDeadline undid capReads (deadlines set: %v)", last.Sub(at), inner.reads)
	}
}

// TestGroupConns_capReadsBoundsLaterDials: once reads are capped, a new
// connection may not take longer than the cap either (leaving the group, or
// sarama retrying a broker, must not wait a dial timeout per try).
func TestGroupConns_capReadsBoundsLaterDials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	g := newGroupConns(time.Minute, 0, time.Hour)
	g.capReads(time.Now())
	c, err := g.Dial("tcp", ln.Addr().String())
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded after the cap passed")
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("Dial: %v, want a timeout", err)
		}
	}
}
