package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
)

// Health serves GET /healthz next to an embedded application: 503 until the
// application is ready (connected, actor tree running), 200 after, and 503
// again once it stops.
type Health struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// StartHealth listens on addr (a loopback "host:port"; port 0 picks one).
func StartHealth(addr string, app *karafka.App) (*Health, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	h := &Health{ln: ln, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		select {
		case <-h.done:
			http.Error(w, "stopping", http.StatusServiceUnavailable)
			return
		default:
		}
		select {
		case <-app.Ready():
			w.Write([]byte("ok\n"))
		default:
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}
	})
	h.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

// Addr is where the endpoint listens.
func (h *Health) Addr() string { return h.ln.Addr().String() }

// Stop stops serving.
func (h *Health) Stop(ctx context.Context) error {
	close(h.done)
	if err := h.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
