package karafkatest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
)

type order struct {
	ID    int    `json:"id"`
	Total int    `json:"total"`
	Note  string `json:"note,omitempty"`
}

// orders answers each order on orders_accepted, keyed by its id, copying
// the record's trace header; an order with id < 0 fails.
func ordersRoute() karafka.Route {
	return karafka.Route{
		Topic: "orders",
		BeforeFilters: []karafka.BeforeFilter{func(p *karafka.Params) bool {
			_, test := p.Metadata().Header("test")
			return !test
		}},
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				var o order
				if err := c.Params.Decode(&o); err != nil {
					return err
				}
				if o.ID < 0 {
					return errors.New("negative id")
				}
				trace, _ := c.Params.Metadata().Header("trace")
				c.RespondWith(o, string(c.Params.Metadata().Key), string(trace))
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Required("orders_accepted")}, func(out *karafka.Output, args ...any) error {
				o := args[0].(order)
				out.RespondTo("orders_accepted", o, karafka.Key(args[1].(string)), karafka.Header("trace", args[2].(string)))
				return nil
			})
		},
	}
}

func TestRoute_producedFilteredAndRoundTrip(t *testing.T) {
	r := karafkatest.NewRoute(t, ordersRoute())
	res := r.Feed(
		karafkatest.Value(`{"id":1,"total":10}`).WithKey("k1").WithHeader("trace", "abc"),
		karafkatest.Value(`{"id":2}`).WithHeader("test", "1"),
		karafkatest.JSON(t, order{ID: 3, Total: 30}).WithKey("k3").At(2, 7),
	)
	if len(res) != 3 {
		t.Fatalf("%d results", len(res))
	}
	if !res[1].Filtered || len(res[1].Produced) != 0 || res[0].Filtered || res[2].Filtered {
		t.Fatalf("filtered: %+v", res)
	}
	if got := res.Filtered(); got != 1 {
		t.Fatalf("Filtered() = %d", got)
	}
	out := res.To("orders_accepted")
	if len(out) != 2 || len(res.Produced()) != 2 {
		t.Fatalf("produced %v", res.Produced())
	}
	var o order
	out[0].JSON(t, &o)
	if o != (order{ID: 1, Total: 10}) || string(out[0].Key) != "k1" {
		t.Fatalf("first: %+v key %q", o, out[0].Key)
	}
	if v, ok := out[0].Header("trace"); !ok || v != "abc" {
		t.Fatalf("trace header %q %v", v, ok)
	}
	out[1].JSON(t, &o)
	if o.ID != 3 || string(out[1].Key) != "k3" {
		t.Fatalf("second: %+v key %q", o, out[1].Key)
	}
	for _, x := range res {
		if x.Err != nil || x.DeadLetter != nil {
			t.Fatalf("unexpected failure: %+v", x)
		}
	}
}

func TestRoute_deadLettered(t *testing.T) {
	cases := []struct {
		name     string
		rec      karafkatest.Record
		attempts string
		stage    string
		errPart  string
		is       error
	}{
		{"parse error at once", karafkatest.Value(`{"id":`).At(1, 41), "1", "controller", "parse", params.ErrParse},
		{"controller error after retries", karafkatest.Value(`{"id":-1}`).At(1, 42), "3", "controller", "negative id", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := karafkatest.NewRoute(t, ordersRoute())
			rec := c.rec.WithKey("key").WithHeader("trace", "t1")
			res := r.One(rec)
			if res.DeadLetter == nil || len(res.Produced) != 0 || res.Blocked {
				t.Fatalf("not dead-lettered: %+v", res)
			}
			var perr *karafka.ProcessingError
			if !errors.As(res.Err, &perr) || perr.Stage != c.stage {
				t.Fatalf("err %v", res.Err)
			}
			if c.is != nil && !errors.Is(res.Err, c.is) {
				t.Fatalf("err %v is not %v", res.Err, c.is)
			}
			d := res.DeadLetter
			if d.Topic != "orders_dlq" || string(d.Key) != "key" || string(d.Value) != string(rec.Value) {
				t.Fatalf("dead letter %v", d)
			}
			want := map[string]string{
				"trace":                       "t1",
				karafka.HeaderOriginTopic:     "orders",
				karafka.HeaderOriginPartition: "1",
				karafka.HeaderOriginOffset:    "41",
				karafka.HeaderAttempts:        c.attempts,
				karafka.HeaderStage:           c.stage,
			}
			if c.name != "parse error at once" {
				want[karafka.HeaderOriginOffset] = "42"
			}
			for k, v := range want {
				if got, _ := d.Header(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if got, _ := d.Header(karafka.HeaderError); !strings.Contains(got, c.errPart) {
				t.Errorf("error header %q, want it to name %q", got, c.errPart)
			}
			if d.Headers[0].Key != "trace" {
				t.Errorf("original headers not first: %v", d.Headers)
			}
		})
	}
}

func TestRoute_retrySucceedsWithNewController(t *testing.T) {
	made, tries := 0, 0
	r := karafkatest.NewRoute(t, karafka.Route{
		Topic: "flaky",
		Controller: func() karafka.Controller {
			made++
			return karafka.ControllerFunc(func(*karafka.Context) error {
				tries++
				if tries < 3 {
					return errors.New("transient")
				}
				return nil
			})
		},
	})
	resolving := made // topology.Resolve makes one to learn its name, as the app does
	res := r.One(karafkatest.Value(`{}`))
	if res.Err != nil || res.DeadLetter != nil {
		t.Fatalf("third try should succeed: %+v", res)
	}
	// Not a first-try success: it took three tries, after two failures.
	if res.Attempts != 3 || len(res.Failures) != 2 || !strings.Contains(res.Failures[1].Error(), "transient") {
		t.Errorf("Attempts %d, Failures %v: want 3 tries after two failures", res.Attempts, res.Failures)
	}
	if made-resolving != 3 {
		t.Fatalf("controller made %d times for the tries, want 3 (a new one per restart)", made-resolving)
	}
}

func TestRoute_blockedWithoutDeadLetter(t *testing.T) {
	route := karafka.Route{
		Topic:             "strict",
		DisableDeadLetter: true,
		Retry:             &karafka.RetryPolicy{Attempts: 2, Backoff: supervision.DefaultBackoff()},
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(*karafka.Context) error { return errors.New("boom") })
		},
	}
	res := karafkatest.NewRoute(t, route).One(karafkatest.Value(`{}`))
	if !res.Blocked || res.DeadLetter != nil || res.Attempts != 2 {
		t.Fatalf("want blocked after 2 tries: %+v", res)
	}
}

