package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// echo answers each response's first argument on "out" and "summary"
// takes per-batch ones; "bad" is an argument it refuses (an unregistered
// topic, which no retry fixes).
func echo() responders.Responder {
	return responders.Func([]responders.Topic{responders.Optional("out").Multiple(), responders.Optional("summary")},
		func(out *responders.Output, args ...any) error {
			switch args[0] {
			case "bad":
				out.RespondTo("nowhere", "x")
			case "summary":
				out.RespondTo("summary", args[1])
			default:
				out.RespondTo("out", args[0])
			}
			return nil
		})
}

func batchRoute(consume func(*controllers.BatchContext) error) *topology.Resolved {
	return &topology.Resolved{Route: topology.Route{
		Topic:           "in",
		Parser:          params.JSON,
		Responder:       echo,
		BatchController: func() controllers.BatchController { return controllers.BatchFunc(consume) },
	}}
}

func msgs(payloads ...string) []*params.Params {
	out := make([]*params.Params, len(payloads))
	for i, p := range payloads {
		out[i] = params.Lazy(params.Metadata{Topic: "in", Offset: int64(10 + i)}, []byte(p), params.JSON)
	}
	return out
}

func values(ms []producer.Message) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, m.Topic+":"+string(m.Value))
	}
	return strings.Join(parts, " ")
}

// Consume gets the kept messages in order, each with its own params; the
// responses per message and the per-batch ones are validated and returned
// with their message, the per-batch ones on the batch's first message.
func TestBatch_respondsPerMessageAndPerBatch(t *testing.T) {
	var got []int64
	route := batchRoute(func(c *controllers.BatchContext) error {
		sum := int64(0)
		for i, m := range c.Messages {
			v, _ := m.Int("v")
			got = append(got, m.Metadata().Offset)
			sum += v
			c.RespondTo(i, v)
		}
		c.RespondWith("summary", sum)
		return nil
	})
	route.BeforeFilters = []controllers.BeforeFilter{func(p *params.Params) bool { v, _ := p.Int("v"); return v != 1 }}
	b := pipeline.NewBatch(route, nil)
	out, err := b.Try(context.Background(), msgs(`{"v":1}`, `{"v":2}`, `{"v":3}`, `{"v":1}`, `{"v":4}`))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[11 12 14]" {
		t.Fatalf("Consume got offsets %v, want the unfiltered ones in order", got)
	}
	want := []string{"", "out:2 summary:9", "out:3", "", "out:4"}
	for i, o := range out {
		if values(o.Produce) != want[i] || o.Filtered != (want[i] == "") || o.Malformed != nil {
			t.Errorf("message %d: %+v, want produce %q", i, o, want[i])
		}
	}
}

// Every message filtered: Consume is not called.
func TestBatch_allFilteredCallsNothing(t *testing.T) {
	called := false
	route := batchRoute(func(*controllers.BatchContext) error { called = true; return nil })
	route.BeforeFilters = []controllers.BeforeFilter{func(*params.Params) bool { return false }}
	out, err := pipeline.NewBatch(route, nil).Try(context.Background(), msgs(`1`, `2`))
	if err != nil || called || !out[0].Filtered || !out[1].Filtered {
		t.Fatalf("called %v, outcomes %+v, err %v", called, out, err)
	}
}

// A payload the parser rejects is never in a batch (rejected at ingest) or
// is dead-lettered whatever Consume made of it (checked after), and is left
// out of the next try.
func TestBatch_malformedPayloads(t *testing.T) {
	strict := struct{ params.Parser }{params.JSON} // its Check runs at ingest
	var seen [][]string
	route := batchRoute(func(c *controllers.BatchContext) error {
		var raws []string
		for i, m := range c.Messages {
			raws = append(raws, string(m.Raw()))
			c.RespondTo(i, string(m.Raw()))
		}
		seen = append(seen, raws)
		return nil
	})
	t.Run("rejected at ingest", func(t *testing.T) {
		seen = nil
		in := []*params.Params{
			params.Lazy(params.Metadata{Topic: "in"}, []byte(`1`), strict),
			params.Lazy(params.Metadata{Topic: "in", Offset: 1}, []byte(`{`), strict),
		}
		out, err := pipeline.NewBatch(route, nil).Try(context.Background(), in)
		if err != nil || fmt.Sprint(seen) != "[[1]]" || !supervision.IsPermanent(out[1].Malformed) || !errors.Is(out[1].Malformed, params.ErrParse) {
			t.Fatalf("seen %v outcomes %+v err %v", seen, out, err)
		}
	})
	t.Run("checked after Consume", func(t *testing.T) {
		seen = nil
		in := msgs(`1`, `{`, `3`)
		b := pipeline.NewBatch(route, nil)
		out, err := b.Try(context.Background(), in)
		if err != nil || !supervision.IsPermanent(out[1].Malformed) || out[1].Produce != nil || values(out[2].Produce) != "out:3" {
			t.Fatalf("outcomes %+v err %v", out, err)
		}
		if _, err := b.Try(context.Background(), in); err != nil || fmt.Sprint(seen) != "[[1 { 3] [1 3]]" {
			t.Fatalf("seen %v err %v: the next try must leave the malformed message out", seen, err)
		}
	})
}

