package karafkatest

import (
	"context"
	"log/slog"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// Route runs one resolved route in memory, as the runtime's partition
// actors would, with no broker. Make it with NewRoute or AppRoute. It is
// used by one goroutine at a time.
type Route struct {
	t        testing.TB
	resolved topology.Resolved
	log      *slog.Logger
	parts    map[int32]*partitionState
}

// partitionState is what the runtime keeps per claimed partition: the
// current incarnations of its controller and responder. A failed try
// restarts them, as the supervisor restarts the partition's actors.
type partitionState struct {
	ctrl  *pipeline.Controller
	resp  karafka.Responder
	batch *pipeline.Batch // of a batch route, its responder included
}

// Option configures NewRoute.
type Option func(*routeOptions)

type routeOptions struct {
	cfg      karafka.Config
	registry *karafka.Registry
	logger   *slog.Logger
}

// WithConfig resolves the route with cfg's defaults (retry policy, dead
// letter pattern, app name) instead of karafka.DefaultConfig()'s.
func WithConfig(cfg karafka.Config) Option { return func(o *routeOptions) { o.cfg = cfg } }

// WithRegistry finds the route's responder by naming convention in r, as
// karafka.WithRegistry does for an App.
func WithRegistry(r *karafka.Registry) Option { return func(o *routeOptions) { o.registry = r } }

// WithLogger is the logger controllers get in their Context (default: none).
func WithLogger(l *slog.Logger) Option { return func(o *routeOptions) { o.logger = l } }

// NewRoute resolves route as an App with karafka.DefaultConfig() (or
// WithConfig) would: its defaults filled in, its responder found by naming
// convention (WithRegistry), every problem reported. An invalid route fails t.
func NewRoute(t testing.TB, route karafka.Route, opts ...Option) *Route {
	t.Helper()
	o := routeOptions{cfg: karafka.DefaultConfig()}
	for _, opt := range opts {
		opt(&o)
	}
	appOpts := []karafka.Option{karafka.WithRoutes(route), karafka.WithLogger(discard)}
	if o.registry != nil {
		appOpts = append(appOpts, karafka.WithRegistry(o.registry))
	}
	app, err := karafka.New(o.cfg, appOpts...)
	if err != nil {
		t.Fatalf("karafkatest: %v", err)
	}
	r := AppRoute(t, app, route.Topic)
	if o.logger != nil {
		r.log = o.logger
	}
	return r
}

// AppRoute returns the route of app that consumes topic, resolved exactly as
// app.Run resolves it (app.Routes). Unknown topics and invalid routes fail t.
func AppRoute(t testing.TB, app *karafka.App, topic string) *Route {
	t.Helper()
	routes, err := app.Routes()
	if err != nil {
		t.Fatalf("karafkatest: routes: %v", err)
	}
	for _, r := range routes {
		if r.Topic == topic {
			return &Route{t: t, resolved: r, log: discard, parts: map[int32]*partitionState{}}
		}
	}
	t.Fatalf("karafkatest: the app has no route for topic %q", topic)
	return nil
}

var discard = slog.New(slog.DiscardHandler)

// Resolved returns the route with its defaults filled in.
func (r *Route) Resolved() topology.Resolved { return r.resolved }

// Feed runs records through the route in order, as the runtime runs the
// records of one partition, and returns what became of each, in feed order.
// Failed tries are retried at once (the route's retry policy counts them;
// its backoff is not waited out).
//
// A batch route (BatchController) gets the records of each partition, in
// feed order, in batches of at most its BatchSize (all of them when it has
// none), partition after partition in the order they first appear.
func (r *Route) Feed(records ...Record) Results {
	r.t.Helper()
	out := make(Results, len(records))
	if r.resolved.Batch() {
		r.feedBatches(records, out)
		return out
	}
	for i, rec := range records {
		out[i] = r.one(rec)
	}
	return out
}

// One runs one record through the route; see Feed. A batch route gets it
// as a batch of one.
func (r *Route) One(rec Record) Result {
	r.t.Helper()
	return r.Feed(rec)[0]
}

// context is the base of the controllers' contexts.
func (r *Route) context() context.Context {
	if ctx := r.t.Context(); ctx != nil {
		return ctx
	}
	return context.Background() // a zero testing.T, as in an Example
}

// partition returns the state of partition id, made on first use.
func (r *Route) partition(id int32) *partitionState {
	ps := r.parts[id]
	if ps == nil {
		ps = &partitionState{}
		r.parts[id] = ps
	}
	return ps
}

func (r *Route) one(rec Record) Result {
	res := Result{Record: rec}
	ctx := r.context()
	ps := r.partition(rec.Partition)
	var prm karafka.Params
	params.LazyAt(&prm, rec.metadata(r.resolved.Topic), rec.Value, r.resolved.Parser)

	// The controller stage.
	var responses [][]any
	for attempt := 1; ; attempt++ {
		if ps.ctrl == nil {
			ps.ctrl = pipeline.NewController(&r.resolved, ctx, r.log)
		}
		keep, err := ps.ctrl.Handle(ctx, &prm)
		if err == nil {
			res.succeeded(attempt)
			if !keep {
				res.Filtered = true
				return res
			}
			responses = append(responses, ps.ctrl.Responses()...)
			break
		}
		if r.failed(&res, ps, "controller", attempt, err) {
			return res
		}
	}
	if len(responses) == 0 {
		return res
	}

	// The responder stage counts its own tries.
	for attempt := 1; ; attempt++ {
		if ps.resp == nil {
			ps.resp = r.resolved.Responder()
		}
		msgs, err := pipeline.Respond(ps.resp, responses, producer.DefaultMaxMessageBytes)
		if err == nil {
			res.succeeded(attempt)
			for _, m := range msgs {
				res.Produced = append(res.Produced, Message{m})
			}
			return res
		}
		if r.failed(&res, ps, "responder", attempt, err) {
			return res
		}
	}
}

// failed decides after a failed try as the runtime's stage does: it reports
// whether the record is finished (dead-lettered or blocked); otherwise the
// stage's incarnations are restarted for the next try.
func (r *Route) failed(res *Result, ps *partitionState, stage string, attempt int, err error) bool {
	if r.settle(res, stage, attempt, err) {
		return true
	}
	// A retry: the supervisor restarts the failed stage's actor. A restarted
	// partition actor spawns a new responder child too.
	if stage == "controller" {
		ps.ctrl = nil
	}
	ps.resp = nil
	return false
}

// settle records the attempt-th failed try of res's record and decides as
// the route's retry policy does: it reports whether the record is finished,
// its dead letter or Blocked then set.
func (r *Route) settle(res *Result, stage string, attempt int, err error) bool {
	rec := res.Record
	perr := &karafka.ProcessingError{Topic: r.resolved.Topic, Partition: rec.Partition, Offset: rec.Offset, Stage: stage, Attempt: attempt, Err: err}
	res.Err, res.Attempts = perr, attempt
	res.Failures = append(res.Failures, perr)
	decision, _ := r.resolved.RetryPolicy.Decide(attempt, err, r.resolved.DeadLetter != "")
	switch decision {
	case supervision.DeadLetter:
		in := make([]producer.Header, len(rec.Headers))
		for i, h := range rec.Headers {
			in[i] = producer.Header{Key: h.Key, Value: h.Value}
		}
		dl := pipeline.DeadLetter(r.resolved.DeadLetter, rec.Key, rec.Value, in, pipeline.Failure{Topic: r.resolved.Topic,
			Partition: rec.Partition, Offset: rec.Offset, Stage: stage, Attempt: attempt, Err: err}, producer.DefaultMaxMessageBytes)
		res.DeadLetter = &Message{dl}
		return true
	case supervision.RetryBlocked, supervision.Wait:
		// Wait: an outage (supervision.Outage) holds the record, never
		// dead-lettered for it; a test sees it blocked with its error.
		res.Blocked = true
		return true
	}
	return false
}
