package karafkatest_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// visits is a batch route: each visit answered on visits_seen, each batch's
// count on visits_counted. A visit whose page is "poison" fails its batch;
// one from a "bot" is filtered. batches records the offsets of each Consume.
func visits(batches *[][]int64, size int) karafka.Route {
	return karafka.Route{
		Topic:     "visits",
		BatchSize: size,
		BeforeFilters: []karafka.BeforeFilter{func(p *karafka.Params) bool {
			ua, _ := p.String("ua")
			return ua != "bot"
		}},
		BatchController: func() karafka.BatchController {
			return karafka.BatchControllerFunc(func(c *karafka.BatchContext) error {
				var offsets []int64
				for _, m := range c.Messages {
					offsets = append(offsets, m.Metadata().Offset)
				}
				*batches = append(*batches, offsets)
				for i, m := range c.Messages {
					page, _ := m.String("page")
					if page == "poison" {
						return fmt.Errorf("page %q", page)
					}
					c.RespondTo(i, page)
				}
				c.RespondWith(c.Len())
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Optional("visits_seen").Multiple(), karafka.Optional("visits_counted")},
				func(out *karafka.Output, args ...any) error {
					switch v := args[0].(type) {
					case string:
						out.RespondTo("visits_seen", v)
					case int:
						out.RespondTo("visits_counted", v)
					default:
						out.RespondTo("nowhere", v) // invalid: fails the batch
					}
					return nil
				})
		},
	}
}

func visit(page string, offset int64) karafkatest.Record {
	return karafkatest.Value(fmt.Sprintf(`{"page":%q}`, page)).At(0, offset)
}

func produced(res karafkatest.Result) string {
	var parts []string
	for _, m := range res.Produced {
		parts = append(parts, m.Topic+"="+string(m.Value))
	}
	return strings.Join(parts, ",")
}

func TestRoute_batchPerMessageAndPerBatchResponses(t *testing.T) {
	var batches [][]int64
	r := karafkatest.NewRoute(t, visits(&batches, 0))
	res := r.Feed(
		visit("a", 0),
		karafkatest.Value(`{"page":"b","ua":"bot"}`).At(0, 1),
		visit("c", 2),
		visit("x", 0).At(1, 0), // another partition: its own batch
		visit("d", 3),
	)
	if fmt.Sprint(batches) != "[[0 2 3] [0]]" {
		t.Fatalf("batches %v, want partition 0's unfiltered records in one batch, then partition 1's", batches)
	}
	want := []string{`visits_seen=a,visits_counted=3`, ``, `visits_seen=c`, `visits_seen=x,visits_counted=1`, `visits_seen=d`}
	for i, w := range want {
		if got := produced(res[i]); got != w || res[i].Err != nil {
			t.Errorf("record %d produced %q (err %v), want %q", i, got, res[i].Err, w)
		}
	}
	if !res[1].Filtered || res.Filtered() != 1 {
		t.Fatalf("the bot's visit is not filtered: %+v", res[1])
	}
}

// Batches are at most the route's BatchSize, else consumer.batch_size.
func TestRoute_batchSize(t *testing.T) {
	recs := []karafkatest.Record{visit("a", 0), visit("b", 1), visit("c", 2), visit("d", 3), visit("e", 4)}
	var batches [][]int64
	karafkatest.NewRoute(t, visits(&batches, 2)).Feed(recs...)
	if fmt.Sprint(batches) != "[[0 1] [2 3] [4]]" {
		t.Fatalf("route BatchSize 2: batches %v", batches)
	}
	batches = nil
	cfg := karafka.DefaultConfig()
	cfg.Consumer.BatchSize = 3
	karafkatest.NewRoute(t, visits(&batches, 0), karafkatest.WithConfig(cfg)).Feed(recs...)
	if fmt.Sprint(batches) != "[[0 1 2] [3 4]]" {
		t.Fatalf("consumer.batch_size 3: batches %v", batches)
	}
}

