package actors

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// These tests drive virtual partitions (virtual.go) through the claim loop,
// like handler_test.go: messages {"id": i, "key": k} at offset i, with
// record key k, answered with "k:i" on "out".

// virtualRoute runs perform on up to max virtual actors; key, when set, is
// the route's Key function. Retries and restarts wait a millisecond.
func virtualRoute(max int, key func(*params.Params) []byte, deadLetter string, perform func(c *controllers.Context, id int64, key string) error) *topology.Resolved {
	fast := supervision.Backoff{Initial: time.Millisecond, Max: time.Millisecond, Multiplier: 1}
	return &topology.Resolved{
		Route: topology.Route{
			Topic:  "in",
			Group:  "g",
			Parser: params.JSON,
			Controller: func() controllers.Controller {
				return controllers.Func(func(c *controllers.Context) error {
					id, _ := c.Params.Int("id")
					k, _ := c.Params.String("key")
					if err := perform(c, id, k); err != nil {
						return err
					}
					c.RespondWith(k + ":" + strconv.FormatInt(id, 10))
					return nil
				})
			},
			Responder: func() responders.Responder {
				return responders.Func([]responders.Topic{responders.Required("out")}, func(out *responders.Output, args ...any) error {
					out.RespondTo("out", args[0].(string))
					return nil
				})
			},
			VirtualPartitions: &topology.VirtualPartitions{Max: max, Key: key},
		},
		DeadLetter:        deadLetter,
		RetryPolicy:       supervision.RetryPolicy{Attempts: 2, Backoff: fast},
		SupervisionConfig: supervision.Config{Strategy: supervision.OneForOne, MaxRestarts: 100, Within: time.Minute, Backoff: fast},
	}
}

// consumeKeyed starts ConsumeClaim on in/0 holding one message per key of
// keys, message i having key keys[i] (none when ""). returned is closed
// when ConsumeClaim returned.
func (c *claimTest) consumeKeyed(t testing.TB, keys []string) (msgs chan *client.Record, returned chan struct{}) {
	msgs = make(chan *client.Record, len(keys))
	for i, k := range keys {
		m := &client.Record{Topic: "in", Partition: 0, Offset: int64(i), Value: fmt.Appendf(nil, `{"id":%d,"key":%q}`, i, k)}
		if k != "" {
			m.Key = []byte(k)
		}
		msgs <- m
	}
	returned = make(chan struct{})
	go func() {
		defer close(returned)
		if err := c.h.ConsumeClaim(c.sess, fakeClaim{msgs: msgs, ctx: c.sess.ctx}); err != nil {
			t.Errorf("ConsumeClaim: %v", err)
		}
	}()
	return msgs, returned
}

// apart returns a key per name, each going to a virtual actor of its own
// among max: name itself, or name followed by a digit.
func apart(max int, names ...string) map[string]string {
	out, used := map[string]string{}, map[int]bool{}
	for _, name := range names {
		for i := 0; ; i++ {
			k := name
			if i > 0 {
				k += strconv.Itoa(i)
			}
			if v := virtualIndex([]byte(k), max); !used[v] {
				used[v], out[name] = true, k
				break
			}
		}
	}
	return out
}

// perKeyOrder checks that answers ("k:i") of each key come in increasing i
// and that every one of want (the ids per key) came; it returns a problem.
func perKeyOrder(answers []string, want map[string][]int64) error {
	got := map[string][]int64{}
	for _, a := range answers {
		k, id, _ := strings.Cut(strings.TrimPrefix(a, "out:"), ":")
		n, _ := strconv.ParseInt(id, 10, 64)
		got[k] = append(got[k], n)
	}
	for k, ids := range want {
		if !slices.Equal(got[k], ids) {
			return fmt.Errorf("key %q: answers %v, want %v", k, got[k], ids)
		}
	}
	return nil
}

