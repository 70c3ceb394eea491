package embedded

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// ErrStartRegistry is wrapped by every error of [StartRegistry].
var ErrStartRegistry = errors.New("embedded: cannot start schema registry")

// DefaultRegistryAddr is Confluent Schema Registry's usual address, for a
// registry that other processes must find (`broker --registry`). A server
// that points its own app at the registry takes a free port instead.
const DefaultRegistryAddr = "127.0.0.1:8081"

// Registry is a running in-process schema registry: franz-go's srfake, an
// in-memory Confluent-compatible REST API, served on a loopback address
// with compatibility checked for Avro (see [StartRegistry]).
type Registry struct {
	srv    *http.Server
	url    string
	served chan struct{} // closed when Serve returned
}

// StartRegistry serves an in-memory schema registry on addr, a loopback
// "host:port" (port 0, or addr "": a free port on 127.0.0.1), until
// [Registry.Close] or [Registry.Shutdown]. Like the broker it has no
// authentication and no TLS, so a host that is not loopback (127.0.0.0/8,
// ::1 or localhost) is refused, and so is a listener that ended up bound
// elsewhere. Errors wrap [ErrStartRegistry] and name the address.
//
// It answers the Confluent REST API as srfake does, with one difference:
// for an Avro schema, POST /compatibility/subjects/{subject}/versions[/{version}]
// and POST /subjects/{subject}/versions check compatibility as a real
// registry does, with hamba/avro, at the subject's level (GET and PUT
// /config; BACKWARD unless set: the new schema reads what the latest version
// wrote; NONE, FORWARD, FULL and the _TRANSITIVE levels are honoured too).
// An incompatible schema gets {"is_compatible":false,"messages":[...]} from
// the first and HTTP 409 with error_code 409 from the second; an Avro text
// that does not parse gets HTTP 422 with error_code 42201 from both.
// Protobuf and JSON Schema pass through unchecked (srfake answers every
// compatibility question with compatible), and so do requests under
// /contexts/. Everything is lost on Close.
func StartRegistry(addr string) (*Registry, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := checkLoopback(addr); err != nil {
		return nil, fmt.Errorf("%w: address %q: %w", ErrStartRegistry, addr, err)
	}
	ln, err := listenLoopback(net.Listen, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: listen on %q: %w", ErrStartRegistry, addr, err)
	}
	fake := srfake.NewRegistry()
	r := &Registry{
		srv: &http.Server{
			Handler:           newCompatHandler(fake),
			ReadHeaderTimeout: 10 * time.Second,
		},
		url:    "http://" + ln.Addr().String(),
		served: make(chan struct{}),
	}
	go func() {
		defer close(r.served)
		_ = r.srv.Serve(ln)
	}()
	return r, nil
}

// URL is the registry's base URL ("http://127.0.0.1:PORT"), for
// schema_registry.urls.
func (r *Registry) URL() string { return r.url }

// Close stops the registry at once, dropping open connections and every
// schema. It is idempotent.
func (r *Registry) Close() {
	_ = r.srv.Close()
	<-r.served
}

// Shutdown stops the registry gracefully: it stops listening, then waits
// for the requests in flight until ctx ends (ctx's error then; Close drops
// what is left). It is idempotent.
func (r *Registry) Shutdown(ctx context.Context) error {
	err := r.srv.Shutdown(ctx)
	<-r.served
	return err
}