// One poison message among N: only it is dead-lettered, with the karafka.*
// headers of its own failure; the others are answered, per batch included.
func TestRoute_batchIsolatesOnePoisonMessage(t *testing.T) {
	var batches [][]int64
	r := karafkatest.NewRoute(t, visits(&batches, 0))
	var recs []karafkatest.Record
	for i := range 8 {
		page := fmt.Sprint("p", i)
		if i == 5 {
			page = "poison"
		}
		recs = append(recs, visit(page, int64(i)).WithHeader("trace", fmt.Sprint(i)))
	}
	res := r.Feed(recs...)
	if dl := res.DeadLetters(); len(dl) != 1 || res[5].DeadLetter == nil {
		t.Fatalf("dead letters %v, want record 5's only", dl)
	}
	d := res[5].DeadLetter
	offset, _ := d.Header(karafka.HeaderOriginOffset)
	attempts, _ := d.Header(karafka.HeaderAttempts)
	stage, _ := d.Header(karafka.HeaderStage)
	cause, _ := d.Header(karafka.HeaderError)
	trace, _ := d.Header("trace")
	if d.Topic != "visits_dlq" || offset != "5" || attempts != "3" || stage != "controller" || !strings.Contains(cause, `page "poison"`) || trace != "5" {
		t.Fatalf("dead letter %v: offset %s attempts %s stage %s error %q trace %s", d, offset, attempts, stage, cause, trace)
	}
	var perr *karafka.ProcessingError
	if !errors.As(res[5].Err, &perr) || perr.Offset != 5 || res[5].Attempts != 3 {
		t.Fatalf("Err %v attempts %d", res[5].Err, res[5].Attempts)
	}
	for i, rr := range res {
		if i == 5 {
			continue
		}
		if rr.Err != nil || rr.DeadLetter != nil || !strings.HasPrefix(produced(rr), fmt.Sprintf(`visits_seen=p%d`, i)) {
			t.Fatalf("record %d: %+v", i, rr)
		}
	}
	if n := len(res.To("visits_seen")); n != 7 {
		t.Fatalf("%d visits answered, want 7", n)
	}
}

func TestRoute_batchIsolatesTwoPoisonMessages(t *testing.T) {
	var batches [][]int64
	r := karafkatest.NewRoute(t, visits(&batches, 0))
	var recs []karafkatest.Record
	for i := range 9 {
		page := fmt.Sprint("p", i)
		if i == 0 || i == 6 {
			page = "poison"
		}
		recs = append(recs, visit(page, int64(i)))
	}
	res := r.Feed(recs...)
	var dead []int64
	for _, d := range res.DeadLetters() {
		o, _ := d.Header(karafka.HeaderOriginOffset)
		var n int64
		fmt.Sscan(o, &n)
		dead = append(dead, n)
	}
	if fmt.Sprint(dead) != "[0 6]" {
		t.Fatalf("dead letters of offsets %v, want [0 6]", dead)
	}
	if n := len(res.To("visits_seen")); n != 7 {
		t.Fatalf("%d visits answered, want 7", n)
	}
	// Every record was answered by one successful try only.
	for i, rr := range res {
		if i != 0 && i != 6 && strings.Count(produced(rr), "visits_seen") != 1 {
			t.Fatalf("record %d produced %q", i, produced(rr))
		}
	}
}

// A response the responder refuses fails the batch before anything is sent;
// narrowed down, only the message whose response is bad is dead-lettered,
// as a responder failure, at once (no retry fixes it).
func TestRoute_batchBadResponse(t *testing.T) {
	route := visits(new([][]int64), 0)
	route.BatchController = func() karafka.BatchController {
		return karafka.BatchControllerFunc(func(c *karafka.BatchContext) error {
			for i, m := range c.Messages {
				page, _ := m.String("page")
				if page == "bad" {
					c.RespondTo(i, 3.5) // no topic for it: invalid
					continue
				}
				c.RespondTo(i, page)
			}
			return nil
		})
	}
	res := karafkatest.NewRoute(t, route).Feed(visit("a", 0), visit("bad", 1), visit("c", 2))
	d := res[1].DeadLetter
	if d == nil || res[0].DeadLetter != nil || res[2].DeadLetter != nil {
		t.Fatalf("dead letters %v, want record 1's only", res.DeadLetters())
	}
	stage, _ := d.Header(karafka.HeaderStage)
	attempts, _ := d.Header(karafka.HeaderAttempts)
	if stage != "responder" || attempts != "1" || !errors.Is(res[1].Err, responders.ErrUnregisteredTopic) {
		t.Fatalf("stage %s attempts %s err %v", stage, attempts, res[1].Err)
	}
	if produced(res[0]) != `visits_seen=a` || produced(res[2]) != `visits_seen=c` {
		t.Fatalf("produced %q %q", produced(res[0]), produced(res[2]))
	}
}