// Messages of one key run one at a time in offset order while keys run
// concurrently, with random controller delays; every message is answered
// and the offsets are marked in order, up to the end.
func TestVirtual_perKeyOrderUnderConcurrency(t *testing.T) {
	cases := []struct {
		name string
		key  func(*params.Params) []byte
	}{
		{"record key", nil},
		{"key function", func(p *params.Params) []byte { k, _ := p.String("key"); return []byte(k) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			const n, nkeys = 400, 13
			var (
				mu      sync.Mutex
				running = map[string]bool{}
				seen    = map[string][]int64{}
				overlap error
				active  atomic.Int32
				peak    atomic.Int32
			)
			route := virtualRoute(8, tc.key, "", func(_ *controllers.Context, id int64, k string) error {
				mu.Lock()
				if running[k] && overlap == nil {
					overlap = fmt.Errorf("key %q ran twice at once (offset %d)", k, id)
				}
				running[k] = true
				seen[k] = append(seen[k], id)
				mu.Unlock()
				if a := active.Add(1); a > peak.Load() {
					peak.Store(a)
				}
				time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
				active.Add(-1)
				mu.Lock()
				running[k] = false
				mu.Unlock()
				return nil
			})
			s := &heldSender{auto: true}
			c := newClaimTest(t, s, route, testConsumerConfig())
			keys := make([]string, n)
			want := map[string][]int64{}
			for i := range keys {
				k := "k" + strconv.Itoa(rand.IntN(nkeys))
				if i%50 == 7 {
					k = "" // keyless: all to one virtual actor, in order
				}
				keys[i] = k
				want[k] = append(want[k], int64(i))
			}
			msgs, returned := c.consumeKeyed(t, keys)
			c.waitMarked(t, n)
			close(msgs)
			waitReturned(t, returned)
			mu.Lock()
			defer mu.Unlock()
			if overlap != nil {
				t.Fatal(overlap)
			}
			for k, ids := range want {
				if !slices.Equal(seen[k], ids) {
					t.Fatalf("key %q performed %v, want %v", k, seen[k], ids)
				}
			}
			if err := perKeyOrder(s.sent(), want); err != nil {
				t.Fatalf("responses: %v", err)
			}
			if p := peak.Load(); p < 2 {
				t.Errorf("at most %d controller ran at once, want several", p)
			}
			if m := c.sess.marked(); !increasing(m) {
				t.Fatalf("marks %v not increasing", m)
			}
			if got := c.end(t); got != n {
				t.Errorf("committed %d, want %d", got, n)
			}
		})
	}
}

// A slow message holds back the partition's marks and its backpressure (the
// outstanding count runs from it) while later messages of other keys
// finish; once it finishes, everything is marked.
func TestVirtual_marksOnlyUpToTheLowestUnfinished(t *testing.T) {
	gate := make(chan struct{})
	route := virtualRoute(8, nil, "", func(_ *controllers.Context, id int64, _ string) error {
		if id == 0 {
			<-gate
		}
		return nil
	})
	s := &heldSender{}
	cfg := testConsumerConfig()
	cfg.MaxInFlight, cfg.BatchSize = 6, 6
	c := newClaimTest(t, s, route, cfg)
	k := apart(8, "slow", "a", "b", "c", "d", "e")
	msgs, returned := c.consumeKeyed(t, []string{k["slow"], k["a"], k["b"], k["c"], k["d"], k["e"], k["a"], k["b"]})
	s.waitSends(t, 5) // offsets 1..5: the first batch, but for the slow one
	for i := range 5 {
		s.ack(i)
	}
	waitFor(t, "pause", func() bool { return len(c.pauser.recorded()) >= 1 })
	p := onlyClaim(t, c)
	if n := p.fin.outstanding(); n != 6 {
		t.Fatalf("outstanding %d with offset 0 unfinished and 1..5 acknowledged, want 6", n)
	}
	time.Sleep(10 * time.Millisecond)
	if m := c.sess.marked(); len(m) != 0 {
		t.Fatalf("marked %v while offset 0 is unfinished", m)
	}
	if got := c.pauser.recorded(); !slices.Equal(got, []string{"pause in/0"}) {
		t.Fatalf("pauser calls %v with offset 0 unfinished, want the partition paused", got)
	}
	close(gate)
	got := s.waitSends(t, 6)
	if got[5] != "out:"+k["slow"]+":0" {
		t.Fatalf("sent %v, want the slow one's answer last", got)
	}
	s.ack(5)
	c.waitMarked(t, 6)
	s.waitSends(t, 8) // resumed: offsets 6 and 7
	s.ack(6)
	s.ack(7)
	c.waitMarked(t, 8)
	if m := c.sess.marked(); !increasing(m) || m[0] != 6 {
		t.Fatalf("marks %v: want 6 first (nothing before offset 0 finished), increasing", m)
	}
	close(msgs)
	waitReturned(t, returned)
	if got := c.end(t); got != 8 {
		t.Errorf("committed %d, want 8", got)
	}
}

