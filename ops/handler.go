package ops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/ops/web"
	"github.com/karafka-actors/karafka-actors/topology"
)

// source is what the handler needs of an App; *karafka.App has it.
type source interface {
	State() karafka.State
	Events() *events.Bus
	Routes() ([]topology.Resolved, error)
	Config() karafka.Config
}

var _ source = (*karafka.App)(nil)

// Handler serves the operational surface of one App (see the package
// documentation for its endpoints). It is an http.Handler; Close
// unsubscribes it from the App's events.
type Handler struct {
	app   source
	reg   *prometheus.Registry
	stats *stats
	mux   *http.ServeMux
	unsub func()
}

// Option configures New.
type Option func(*options)

type options struct {
	noRuntimeCollectors bool
}

// WithoutRuntimeCollectors leaves the Go and process collectors out of the
// registry (for an embedding program that registers them itself).
func WithoutRuntimeCollectors() Option {
	return func(o *options) { o.noRuntimeCollectors = true }
}

// New returns the handler of app, with a Prometheus registry of its own.
// It subscribes to app's events at once: call it before app.Run so that
// counters start at the first message, and after the routes were added.
func New(app *karafka.App, opts ...Option) *Handler { return newHandler(app, opts...) }

func newHandler(app source, opts ...Option) *Handler {
	var o options
	for _, f := range opts {
		f(&o)
	}
	routes := map[string]routeInfo{}
	if rs, err := app.Routes(); err == nil {
		for _, r := range rs {
			routes[r.Topic] = routeInfo{group: r.Group, deadLetters: r.DeadLetter != ""}
		}
	}
	h := &Handler{app: app, reg: prometheus.NewRegistry(), stats: newStats(routes)}
	h.reg.MustRegister(h.stats.collectors()...)
	h.reg.MustRegister(&stateCollector{h: h})
	if !o.noRuntimeCollectors {
		h.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	h.unsub = app.Events().Subscribe(h.stats.handle, subscribedKinds...)

	h.mux = http.NewServeMux()
	h.mux.Handle("GET /metrics", promhttp.HandlerFor(h.reg, promhttp.HandlerOpts{Registry: h.reg}))
	h.mux.HandleFunc("GET /healthz", h.healthz)
	h.mux.HandleFunc("GET /readyz", h.readyz)
	h.mux.HandleFunc("GET /api/topology", h.topology)
	h.mux.HandleFunc("GET /api/state", h.state)
	h.mux.Handle("GET /", web.NewHandler(h.initial))
	return h
}

// ServeHTTP serves the endpoints. Every response, 404s included, forbids
// framing and content sniffing (see setSecurityHeaders).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	h.mux.ServeHTTP(w, r)
}

// Registry is the handler's Prometheus registry: register the
// application's own collectors here to serve them on /metrics too.
func (h *Handler) Registry() *prometheus.Registry { return h.reg }

// Close unsubscribes the handler from the App's events; its endpoints keep
// answering, with counters that no longer move. Calling it again does nothing.
func (h *Handler) Close() { h.unsub() }

func (h *Handler) healthz(w http.ResponseWriter, _ *http.Request) {
	st := h.app.State()
	w.Header().Set("Cache-Control", "no-store")
	if !st.Alive {
		why := "stopped"
		if st.Phase != karafka.PhaseStopped {
			why = "supervision gave up"
		}
		http.Error(w, "not alive: "+why, http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintf(w, "ok (%s)\n", st.Phase)
}

func (h *Handler) readyz(w http.ResponseWriter, _ *http.Request) {
	st := h.app.State()
	w.Header().Set("Cache-Control", "no-store")
	if st.Ready {
		fmt.Fprintln(w, "ready")
		return
	}
	http.Error(w, "not ready: "+notReady(st), http.StatusServiceUnavailable)
}

// notReady says why st is not ready.
func notReady(st karafka.State) string {
	if st.Phase != karafka.PhaseRunning {
		if st.Phase == karafka.PhaseStarting {
			return "starting (connecting to Kafka)"
		}
		return st.Phase.String()
	}
	if !st.Alive {
		return "supervision gave up"
	}
	var joining, disconnected, missing []string
	for _, g := range st.Groups {
		switch {
		case !g.Connected:
			disconnected = append(disconnected, g.Group)
		case len(g.MissingTopics) > 0:
			missing = append(missing, fmt.Sprintf("group %s cannot join: %s", g.Group, missingText(g.MissingTopics)))
		case !g.Joined:
			joining = append(joining, g.Group)
		}
	}
	var parts []string
	if len(disconnected) > 0 {
		parts = append(parts, "not connected to Kafka: "+strings.Join(disconnected, ", "))
	}
	if len(missing) > 0 {
		parts = append(parts, strings.Join(missing, "; ")+
			" (create them: the topics create command, or kafka.create_topics: true)")
	}
	if len(joining) > 0 {
		parts = append(parts, "joining group: "+strings.Join(joining, ", "))
	}
	for _, p := range st.Partitions {
		if p.Stuck != "" {
			parts = append(parts, fmt.Sprintf("partition %s/%d stuck for %s: %s", p.Topic, p.Partition,
				st.Time.Sub(p.StuckSince).Round(time.Second), p.Stuck))
		}
	}
	if len(parts) == 0 {
		return "no consumer group"
	}
	return strings.Join(parts, "; ")
}

// missingText says that topics do not exist: "topic a does not exist",
// "topics a, b do not exist".
func missingText(topics []string) string {
	if len(topics) == 1 {
		return "topic " + topics[0] + " does not exist"
	}
	return "topics " + strings.Join(topics, ", ") + " do not exist"
}

func (h *Handler) topology(w http.ResponseWriter, _ *http.Request) {
	routes, err := h.app.Routes()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = topology.WriteJSON(w, h.graph(routes))
}

// graph is the App's topology graph: its routes under the root supervisor,
// and the Kafka client it runs on.
func (h *Handler) graph(routes []topology.Resolved) topology.Graph {
	cfg := h.app.Config()
	g := topology.NewGraph(cfg.Name, cfg.Supervision, routes)
	g.Client = cfg.Kafka.Client
	return g
}

func (h *Handler) state(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(h.State())
}

// initial is what the page starts from: the documents api/topology and
// api/state serve now.
func (h *Handler) initial() (topo, state []byte) {
	if routes, err := h.app.Routes(); err == nil {
		var b bytes.Buffer
		if topology.WriteJSON(&b, h.graph(routes)) == nil {
			topo = b.Bytes()
		}
	}
	state, _ = json.Marshal(h.State())
	return topo, state
}