// A panicking batch controller and one that outlives the route's Timeout
// fail their batch like an error; a transient failure is retried whole.
func TestRoute_batchFailures(t *testing.T) {
	cases := []struct {
		name    string
		consume func(calls int, c *karafka.BatchContext) error
		timeout time.Duration
		want    error
		dead    bool
	}{
		{"panic", func(_ int, c *karafka.BatchContext) error { panic("bug") }, 0, nil, true},
		{"timeout", func(_ int, c *karafka.BatchContext) error { <-c.Done(); return nil }, 5 * time.Millisecond, karafka.ErrTimeout, true},
		{"transient", func(calls int, c *karafka.BatchContext) error {
			if calls == 1 {
				return errors.New("db busy")
			}
			c.RespondTo(0, "ok")
			return nil
		}, 0, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var calls, factories atomic.Int32
			route := visits(new([][]int64), 0)
			route.Timeout = c.timeout
			route.BatchController = func() karafka.BatchController {
				factories.Add(1)
				return karafka.BatchControllerFunc(func(bc *karafka.BatchContext) error { return c.consume(int(calls.Add(1)), bc) })
			}
			res := karafkatest.NewRoute(t, route).One(visit("a", 0))
			if c.dead != (res.DeadLetter != nil) {
				t.Fatalf("dead letter %v, want %v (err %v)", res.DeadLetter, c.dead, res.Err)
			}
			if c.dead {
				var pe *supervision.PanicError
				if c.want != nil && !errors.Is(res.Err, c.want) || c.want == nil && !errors.As(res.Err, &pe) || res.Attempts != 3 {
					t.Fatalf("err %v attempts %d", res.Err, res.Attempts)
				}
				return
			}
			if produced(res) != `visits_seen=ok` || calls.Load() != 2 || factories.Load() < 3 {
				// 1 at resolve, 1 for the first try, 1 after its failure.
				t.Fatalf("produced %q calls %d factories %d", produced(res), calls.Load(), factories.Load())
			}
		})
	}
}

// A malformed payload is dead-lettered alone; the batch goes on without it.
func TestRoute_batchMalformedPayload(t *testing.T) {
	var batches [][]int64
	res := karafkatest.NewRoute(t, visits(&batches, 0)).Feed(visit("a", 0), karafkatest.Value(`{"page":`).At(0, 1), visit("c", 2))
	if res[1].DeadLetter == nil || !errors.Is(res[1].Err, params.ErrParse) || res[0].DeadLetter != nil || res[2].DeadLetter != nil {
		t.Fatalf("results %+v", res)
	}
	if produced(res[0]) != `visits_seen=a,visits_counted=3` || produced(res[2]) != `visits_seen=c` {
		t.Fatalf("produced %q %q", produced(res[0]), produced(res[2]))
	}
}

// Without a dead letter topic the poison message is reported Blocked.
func TestRoute_batchBlockedWithoutDeadLetter(t *testing.T) {
	route := visits(new([][]int64), 0)
	route.DisableDeadLetter = true
	res := karafkatest.NewRoute(t, route).Feed(visit("a", 0), visit("poison", 1), visit("c", 2))
	if !res[1].Blocked || res[1].DeadLetter != nil || res[0].Blocked || produced(res[0]) != `visits_seen=a,visits_counted=1` {
		t.Fatalf("results %+v", res)
	}
}
