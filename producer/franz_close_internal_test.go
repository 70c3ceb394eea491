package producer

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// freezer is a TCP proxy to a broker that stops passing bytes on when
// frozen: requests go out and no answer ever comes back, as from a broker
// that hangs.
type freezer struct {
	ln     net.Listener
	to     string
	frozen atomic.Bool
	closed atomic.Bool
	pipes  sync.WaitGroup
}

func newFreezer(t *testing.T, ln net.Listener, to string) *freezer {
	f := &freezer{ln: ln, to: to}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", to)
			if err != nil {
				_ = c.Close()
				continue
			}
			t.Cleanup(func() { _ = c.Close(); _ = up.Close() })
			f.pipes.Go(func() { f.pipe(up, c) })
			f.pipes.Go(func() { f.pipe(c, up) })
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		f.closed.Store(true)
		f.pipes.Wait()
	})
	return f
}

func (f *freezer) pipe(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		for f.frozen.Load() && !f.closed.Load() {
			time.Sleep(10 * time.Millisecond) // hold the bytes: no answer
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

// A franz producer whose broker stops answering while records are in
// flight closes within its close timeout: kgo alone would wait for them
// forever (idempotent records sent without an answer are never failed).
// Every callback runs once.
func TestFranzClose_boundedWhenTheBrokerHangs(t *testing.T) {
	if testkafka.External() {
		t.Skip("needs the embedded broker behind a proxy")
	}
	old := franzCloseTimeout
	franzCloseTimeout = time.Second
	t.Cleanup(func() { franzCloseTimeout = old })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := testkafka.Embedded(t, embedded.Advertise(ln.Addr().String()), embedded.Topics(1, "t"))
	f := newFreezer(t, ln, b.Addrs()[0])
	cfg := DefaultConfig()
	cfg.Kafka = testkafka.Config([]string{ln.Addr().String()})
	cfg.Kafka.Client = kafka.ClientFranz
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Send(context.Background(), &Message{Topic: "t", Value: []byte("before")}); err != nil {
		t.Fatalf("a send before the freeze: %v", err)
	}
	f.frozen.Store(true)
	const n = 20
	var mu sync.Mutex
	calls := make([]int, n)
	for i := range n {
		p.SendAsync(&Message{Topic: "t", Value: []byte("frozen")}, func(Result) {
			mu.Lock()
			calls[i]++
			mu.Unlock()
		})
	}
	time.Sleep(200 * time.Millisecond) // let them go out in a request
	start := time.Now()
	done := make(chan struct{})
	go func() { _ = p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return within 20s of a frozen broker (close timeout 1s)")
	}
	t.Logf("Close returned %v after the freeze", time.Since(start).Round(time.Millisecond))
	mu.Lock()
	defer mu.Unlock()
	for i, c := range calls {
		if c != 1 {
			t.Errorf("record %d: %d callbacks, want 1", i, c)
		}
	}
}
