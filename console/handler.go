package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
)

// Actions are the operator actions on partitions this process holds;
// *karafka.App has them.
type Actions interface {
	PausePartition(topic string, partition int32) error
	ResumePartition(topic string, partition int32) error
	SkipRecord(topic string, partition int32, offset int64, reason string) error
}

// ReplayFunc replays the dead letters of topic's partition (-1: every
// one) from offset from to to (exclusive; -1: the end), and says what it
// did.
type ReplayFunc func(ctx context.Context, topic string, partition int32, from, to int64) (string, error)

// ExplorerAPI serves the explorer's endpoints (api/topics, api/records).
type ExplorerAPI interface {
	ServeTopics(w http.ResponseWriter, r *http.Request)
	ServeRecords(w http.ResponseWriter, r *http.Request)
}

// HandlerConfig is what NewHandler needs.
type HandlerConfig struct {
	Config    Config
	Collector *Collector
	// Self is the id of the process serving the console ("" standalone).
	Self string
	// Explorer serves the explorer; nil: its endpoints answer 503.
	Explorer ExplorerAPI
	// Actions acts on this process's partitions; nil: pause, resume and
	// skip answer 409 (the standalone console holds no partition).
	Actions Actions
	// Replay replays dead letters; nil: replay answers 503.
	Replay ReplayFunc
	// Txn watches the topics' last stable offsets; nil: no
	// transaction_open findings.
	Txn *TxnWatch
	// Path is where the handler is mounted ("/console/"): the CSRF
	// cookie's path.
	Path string
	// ReplayTopics are the dead letter topics a replay may read (the
	// routes'); a replay of another topic is refused.
	ReplayTopics []string
	Log          *slog.Logger
}

// Handler serves the console: its page and its api/ endpoints (see the
// package documentation). Mount it with http.StripPrefix.
type Handler struct {
	c       HandlerConfig
	mux     *http.ServeMux
	proxies []netip.Prefix
	// explore bounds the explorer's requests at once (each reads Kafka).
	explore chan struct{}
	// replaying is the dead letter topic a replay runs on, "" for none:
	// one at a time, so that a replay the operator thinks failed is not
	// sent again while it runs.
	mu        sync.Mutex
	replaying string
}

// maxExploring is how many explorer requests run at once; more are
// answered 429.
const maxExploring = 4

// maxActionBody bounds an action's request body.
const maxActionBody = 4 << 10

// actionTimeout bounds an action (a replay reads and sends).
const actionTimeout = 2 * time.Minute

// NewHandler returns the console's handler.
func NewHandler(c HandlerConfig) *Handler {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Path == "" {
		c.Path = "/"
	}
	proxies, _ := parseNets(c.Config.TrustedProxies) // Config.Validate checked them
	h := &Handler{c: c, mux: http.NewServeMux(), proxies: proxies, explore: make(chan struct{}, maxExploring)}
	h.mux.HandleFunc("GET /api/deployment", func(w http.ResponseWriter, r *http.Request) {
		d := c.Collector.Deployment(c.Self, c.Config.ReportsTopic)
		if c.Txn != nil {
			c.Txn.correctLag(d.Partitions)
		}
		writeJSON(w, http.StatusOK, d)
	})
	h.mux.HandleFunc("GET /api/history", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		writeJSON(w, http.StatusOK, c.Collector.History(q.Get("topic"), q.Get("group")))
	})
	h.mux.HandleFunc("GET /api/errors", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, c.Collector.Errors())
	})
	h.mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, h.health())
	})
	h.mux.HandleFunc("GET /api/session", h.serveSession)
	h.mux.HandleFunc("GET /api/topics", h.exploring(func(w http.ResponseWriter, r *http.Request) { c.Explorer.ServeTopics(w, r) }))
	h.mux.HandleFunc("GET /api/records", h.exploring(func(w http.ResponseWriter, r *http.Request) {
		// Records are the app's data: with credentials configured they
		// need them; without, they are shown to this machine only.
		if !h.mayReadRecords(r) {
			writeError(w, http.StatusUnauthorized, "reading records needs authentication here: "+h.readRule())
			return
		}
		c.Explorer.ServeRecords(w, r)
	}))
	h.mux.HandleFunc("POST /api/actions/{action}", h.serveAction)
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	h.mux.Handle("/", pageHandler())
	return h
}

// health is the collector's findings and the transaction watch's,
// critical first.
func (h *Handler) health() []Finding {
	out := h.c.Collector.Health()
	if h.c.Txn == nil {
		return out
	}
	var crit, rest []Finding
	for _, f := range out {
		if f.Severity == "critical" {
			crit = append(crit, f)
		} else {
			rest = append(rest, f)
		}
	}
	out = append(append(append([]Finding{}, crit...), h.c.Txn.Findings()...), rest...)
	return out
}

