package ops

import (
	"net/http"
	"time"
)

// The settings of [NewServer]'s server unless a [ServerOption] changes them.
const (
	// DefaultReadHeaderTimeout bounds reading a request's headers.
	DefaultReadHeaderTimeout = 5 * time.Second
	// DefaultReadTimeout bounds reading a whole request (the endpoints take
	// no body).
	DefaultReadTimeout = 10 * time.Second
	// DefaultWriteTimeout bounds writing a response, from the end of the
	// request's headers. No endpoint streams or long-polls: the slowest is
	// a /metrics scrape.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultIdleTimeout closes a keep-alive connection that sent no new
	// request for this long.
	DefaultIdleTimeout = 60 * time.Second
	// DefaultMaxHeaderBytes bounds a request's header lines; a request with
	// more is answered 431.
	DefaultMaxHeaderBytes = 16 << 10
)

// ServerOption changes a setting of [NewServer]'s server.
type ServerOption func(*http.Server)

// WithIdleTimeout closes keep-alive connections idle for d (0: as the
// read timeout, see http.Server.IdleTimeout).
func WithIdleTimeout(d time.Duration) ServerOption {
	return func(s *http.Server) { s.IdleTimeout = d }
}

// WithWriteTimeout bounds writing a response to d. A handler of the
// embedding program that streams (server-sent events, long polls) should
// move its own deadline per request with
// http.NewResponseController(w).SetWriteDeadline rather than lift this
// bound for every endpoint.
func WithWriteTimeout(d time.Duration) ServerOption {
	return func(s *http.Server) { s.WriteTimeout = d }
}

// NewServer returns an http.Server for h (usually a [Handler]) with bounds
// on every phase of a connection: ReadHeaderTimeout, ReadTimeout,
// WriteTimeout, IdleTimeout and MaxHeaderBytes (the Default* constants), so
// that slow or idle clients cannot hold connections open. `server
// --http-addr` serves the handler with it; an embedding program serving the
// handler on a listener of its own should too:
//
//	srv := ops.NewServer(h)
//	go srv.Serve(ln)
//	defer srv.Shutdown(ctx)
func NewServer(h http.Handler, opts ...ServerOption) *http.Server {
	s := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}
