package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
)

type VisitsTrackController struct{}

func (*VisitsTrackController) Consume(*controllers.BatchContext) error { return nil }

type namedBatch struct{}

func (namedBatch) Consume(*controllers.BatchContext) error { return nil }
func (namedBatch) ControllerName() string                  { return "CustomBatchController" }

func TestBatchName(t *testing.T) {
	cases := []struct {
		name string
		c    controllers.BatchController
		want string
	}{
		{"pointer type", &VisitsTrackController{}, "VisitsTrackController"},
		{"Namer wins", namedBatch{}, "CustomBatchController"},
		{"BatchFunc has no name", controllers.BatchFunc(func(*controllers.BatchContext) error { return nil }), ""},
		{"nil", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := controllers.BatchName(c.c); got != c.want {
				t.Fatalf("BatchName = %q, want %q", got, c.want)
			}
		})
	}
}

func batchOf(t *testing.T, payloads ...string) []*params.Params {
	t.Helper()
	out := make([]*params.Params, len(payloads))
	for i, p := range payloads {
		prm, err := params.New(params.Metadata{Topic: "t", Offset: int64(i)}, []byte(p), params.JSON)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = prm
	}
	return out
}

func TestBatchContext_respondsPerMessageAndPerBatch(t *testing.T) {
	c := controllers.NewBatchContext(context.Background(), batchOf(t, `1`, `2`, `3`), nil)
	c.RespondTo(2, "c")
	c.RespondTo(0, "a")
	c.RespondTo(2, "c2")
	c.RespondWith("all", 3)
	if c.Len() != 3 {
		t.Fatalf("Len = %d", c.Len())
	}
	if got := fmt.Sprint(c.Responses(0), c.Responses(1), c.Responses(2), c.BatchResponses()); got != "[[a]] [] [[c] [c2]] [[all 3]]" {
		t.Fatalf("responses %s", got)
	}
}

// TestBatchContext_resetForgetsTheLastBatch: a shorter batch, then a longer
// one, reuse the buffers without any response of an earlier batch showing.
func TestBatchContext_resetForgetsTheLastBatch(t *testing.T) {
	c := controllers.NewBatchContext(context.Background(), batchOf(t, `1`, `2`, `3`), nil)
	for i := range 3 {
		c.RespondTo(i, i)
	}
	c.RespondWith("old")
	c.Reset(context.Background(), batchOf(t, `4`))
	if c.Len() != 1 || len(c.Responses(0)) != 0 || len(c.BatchResponses()) != 0 {
		t.Fatalf("Reset to 1 kept state: %v %v", c.Responses(0), c.BatchResponses())
	}
	c.Reset(context.Background(), batchOf(t, `4`, `5`, `6`, `7`))
	for i := range 4 {
		if len(c.Responses(i)) != 0 {
			t.Fatalf("message %d kept an earlier batch's responses: %v", i, c.Responses(i))
		}
	}
}

func TestBatchContext_respondToOutOfRangePanics(t *testing.T) {
	for _, i := range []int{-1, 2} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			c := controllers.NewBatchContext(context.Background(), batchOf(t, `1`, `2`), nil)
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), "batch of 2 messages") {
					t.Fatalf("recovered %v, want a panic naming the batch size", r)
				}
			}()
			c.RespondTo(i, "x")
		})
	}
}

func ExampleBatchFunc() {
	// Sum the amounts of a batch: one response per message and one for the batch.
	ctrl := controllers.BatchFunc(func(c *controllers.BatchContext) error {
		var total int64
		for i, m := range c.Messages {
			amount, ok := m.Int("amount")
			if !ok {
				// Fails the batch: retried, then narrowed down to this message.
				return fmt.Errorf("offset %d: no amount", m.Metadata().Offset)
			}
			total += amount
			c.RespondTo(i, amount*100)
		}
		c.RespondWith(map[string]int64{"total": total})
		return nil
	})
	var msgs []*params.Params
	for i, v := range []string{`{"amount": 2}`, `{"amount": 5}`} {
		p, _ := params.New(params.Metadata{Topic: "payments", Offset: int64(i)}, []byte(v), params.JSON)
		msgs = append(msgs, p)
	}
	c := controllers.NewBatchContext(context.Background(), msgs, nil)
	_ = ctrl.Consume(c)
	fmt.Println(c.Responses(0), c.Responses(1), c.BatchResponses())
	// Output: [[200]] [[500]] [[map[total:7]]]
}
