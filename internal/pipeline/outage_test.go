package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// registry is a parser of JSON payloads that, while *down, cannot look at
// any (a schema registry outage). It proves its Check on a successful
// Parse or Decode, as the schema parsers do.
type registry struct{ down *bool }

func (registry) Name() string            { return "registry" }
func (registry) DecodeProvesCheck() bool { return true }
func (r registry) fail() error {
	if *r.down {
		return fmt.Errorf("%w: registry down", params.ErrUnavailable)
	}
	return nil
}
func (r registry) Check(raw []byte) error {
	if err := r.fail(); err != nil {
		return err
	}
	return params.JSON.Check(raw)
}
func (r registry) Parse(raw []byte) (any, error) {
	if err := r.fail(); err != nil {
		return nil, err
	}
	return params.JSON.Parse(raw)
}
func (r registry) Decode(raw []byte, v any) error {
	if err := r.fail(); err != nil {
		return err
	}
	return params.JSON.Decode(raw, v)
}

// A controller that read the payload's fields during an outage saw them
// absent, whatever it then returned: the try waits, and the next one, with
// the registry back, sees the fields. Params are kept across tries, as the
// runtime keeps them.
func TestController_readingDuringAnOutageWaits(t *testing.T) {
	down := true
	var seen []string
	route := &topology.Resolved{Route: topology.Route{Topic: "in", Parser: registry{&down},
		Controller: func() controllers.Controller {
			return controllers.Func(func(c *controllers.Context) error {
				id, ok := c.Params.Int("id")
				seen = append(seen, fmt.Sprint(id, ok))
				return nil // a controller that takes "absent" in its stride
			})
		}}}
	c := pipeline.NewController(route, context.Background(), nil)
	prm := params.Lazy(params.Metadata{Topic: "in"}, []byte(`{"id":7}`), route.Parser)
	// The Check is deferred (the parser proves it), so the controller runs.
	_, err := c.Handle(context.Background(), prm)
	if !supervision.IsOutage(err) || !errors.Is(err, params.ErrUnavailable) {
		t.Fatalf("first try: %v, want an outage", err)
	}
	down = false
	keep, err := c.Handle(context.Background(), prm)
	if err != nil || !keep {
		t.Fatalf("second try: keep %v err %v", keep, err)
	}
	if fmt.Sprint(seen) != "[0 false 7 true]" {
		t.Fatalf("the controller saw %v, want absent, then 7", seen)
	}
}

// A before-filter that drops a message because it could not see its
// fields during an outage does not get it committed as filtered.
func TestController_filterDuringAnOutageWaits(t *testing.T) {
	down := true
	route := &topology.Resolved{Route: topology.Route{Topic: "in", Parser: registry{&down},
		BeforeFilters: []controllers.BeforeFilter{func(p *params.Params) bool { _, ok := p.Get("id"); return ok }},
		Controller: func() controllers.Controller {
			return controllers.Func(func(*controllers.Context) error { return nil })
		}}}
	c := pipeline.NewController(route, context.Background(), nil)
	prm := params.Lazy(params.Metadata{Topic: "in"}, []byte(`{"id":7}`), route.Parser)
	if keep, err := c.Handle(context.Background(), prm); keep || !supervision.IsOutage(err) {
		t.Fatalf("keep %v err %v, want an outage, not a filtered message", keep, err)
	}
}

// In a batch, a message filtered out during an outage makes the whole
// batch wait too; with the registry back, it is judged on its fields.
func TestBatch_filteredDuringAnOutageWaits(t *testing.T) {
	down := true
	consumed := 0
	route := &topology.Resolved{Route: topology.Route{Topic: "in", Parser: registry{&down},
		BeforeFilters: []controllers.BeforeFilter{func(p *params.Params) bool { _, ok := p.Get("id"); return ok }},
		BatchController: func() controllers.BatchController {
			return controllers.BatchFunc(func(b *controllers.BatchContext) error { consumed += b.Len(); return nil })
		}}}
	prms := []*params.Params{
		params.Lazy(params.Metadata{Topic: "in", Offset: 1}, []byte(`{"id":1}`), route.Parser),
		params.Lazy(params.Metadata{Topic: "in", Offset: 2}, []byte(`{"id":2}`), route.Parser),
	}
	b := pipeline.NewBatch(route, nil)
	if _, err := b.Try(context.Background(), prms); !supervision.IsOutage(err) {
		t.Fatalf("during the outage: %v, want the batch to wait", err)
	}
	down = false
	outcomes, err := b.Try(context.Background(), prms)
	if err != nil || outcomes[0].Filtered || outcomes[1].Filtered || consumed != 2 {
		t.Fatalf("after: outcomes %+v err %v consumed %d", outcomes, err, consumed)
	}
}
