package actors

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

var errRefused = errors.New("test: broker refused the record")

// flakySender is a broker with one partition per topic. A record it does not
// refuse is written to its topic's log at once, in the order it was handed
// over (as sarama's idempotent producer writes a partition). Results are
// reported later, by a goroutine of its own and in shuffled batches, so that
// a later record's success can be reported before an earlier one's failure.
type flakySender struct {
	refuse func(topic, value string, try int) bool

	mu      sync.Mutex
	logs    map[string][]string // topic → values written, in order
	tries   map[string]int      // topic+value → sends so far
	pending []func()
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	rng     *rand.Rand
}

var _ Sender = (*flakySender)(nil)

func newFlakySender(seed uint64, refuse func(topic, value string, try int) bool) *flakySender {
	s := &flakySender{refuse: refuse, logs: map[string][]string{}, tries: map[string]int{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), rng: rand.New(rand.NewPCG(seed, seed))}
	go s.report()
	return s
}

func (s *flakySender) SendAsync(m *producer.Message, done func(producer.Result)) {
	v := string(m.Value)
	s.mu.Lock()
	s.tries[m.Topic+"|"+v]++
	r := producer.Result{Message: m}
	if s.refuse(m.Topic, v, s.tries[m.Topic+"|"+v]) {
		r.Err = errRefused
	} else {
		s.logs[m.Topic] = append(s.logs[m.Topic], v)
	}
	s.pending = append(s.pending, func() { done(r) })
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// report delivers the pending results, each batch in random order.
func (s *flakySender) report() {
	defer close(s.done)
	for {
		select {
		case <-s.wake:
		case <-s.stop:
			return
		}
		time.Sleep(50 * time.Microsecond) // let a few results gather
		s.mu.Lock()
		batch := s.pending
		s.pending = nil
		s.rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		s.mu.Unlock()
		for _, f := range batch {
			f()
		}
		if len(batch) > 0 {
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}
	}
}

func (s *flakySender) close() {
	close(s.stop)
	<-s.done
}

func (s *flakySender) log(topic string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.logs[topic]...)
}

// orderRoute answers message {"id": N} with N on "out", and also on "even"
// when N is even: two records of one message, to two topics.
func orderRoute() *topology.Resolved {
	return &topology.Resolved{
		Route: topology.Route{
			Topic:  "in",
			Parser: params.JSON,
			Controller: func() controllers.Controller {
				return controllers.Func(func(c *controllers.Context) error {
					id, _ := c.Params.Int("id")
					c.RespondWith(id)
					return nil
				})
			},
			Responder: func() responders.Responder {
				return responders.Func([]responders.Topic{responders.Required("out"), responders.Optional("even")},
					func(out *responders.Output, args ...any) error {
						id := args[0].(int64)
						out.RespondTo("out", strconv.FormatInt(id, 10))
						if id%2 == 0 {
							out.RespondTo("even", strconv.FormatInt(id, 10))
						}
						return nil
					})
			},
		},
		RetryPolicy:       supervision.DefaultRetryPolicy(),
		SupervisionConfig: supervision.DefaultConfig(),
	}
}

// startPartition runs one partition whose responses go through sender, and
// feeds it n messages. mark is the offset it marked last.
func startPartition(t *testing.T, sender Sender, n int) (p *partition, mark *atomic.Int64) {
	t.Helper()
	d := newTestDeps(t, sender, nil)
	sys := d.sys
	mark = new(atomic.Int64)
	p = newPartition(d, orderRoute(), 0, marks(mark.Store))
	pid := sys.Root.Spawn(p.props())
	t.Cleanup(func() { _ = sys.Root.StopFuture(pid).Wait() })
	for i := range n {
		m := &client.Record{Topic: "in", Offset: int64(i), Value: fmt.Appendf(nil, `{"id":%d}`, i)}
		p.ctrl.in.push(sys, p.accept(m))
		if i%7 == 0 {
			time.Sleep(20 * time.Microsecond) // vary how much each hand-over carries
		}
	}
	return p, mark
}