// onlyClaim returns the partition c's claim loop made.
func onlyClaim(t *testing.T, c *claimTest) *partition {
	t.Helper()
	c.d.claims.mu.Lock()
	defer c.d.claims.mu.Unlock()
	if len(c.d.claims.live) != 1 {
		t.Fatalf("%d claimed partitions, want 1", len(c.d.claims.live))
	}
	for p := range c.d.claims.live {
		return p
	}
	return nil
}

// A poison message is retried and dead-lettered by its virtual actor while
// the other keys go on: its second try waits until every other key's
// message was answered, which never happens if they wait behind it. A later
// message of its own key waits for it.
func TestVirtual_poisonMessageIsIsolatedToItsKey(t *testing.T) {
	k := apart(8, "a", "bad", "b", "c", "d")
	keys := []string{k["a"], k["bad"], k["b"], k["bad"], k["c"], k["a"], k["d"], k["b"]}
	othersDone := make(chan struct{})
	var tries atomic.Int32
	route := virtualRoute(8, nil, "dlq", func(_ *controllers.Context, id int64, _ string) error {
		if id != 1 {
			return nil
		}
		if tries.Add(1) == 2 {
			<-othersDone // the second try: only once every other key was answered
		}
		return errBoom
	})
	s := &heldSender{auto: true}
	c := newClaimTest(t, s, route, testConsumerConfig())
	msgs, returned := c.consumeKeyed(t, keys)
	s.waitSends(t, 6) // a:0, b:2, c:4, a:5, d:6, b:7
	if err := perKeyOrder(s.sent(), map[string][]int64{k["a"]: {0, 5}, k["b"]: {2, 7}, k["c"]: {4}, k["d"]: {6}}); err != nil {
		t.Fatal(err)
	}
	close(othersDone)
	c.waitMarked(t, int64(len(keys)))
	got := s.sent()
	dl, later := slices.Index(got, fmt.Sprintf(`dlq:{"id":1,"key":%q}`, k["bad"])), slices.Index(got, "out:"+k["bad"]+":3")
	if len(got) != 8 || dl < 6 || later < dl {
		t.Fatalf("sent %v: want the 6 other answers, then the dead letter of offset 1, then the answer of offset 3", got)
	}
	var attempts []int
	for _, e := range c.eventsOf(events.MessageFailed) {
		if e.Offset != 1 || !strings.Contains(e.Actor, "virtual-") {
			t.Errorf("MessageFailed of offset %d by actor %q, want offset 1 by a virtual actor", e.Offset, e.Actor)
		}
		attempts = append(attempts, e.Attempt)
	}
	if !slices.Equal(attempts, []int{1, 2}) {
		t.Errorf("MessageFailed attempts %v, want [1 2]", attempts)
	}
	close(msgs)
	waitReturned(t, returned)
	if got := c.end(t); got != int64(len(keys)) {
		t.Errorf("committed %d, want %d", got, len(keys))
	}
}

