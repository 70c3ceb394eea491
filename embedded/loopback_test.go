package embedded

import (
	"net"
	"strings"
	"testing"
)

// boundTo is a listener bound to addr, as net.Listen would return for a
// "localhost" that the hosts file maps to addr.
type boundTo struct {
	net.Listener
	addr   *net.TCPAddr
	closed bool
}

func (l *boundTo) Addr() net.Addr { return l.addr }
func (l *boundTo) Close() error   { l.closed = true; return nil }

// The broker has no authentication: a "localhost" that resolves to another
// interface is refused after listening, not served.
func TestListenLoopback_refusesAListenerBoundElsewhere(t *testing.T) {
	elsewhere := &boundTo{addr: &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 9092}}
	ln, err := listenLoopback(func(string, string) (net.Listener, error) { return elsewhere, nil }, "tcp", "localhost:9092")
	if err == nil {
		t.Fatalf("listening on %s was accepted", ln.Addr())
	}
	if !strings.Contains(err.Error(), `"localhost:9092" is bound to 192.0.2.7:9092, not a loopback address`) {
		t.Errorf("error %q does not say where it was bound", err)
	}
	if !elsewhere.closed {
		t.Error("the listener bound elsewhere was left open")
	}

	for _, addr := range []string{"localhost:0", "127.0.0.1:0"} {
		ln, err := listenLoopback(net.Listen, "tcp", addr)
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		ln.Close()
	}
}