// exploring bounds the explorer's requests running at once.
func (h *Handler) exploring(f http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.c.Explorer == nil {
			writeError(w, http.StatusServiceUnavailable, "the explorer is not available here")
			return
		}
		select {
		case h.explore <- struct{}{}:
			defer func() { <-h.explore }()
			f(w, r)
		default:
			writeError(w, http.StatusTooManyRequests, fmt.Sprintf("the explorer serves %d requests at once; try again", maxExploring))
		}
	}
}

// mayReadRecords reports whether r may read records: authenticated when
// console.token or console.auth_header is set, else from this machine.
func (h *Handler) mayReadRecords(r *http.Request) bool {
	if h.c.Config.Token != "" || h.c.Config.AuthHeader != "" {
		return h.c.Config.authenticate(r, h.proxies) != ""
	}
	return fromLoopback(r)
}

// readRule says who may read records.
func (h *Handler) readRule() string {
	if h.c.Config.Token != "" || h.c.Config.AuthHeader != "" {
		return "the token of console.token (Authorization: Bearer), or a trusted proxy's console.auth_header"
	}
	return "without console.token set, only from this machine (a loopback address, or kubectl port-forward); set console.token to read them from elsewhere"
}

// ServeHTTP serves the console.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	if !hostAllowed(r, h.c.Config.Hosts) {
		writeError(w, http.StatusMisdirectedRequest, fmt.Sprintf("this console does not answer to the host %q: add it to console.hosts (it answers IP addresses and localhost)", cut(r.Host, 200)))
		return
	}
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	}
	h.mux.ServeHTTP(w, r)
}

// sessionDoc is GET api/session.
type sessionDoc struct {
	Actions       bool   `json:"actions"`
	Authenticated bool   `json:"authenticated"`
	User          string `json:"user,omitempty"`
	CSRF          string `json:"csrf"`
	Self          string `json:"self"`
}

func (h *Handler) serveSession(w http.ResponseWriter, r *http.Request) {
	tok := session(w, r, h.c.Path)
	user := h.c.Config.authenticate(r, h.proxies)
	writeJSON(w, http.StatusOK, sessionDoc{Actions: h.c.Config.Actions, Authenticated: user != "", User: user, CSRF: tok, Self: h.c.Self})
}

// actionRequest is the body of every action; each uses its fields.
type actionRequest struct {
	Topic     string `json:"topic"`
	Partition *int32 `json:"partition"`
	Offset    *int64 `json:"offset"`
	Reason    string `json:"reason"`
	From      *int64 `json:"from"`
	To        *int64 `json:"to"`
}

// actionResult is an action's answer.
type actionResult struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// ErrActionsOff, ErrUnauthenticated and ErrCSRF are why an action is
// refused before it is looked at.
var (
	ErrActionsOff      = errors.New("console: actions are off (console.actions)")
	ErrUnauthenticated = errors.New("console: an action needs authentication: Authorization: Bearer <console.token>, or the header console.auth_header names")
	ErrCSRF            = errors.New("console: CSRF check failed")
)