// Drain waits for the messages of every virtual actor; a hand-back after the
// drain timeout leaves unfinished ones unmarked, and the stopped virtual
// actors take nothing more of their queues.
func TestVirtual_drainAndHandBack(t *testing.T) {
	t.Run("drain", func(t *testing.T) {
		s := &heldSender{}
		c := newClaimTest(t, s, virtualRoute(4, nil, "", func(*controllers.Context, int64, string) error { return nil }), testConsumerConfig())
		_, returned := c.consumeKeyed(t, []string{"a", "b", "c", "d", "e"})
		s.waitSends(t, 5)
		c.cancel() // a rebalance revokes the partition
		select {
		case <-returned:
			t.Fatal("ConsumeClaim returned with 5 messages in flight")
		case <-time.After(20 * time.Millisecond):
		}
		for i := 4; i >= 0; i-- {
			s.ack(i)
		}
		waitReturned(t, returned)
		if last := c.sess.last(); last != 5 {
			t.Fatalf("marked up to %d when the drain ended, want 5", last)
		}
		if got := c.end(t); got != 5 {
			t.Errorf("committed %d, want 5", got)
		}
	})
	t.Run("hand back", func(t *testing.T) {
		gate := make(chan struct{})
		var performed sync.Map
		route := virtualRoute(4, nil, "", func(_ *controllers.Context, id int64, _ string) error {
			performed.Store(id, true)
			if id == 1 {
				<-gate
			}
			return nil
		})
		s := &heldSender{auto: true}
		cfg := testConsumerConfig()
		cfg.DrainTimeout = 20 * time.Millisecond
		c := newClaimTest(t, s, route, cfg)
		c.d.claims.stopping.Store(true) // as at shutdown: undone messages are counted
		k := apart(4, "a", "slow", "b", "c")
		_, returned := c.consumeKeyed(t, []string{k["a"], k["slow"], k["b"], k["slow"], k["c"]})
		s.waitSends(t, 3) // a:0, b:2, c:4
		c.cancel()
		waitReturned(t, returned) // after the drain timeout
		close(gate)
		time.Sleep(20 * time.Millisecond)
		if _, ok := performed.Load(int64(3)); ok {
			t.Error("offset 3 was performed after its virtual actor was stopped")
		}
		if m := c.sess.marked(); !slices.Equal(m, []int64{1}) {
			t.Fatalf("marks %v, want [1]: nothing from the unfinished offset 1 on", m)
		}
		if got := c.end(t); got != 1 {
			t.Errorf("committed %d, want 1", got)
		}
		var undone *UndoneError
		if err := c.d.claims.report(nil); !errors.As(err, &undone) ||
			!slices.Equal(undone.Partitions, []UndonePartition{{Topic: "in", Partition: 0, Messages: 4}}) {
			t.Errorf("report() = %v, want 4 undone messages of in/0 (offsets 1 to 4)", err)
		}
	})
}

