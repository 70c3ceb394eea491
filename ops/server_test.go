package ops

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
)

// serve serves h with NewServer(h, opts...) on a loopback port until t ends
// and returns its address.
func serve(t *testing.T, h http.Handler, opts ...ServerOption) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(h, opts...)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// get sends one keep-alive request for path over conn and reads its answer.
func get(t *testing.T, conn net.Conn, r *bufio.Reader, path, extraHeader string) *http.Response {
	t.Helper()
	if _, err := io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: ops\r\n"+extraHeader+"\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func newTestHandler(t *testing.T) *Handler {
	t.Helper()
	h := newHandler(&fakeApp{st: stateOf(karafka.PhaseRunning, false), bus: events.NewBus(nil)}, WithoutRuntimeCollectors())
	t.Cleanup(h.Close)
	return h
}

// A client that keeps its connection open after a request has it closed by
// the server after the idle timeout (issue 17: 100 idle keep-alive
// connections stayed open).
func TestNewServer_closesIdleConnections(t *testing.T) {
	addr := serve(t, newTestHandler(t), WithIdleTimeout(100*time.Millisecond))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	if resp := get(t, conn, r, "/healthz", ""); resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("GET /healthz: %d, close %v; want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
	}
	// Far beyond the idle timeout: the server closes first, or the test fails.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = r.ReadByte()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the idle connection is still open 10s after a 100ms idle timeout")
	}
	if !errors.Is(err, io.EOF) {
		t.Fatalf("reading the idle connection: %v, want EOF (closed by the server)", err)
	}
}

// Header lines beyond MaxHeaderBytes are refused with 431 before the
// handler runs.
func TestNewServer_refusesOversizedHeaders(t *testing.T) {
	addr := serve(t, newTestHandler(t))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	big := "X-Filler: " + strings.Repeat("a", 4*DefaultMaxHeaderBytes) + "\r\n"
	resp := get(t, conn, bufio.NewReader(conn), "/healthz", big)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("GET /healthz with %d header bytes: %d, want 431", len(big), resp.StatusCode)
	}
}

// A response not written within the write timeout is cut off: the client
// gets no answer rather than the server holding the connection.
func TestNewServer_boundsWritingAResponse(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		select {
		case <-release:
		case <-time.After(300 * time.Millisecond):
		}
		_, _ = io.WriteString(w, "late")
	})
	addr := serve(t, slow, WithWriteTimeout(50*time.Millisecond))
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + addr + "/")
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("a response written after the 50ms write timeout arrived: %d %q", resp.StatusCode, body)
	}
}

func TestNewServer_defaults(t *testing.T) {
	s := NewServer(http.NotFoundHandler())
	if s.ReadHeaderTimeout != DefaultReadHeaderTimeout || s.ReadTimeout != DefaultReadTimeout ||
		s.WriteTimeout != DefaultWriteTimeout || s.IdleTimeout != DefaultIdleTimeout || s.MaxHeaderBytes != DefaultMaxHeaderBytes {
		t.Fatalf("NewServer: read header %v, read %v, write %v, idle %v, max header bytes %d",
			s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout, s.MaxHeaderBytes)
	}
}