func (h *Handler) serveAction(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	log := h.c.Log.With("action", action, "remote", r.RemoteAddr)
	refuse := func(status int, why string) {
		log.Warn("console: action refused", "status", status, "error", why)
		writeError(w, status, why)
	}
	if !h.c.Config.Actions {
		refuse(http.StatusForbidden, ErrActionsOff.Error())
		return
	}
	user := h.c.Config.authenticate(r, h.proxies)
	if user == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="karafka-actors console"`)
		why := ErrUnauthenticated.Error()
		if r.Header.Get("Authorization") != "" {
			why += " (the bearer token sent is not console.token)"
		}
		refuse(http.StatusUnauthorized, why)
		return
	}
	log = log.With("user", user)
	if why := csrfCheck(r); why != "" {
		refuse(http.StatusForbidden, ErrCSRF.Error()+": "+why)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		refuse(http.StatusUnsupportedMediaType, "an action's body is JSON (Content-Type: application/json)")
		return
	}
	var req actionRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, maxActionBody+1))
	if err == nil && len(body) > maxActionBody {
		err = fmt.Errorf("over %d bytes", maxActionBody)
	}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(&req)
	}
	if err != nil {
		refuse(http.StatusBadRequest, "the action's body: "+err.Error())
		return
	}
	// An action may take longer than the server's write timeout (a
	// replay): its answer must still reach the operator, who would
	// otherwise take it for a failure and try again.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(actionTimeout + 10*time.Second))
	msg, status, err := h.act(r.Context(), action, req)
	if err != nil {
		log.Warn("console: action failed", "topic", req.Topic, "partition", deref(req.Partition), "error", err)
		writeError(w, status, err.Error())
		return
	}
	log.Warn("console: action taken", "topic", req.Topic, "partition", deref(req.Partition), "result", msg)
	writeJSON(w, http.StatusOK, actionResult{OK: true, Message: msg})
}

// act takes the action; status is the HTTP status of its error.
func (h *Handler) act(ctx context.Context, action string, req actionRequest) (string, int, error) {
	if req.Partition == nil && action == "replay" {
		all := int32(-1) // a replay of every partition
		req.Partition = &all
	}
	if req.Topic == "" || req.Partition == nil {
		return "", http.StatusBadRequest, errors.New("the action needs topic and partition")
	}
	topic, part := req.Topic, *req.Partition
	partitionAction := func(f func() error, done string) (string, int, error) {
		if h.c.Actions == nil {
			return "", http.StatusConflict, fmt.Errorf("%s/%d: this console holds no partition; %s", topic, part, h.holderHint(topic, part))
		}
		if err := f(); err != nil {
			if errors.Is(err, karafka.ErrNotHeld) {
				return "", http.StatusConflict, fmt.Errorf("%w; %s", err, h.holderHint(topic, part))
			}
			return "", http.StatusConflict, err
		}
		return done, 0, nil
	}
	switch action {
	case "pause":
		return partitionAction(func() error { return h.c.Actions.PausePartition(topic, part) },
			fmt.Sprintf("%s/%d paused", topic, part))
	case "resume":
		return partitionAction(func() error { return h.c.Actions.ResumePartition(topic, part) },
			fmt.Sprintf("%s/%d resumed", topic, part))
	case "skip":
		if req.Offset == nil {
			return "", http.StatusBadRequest, errors.New("skip needs the offset of the record to skip")
		}
		if strings.TrimSpace(req.Reason) == "" {
			return "", http.StatusBadRequest, errors.New("skip needs a reason (it goes into the dead letter's karafka.error and the log)")
		}
		return partitionAction(func() error { return h.c.Actions.SkipRecord(topic, part, *req.Offset, req.Reason) },
			fmt.Sprintf("%s/%d offset %d skipped", topic, part, *req.Offset))
	case "replay":
		if h.c.Replay == nil {
			return "", http.StatusServiceUnavailable, errors.New("replay is not available in this console")
		}
		if !slices.Contains(h.c.ReplayTopics, topic) {
			return "", http.StatusBadRequest, fmt.Errorf("replay: %q is not a dead letter topic of the app's routes (%s)", topic, strings.Join(h.c.ReplayTopics, ", "))
		}
		h.mu.Lock()
		if h.replaying != "" {
			running := h.replaying
			h.mu.Unlock()
			return "", http.StatusConflict, fmt.Errorf("replay: a replay of %s runs; wait for its answer (replaying again sends the same dead letters twice)", running)
		}
		h.replaying = topic
		h.mu.Unlock()
		defer func() {
			h.mu.Lock()
			h.replaying = ""
			h.mu.Unlock()
		}()
		from, to := int64(0), int64(-1)
		if req.From != nil {
			from = *req.From
		}
		if req.To != nil {
			to = *req.To
		}
		if from < 0 || (to >= 0 && to < from) {
			return "", http.StatusBadRequest, fmt.Errorf("replay: from %d to %d is not a range of offsets", from, to)
		}
		rctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		msg, err := h.c.Replay(rctx, topic, part, from, to)
		if err != nil {
			return "", http.StatusBadGateway, err
		}
		return msg, 0, nil
	}
	return "", http.StatusNotFound, fmt.Errorf("no action %q (pause, resume, skip, replay)", action)
}

// holderHint says which process holds topic's partition, from the
// reports.
func (h *Handler) holderHint(topic string, part int32) string {
	d := h.c.Collector.Deployment(h.c.Self, h.c.Config.ReportsTopic)
	for _, p := range d.Partitions {
		if p.Topic != topic || p.Partition != part {
			continue
		}
		for _, pr := range d.Processes {
			if pr.ID == p.Holder {
				if pr.ConsoleURL != "" {
					return fmt.Sprintf("process %s holds it: act in its console at %s", pr.ID, pr.ConsoleURL)
				}
				return fmt.Sprintf("process %s holds it; it serves no console (http.addr)", pr.ID)
			}
		}
	}
	return "no running process reports holding it"
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // JSON with nosniff: read as text by curl users, never as HTML
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