// A Key function that panics fails its message in the partitioner stage:
// retried, then dead-lettered; the others go on.
func TestVirtual_keyFunctionPanicDeadLetters(t *testing.T) {
	key := func(p *params.Params) []byte {
		if p.Metadata().Offset == 1 {
			panic("no key")
		}
		return p.Metadata().Key
	}
	s := &heldSender{auto: true}
	c := newClaimTest(t, s, virtualRoute(2, key, "dlq", func(*controllers.Context, int64, string) error { return nil }), testConsumerConfig())
	msgs, returned := c.consumeKeyed(t, []string{"a", "a", "a"})
	c.waitMarked(t, 3)
	if got, want := s.sent(), []string{"out:a:0", `dlq:{"id":1,"key":"a"}`, "out:a:2"}; !slices.Equal(got, want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
	s.mu.Lock()
	headers := map[string]string{}
	for _, h := range s.sends[1].msg.Headers {
		headers[h.Key] = string(h.Value)
	}
	s.mu.Unlock()
	if headers[pipeline.HeaderStage] != "partitioner" {
		t.Errorf("dead letter stage %q, want partitioner", headers[pipeline.HeaderStage])
	}
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}

func TestVirtualIndex_spreadsKeysAndSendsKeylessToOne(t *testing.T) {
	if virtualIndex(nil, 8) != 0 || virtualIndex([]byte{}, 8) != 0 {
		t.Fatal("empty keys must go to virtual actor 0")
	}
	used := map[int]bool{}
	for i := range 100 {
		k := []byte("user-" + strconv.Itoa(i))
		v := virtualIndex(k, 8)
		if v < 0 || v >= 8 || v != virtualIndex(k, 8) {
			t.Fatalf("key %s: index %d", k, v)
		}
		used[v] = true
	}
	if len(used) != 8 {
		t.Errorf("100 keys used %d of 8 virtual actors", len(used))
	}
}

// flakyJSON is params.JSON whose first *down Parse and Decode calls cannot
// look at the payload (a registry outage). It proves its Check, as the
// schema parsers do, so the Check waits for the controller.
type flakyJSON struct{ down *atomic.Int64 }

func (flakyJSON) Name() string            { return "flaky" }
func (flakyJSON) DecodeProvesCheck() bool { return true }
func (f flakyJSON) fail() error {
	if f.down.Add(-1) >= 0 {
		return fmt.Errorf("%w: registry down", params.ErrUnavailable)
	}
	return nil
}
func (f flakyJSON) Check(raw []byte) error { return params.JSON.Check(raw) }
func (f flakyJSON) Parse(raw []byte) (any, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return params.JSON.Parse(raw)
}
func (f flakyJSON) Decode(raw []byte, v any) error { return params.JSON.Decode(raw, v) }

// A key function that read the payload while the parser could not look at
// it got no key: the message waits at the partition (it is not sent to
// the keyless virtual actor), so a later message of its key cannot
// overtake it. Before, message 0 (key "a") went to the keyless actor and
// waited there while message 2 (key "a") was answered first.
func TestVirtual_keyReadDuringAnOutageWaits(t *testing.T) {
	var down atomic.Int64
	down.Store(1)
	key := func(p *params.Params) []byte {
		k, _ := p.String("key")
		return []byte(k)
	}
	route := virtualRoute(4, key, "dlq", func(*controllers.Context, int64, string) error { return nil })
	route.Parser = flakyJSON{&down}
	route.RetryPolicy.Backoff = supervision.Backoff{Initial: 200 * time.Millisecond, Max: 200 * time.Millisecond, Multiplier: 1}
	keys := apart(4, "a", "b", "c")
	// Neither key may share the keyless actor (0) with the other.
	keys["a"], keys["b"] = pick(keys, 4)
	s := &heldSender{auto: true}
	c := newClaimTest(t, s, route, testConsumerConfig())
	msgs, returned := c.consumeKeyed(t, []string{keys["a"], keys["b"], keys["a"]})
	c.waitMarked(t, 3)
	if err := perKeyOrder(s.sent(), map[string][]int64{keys["a"]: {0, 2}, keys["b"]: {1}}); err != nil {
		t.Fatalf("sent %v: %v", s.sent(), err)
	}
	close(msgs)
	waitReturned(t, returned)
	c.end(t)
}

// pick returns two of keys' values whose virtual actors among max are not
// 0, the keyless one.
func pick(keys map[string]string, max int) (string, string) {
	var out []string
	for _, name := range []string{"a", "b", "c"} {
		if virtualIndex([]byte(keys[name]), max) != 0 {
			out = append(out, keys[name])
		}
	}
	return out[0], out[1]
}
