package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/ops"
)

// The server's --http-addr listener closes idle keep-alive connections and
// answers with the ops handler's security headers (issue 17: 100 idle
// connections stayed open on a server with ReadHeaderTimeout only).
func TestServeOps_closesIdleConnections(t *testing.T) {
	app, err := karafka.New(karafka.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	stop, err := serveOps("127.0.0.1:0", app, slog.New(slog.NewTextHandler(&log, nil)), nil, ops.WithIdleTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	m := regexp.MustCompile(`url=http://([^/]+)/`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no listening address in the log: %s", log.String())
	}
	conn, err := net.Dial("tcp", m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: ops\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("GET /healthz: X-Frame-Options %q, want DENY", resp.Header.Get("X-Frame-Options"))
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = r.ReadByte()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the idle connection is still open 10s after a 100ms idle timeout")
	}
	if !errors.Is(err, io.EOF) {
		t.Fatalf("reading the idle connection: %v, want EOF (closed by the server)", err)
	}
}