// Each way a try fails: the error, whether it is permanent, the stage it
// names; nothing is returned to produce.
func TestBatch_failedTries(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name      string
		consume   func(*controllers.BatchContext) error
		route     func(*topology.Resolved)
		want      error
		permanent bool
		stage     string
	}{
		{"error", func(*controllers.BatchContext) error { return boom }, nil, boom, false, "controller"},
		{"panic", func(*controllers.BatchContext) error { panic(boom) }, nil, boom, false, "controller"},
		{"RespondTo out of range panics", func(c *controllers.BatchContext) error { c.RespondTo(5, "x"); return nil }, nil, nil, false, "controller"},
		{"timeout", func(c *controllers.BatchContext) error { <-c.Done(); return nil },
			func(r *topology.Resolved) { r.Timeout = 10 * time.Millisecond }, pipeline.ErrTimeout, false, "controller"},
		{"returns nil after the timeout", func(c *controllers.BatchContext) error { time.Sleep(30 * time.Millisecond); return nil },
			func(r *topology.Resolved) { r.Timeout = 5 * time.Millisecond }, pipeline.ErrTimeout, false, "controller"},
		{"bad response to a message", func(c *controllers.BatchContext) error {
			c.RespondTo(0, "fine")
			c.RespondTo(1, "bad")
			return nil
		}, nil, responders.ErrUnregisteredTopic, true, "responder"},
		{"bad per-batch response", func(c *controllers.BatchContext) error {
			c.RespondTo(0, "fine")
			c.RespondWith("bad")
			return nil
		}, nil, responders.ErrUnregisteredTopic, true, "responder"},
		{"responder panics", func(c *controllers.BatchContext) error { c.RespondWith(nil); return nil },
			func(r *topology.Resolved) {
				r.Responder = func() responders.Responder {
					return responders.Func([]responders.Topic{responders.Optional("out")}, func(*responders.Output, ...any) error { panic("responder bug") })
				}
			}, nil, false, "responder"},
		{"responses without a responder", func(c *controllers.BatchContext) error { c.RespondTo(0, 1); return nil },
			func(r *topology.Resolved) { r.Responder = nil }, responders.ErrNoResponder, true, "controller"},
		{"before-filter panics", func(*controllers.BatchContext) error { return nil },
			func(r *topology.Resolved) {
				r.BeforeFilters = []controllers.BeforeFilter{func(p *params.Params) bool {
					if p.Metadata().Offset == 11 {
						panic("filter bug")
					}
					return true
				}}
			}, nil, false, "controller"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			route := batchRoute(c.consume)
			if c.route != nil {
				c.route(route)
			}
			out, err := pipeline.NewBatch(route, nil).Try(context.Background(), msgs(`1`, `2`))
			if err == nil || out != nil {
				t.Fatalf("outcomes %+v err %v, want a failed try", out, err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			var pe *supervision.PanicError
			if c.want == nil && !errors.As(err, &pe) {
				t.Fatalf("err %v, want a recovered panic", err)
			}
			if supervision.IsPermanent(err) != c.permanent || pipeline.Stage(err) != c.stage {
				t.Fatalf("err %v: permanent %v stage %q, want %v %q", err, supervision.IsPermanent(err), pipeline.Stage(err), c.permanent, c.stage)
			}
		})
	}
}

// A try and Isolation together: one poison message among eight is the only
// one dead-lettered, every other is answered, per-batch responses included.
func TestBatch_isolatesAPoisonMessage(t *testing.T) {
	route := batchRoute(func(c *controllers.BatchContext) error {
		for i, m := range c.Messages {
			if string(m.Raw()) == `"poison"` {
				return fmt.Errorf("offset %d: %w", m.Metadata().Offset, errPoison)
			}
			c.RespondTo(i, string(m.Raw()))
		}
		c.RespondWith("summary", c.Len())
		return nil
	})
	in := msgs(`"a"`, `"b"`, `"c"`, `"poison"`, `"d"`, `"e"`, `"f"`, `"poison"`)
	iso := pipeline.NewIsolation(len(in), policy(2), true)
	b := pipeline.NewBatch(route, nil)
	var produced []string
	var dead []int
	for !iso.Done() {
		lo, hi := iso.Span()
		out, err := b.Try(context.Background(), in[lo:hi])
		if err == nil {
			for _, o := range out {
				produced = append(produced, values(o.Produce))
			}
			iso.Succeeded()
			continue
		}
		b = pipeline.NewBatch(route, nil) // the runtime restarts the actor
		if s := iso.Failed(err); s.Action == pipeline.DeadLetterMessage {
			dead = append(dead, s.Index)
		}
	}
	if fmt.Sprint(dead) != "[3 7]" {
		t.Fatalf("dead letters %v, want [3 7]", dead)
	}
	// [0,4) fails, [0,2) ok, [2,4) fails, [2] ok, [3] dead, [4,8) fails, [4,6) ok, [6,8) fails, [6] ok, [7] dead.
	want := `out:"a" summary:2|out:"b"|out:"c" summary:1|out:"d" summary:2|out:"e"|out:"f" summary:1`
	if got := strings.Join(produced, "|"); got != want {
		t.Fatalf("produced\n%s\nwant\n%s", got, want)
	}
}