// waitMarked waits until mark reaches n.
func waitMarked(t *testing.T, mark *atomic.Int64, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for mark.Load() < int64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("marked up to %d of %d after 30s", mark.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// checkLastCopiesInOrder checks the guarantee of doc.go on one topic's log:
// every value in want appears, and the last copy of each comes after the last
// copy of every value before it in want.
func checkLastCopiesInOrder(t *testing.T, topic string, log []string, want []string) {
	t.Helper()
	last := map[string]int{}
	for i, v := range log {
		last[v] = i
	}
	prev := -1
	for k, v := range want {
		i, ok := last[v]
		if !ok {
			t.Fatalf("%s: response %s never written (log %v)", topic, v, log)
		}
		if i < prev {
			t.Fatalf("%s: the last copy of %s (at %d) comes before the last copy of %s (at %d): log[%d:%d] = %v",
				topic, v, i, want[k-1], prev, i, prev+1, log[i:prev+1])
		}
		prev = i
	}
}

func TestOutbox_keepsOrderThroughResends(t *testing.T) {
	const n = 400
	cases := []struct {
		name   string
		refuse func(topic, value string, try int) bool
	}{
		{"no failure", func(string, string, int) bool { return false }},
		{"one refused once", func(topic, v string, try int) bool { return topic == "out" && v == "5" && try == 1 }},
		{"one refused three times", func(topic, v string, try int) bool { return topic == "out" && v == "40" && try <= 3 }},
		{"a resend refused behind a first failure", func(topic, v string, try int) bool {
			return topic == "out" && (v == "10" && try == 1 || v == "12" && try == 2)
		}},
		{"the second record of a message refused", func(topic, v string, try int) bool { return topic == "even" && v == "64" && try == 1 }},
		{"every tenth send refused", func() func(string, string, int) bool {
			var mu sync.Mutex
			rng := rand.New(rand.NewPCG(7, 9))
			return func(string, string, int) bool {
				mu.Lock()
				defer mu.Unlock()
				return rng.IntN(10) == 0
			}
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newFlakySender(42, tc.refuse)
			t.Cleanup(s.close)
			_, mark := startPartition(t, s, n)
			waitMarked(t, mark, n)
			var out, even []string
			for i := range n {
				out = append(out, strconv.Itoa(i))
				if i%2 == 0 {
					even = append(even, strconv.Itoa(i))
				}
			}
			checkLastCopiesInOrder(t, "out", s.log("out"), out)
			checkLastCopiesInOrder(t, "even", s.log("even"), even)
		})
	}
}

// A partition handed back (its drain ended) stops resending: its next owner
// consumes the undone messages again, and copies from the old owner would
// only land among the new owner's.
func TestOutbox_stopsResendingWhenHandedBack(t *testing.T) {
	s := newFlakySender(1, func(string, string, int) bool { return true })
	t.Cleanup(s.close)
	p, mark := startPartition(t, s, 3)
	sends := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.tries["out|0"]
	}
	deadline := time.Now().Add(10 * time.Second)
	for sends() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("response 0 sent %d times in 10s, want resends", sends())
		}
		time.Sleep(time.Millisecond)
	}
	p.stopped.Store(true)
	// A resend already under way finishes its batch; none starts after.
	out := &p.fin.(*atLeastOnce).out
	for {
		out.mu.Lock()
		busy := out.resending
		out.mu.Unlock()
		if !busy {
			break
		}
		time.Sleep(time.Millisecond)
	}
	before := sends()
	time.Sleep(50 * time.Millisecond) // ≥ 25 resend periods of at most 2ms
	if after := sends(); after != before {
		t.Errorf("response 0 sent %d more times after the partition was handed back", after-before)
	}
	if got := mark.Load(); got != 0 {
		t.Errorf("marked offset %d, want nothing marked: no response was acknowledged", got)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range []string{"1", "2"} {
		if n := s.tries["out|"+v]; n > s.tries["out|0"] {
			t.Errorf("response %s sent %d times, more than response 0 before it", v, n)
		}
	}
}