func TestRoute_responderValidationErrors(t *testing.T) {
	cases := []struct {
		name    string
		respond func(out *karafka.Output)
		is      error
	}{
		{"unregistered topic", func(out *karafka.Output) {
			out.RespondTo("a", "x")
			out.RespondTo("elsewhere", "x")
		}, responders.ErrUnregisteredTopic},
		{"required topic unused", func(out *karafka.Output) {}, responders.ErrRequiredTopicUnused},
		{"single-use topic used twice", func(out *karafka.Output) {
			out.RespondTo("a", "x")
			out.RespondTo("a", "y")
		}, responders.ErrMultipleUsage},
		{"unencodable", func(out *karafka.Output) { out.RespondTo("a", func() {}) }, responders.ErrEncode},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := karafkatest.NewRoute(t, karafka.Route{
				Topic: "in",
				Controller: func() karafka.Controller {
					return karafka.ControllerFunc(func(ctx *karafka.Context) error { ctx.RespondWith(); return nil })
				},
				Responder: func() karafka.Responder {
					return karafka.NewResponder([]karafka.Topic{karafka.Required("a")}, func(out *karafka.Output, _ ...any) error {
						c.respond(out)
						return nil
					})
				},
			}).One(karafkatest.Value(`{}`))
			if !errors.Is(res.Err, c.is) {
				t.Fatalf("err %v, want %v", res.Err, c.is)
			}
			var perr *karafka.ProcessingError
			if !errors.As(res.Err, &perr) || perr.Stage != "responder" || perr.Attempt != 1 {
				t.Fatalf("want a first-try responder failure, got %v", res.Err)
			}
			if len(res.Produced) != 0 || res.DeadLetter == nil {
				t.Fatalf("want nothing produced and a dead letter: %+v", res)
			}
			if v, _ := res.DeadLetter.Header(karafka.HeaderStage); v != "responder" {
				t.Fatalf("stage header %q", v)
			}
		})
	}
}

type PingController struct{}

func (PingController) Perform(c *karafka.Context) error {
	c.RespondWith("pong")
	return nil
}

func TestRoute_responderFoundByNamingConvention(t *testing.T) {
	reg := karafka.NewRegistry()
	if err := reg.Register("PingResponder", func() karafka.Responder {
		return karafka.NewResponder([]karafka.Topic{karafka.Required("pongs")}, func(out *karafka.Output, args ...any) error {
			out.RespondTo("pongs", args[0])
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	route := karafka.Route{Topic: "pings", Controller: func() karafka.Controller { return PingController{} }}
	res := karafkatest.NewRoute(t, route, karafkatest.WithRegistry(reg)).One(karafkatest.Value(`{}`))
	if len(res.Produced) != 1 || string(res.Produced[0].Value) != "pong" {
		t.Fatalf("produced %v, err %v", res.Produced, res.Err)
	}
	// Without the registry the responses have nowhere to go: dead-lettered at once.
	res = karafkatest.NewRoute(t, route).One(karafkatest.Value(`{}`))
	if !errors.Is(res.Err, responders.ErrNoResponder) || res.Attempts != 1 {
		t.Fatalf("without registry: %+v", res)
	}
}

func TestRoute_timeout(t *testing.T) {
	route := karafka.Route{
		Topic:   "slow",
		Timeout: time.Millisecond,
		Retry:   &karafka.RetryPolicy{Attempts: 1, Backoff: supervision.DefaultBackoff()},
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				<-c.Done()
				return nil
			})
		},
	}
	res := karafkatest.NewRoute(t, route).One(karafkatest.Value(`{}`))
	if !errors.Is(res.Err, karafka.ErrTimeout) || res.DeadLetter == nil {
		t.Fatalf("want a timed-out dead letter: %+v", res)
	}
}

func TestRoute_panicRecoveredAndDeadLettered(t *testing.T) {
	route := karafka.Route{
		Topic: "panics",
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(*karafka.Context) error { panic("kaboom") })
		},
	}
	res := karafkatest.NewRoute(t, route).One(karafkatest.Value(`{}`))
	var pe *supervision.PanicError
	if !errors.As(res.Err, &pe) || res.DeadLetter == nil || res.Attempts != 3 {
		t.Fatalf("want a recovered panic dead-lettered after 3 tries: %+v", res)
	}
	if v, _ := res.DeadLetter.Header(karafka.HeaderError); !strings.Contains(v, "kaboom") {
		t.Fatalf("error header %q", v)
	}
}
