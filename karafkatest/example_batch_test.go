package karafkatest_test

import (
	"fmt"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
)

type Visit struct {
	Page string `json:"page"`
}

type Count struct {
	Visits int `json:"visits"`
}

// VisitsTrackController is like docs/concepts.md's batch controller: one
// response per visit, one per batch.
type VisitsTrackController struct{}

func (VisitsTrackController) Consume(ctx *karafka.BatchContext) error {
	for i, m := range ctx.Messages {
		var v Visit
		if err := m.Decode(&v); err != nil {
			return err // fails the batch: retried, then narrowed down to this message
		}
		if v.Page == "" {
			return fmt.Errorf("offset %d: no page", m.Metadata().Offset)
		}
		ctx.RespondTo(i, v) // produced with message i
	}
	ctx.RespondWith(Count{Visits: ctx.Len()}) // produced with the batch's first message
	return nil
}

func Example_batchRoute() {
	t := &testing.T{} // in a test, the test's own *testing.T
	route := karafka.Route{
		Topic:           "visits_track",
		BatchController: func() karafka.BatchController { return VisitsTrackController{} },
		BatchSize:       100,
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Optional("visits").Multiple(), karafka.Optional("visit_counts")},
				func(out *karafka.Output, args ...any) error {
					switch v := args[0].(type) {
					case Visit:
						out.RespondTo("visits", v)
					case Count:
						out.RespondTo("visit_counts", v)
					}
					return nil
				})
		},
	}
	res := karafkatest.NewRoute(t, route).Feed(
		karafkatest.Value(`{"page":"/"}`).At(0, 0),
		karafkatest.Value(`{"page":"/a"}`).At(0, 1),
		karafkatest.Value(`{}`).At(0, 2), // no page: fails its batch, isolated, dead-lettered
		karafkatest.Value(`{"page":"/b"}`).At(0, 3),
	)
	for _, r := range res {
		if r.DeadLetter != nil {
			attempts, _ := r.DeadLetter.Header(karafka.HeaderAttempts)
			fmt.Println(r.Record.Offset, "dead letter", r.DeadLetter.Topic, "after", attempts, "attempts")
			continue
		}
		for _, m := range r.Produced {
			fmt.Println(r.Record.Offset, m.Topic, string(m.Value))
		}
	}
	// Output:
	// 0 visits {"page":"/"}
	// 0 visit_counts {"visits":2}
	// 1 visits {"page":"/a"}
	// 2 dead letter visits_track_dlq after 3 attempts
	// 3 visits {"page":"/b"}
	// 3 visit_counts {"visits":1}
}
