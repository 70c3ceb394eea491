package interop_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// The chaos suite (TestChaos_*): each scenario streams keyed inputs
// {"id":N} at a steady rate into server processes (interop/internal/server)
// while it injects one kind of fault again and again, then checks that every
// input is answered (a dead-lettered input counts as answered on the dead
// letter topic: lost must be 0) and measures
//
//   - duplicates: responses beyond one per input copy (inputs the streamer
//     wrote twice are counted on the input topic and not held against the
//     servers);
//   - recovery per fault, from the moment the fault ends (a kill, a process's
//     exit after SIGTERM, the broker answering again, SIGCONT, a toxic
//     removed, a slow spell over):
//     "first answer": to the first response, written after it, to an input
//     of a partition the fault hit (the victim's partitions for a process
//     fault, every partition for a broker or network fault);
//     "all answered": until every input sent before it has a response (0
//     when they all had one already); an input counts as sent when the
//     streamer first tried to write it, so a write a broker fault held up
//     is part of the backlog.
//
// Each scenario logs one line starting with "chaos |" with these figures:
// docs/reliability.md collects them. The scenarios run against a broker in
// its own process (`interop-server broker --data-dir`, so it can be
// restarted with its data and frozen) or, with KARAFKA_TEST_BROKERS, the
// real broker (restarted and frozen through KARAFKA_TEST_KAFKA_SCRIPT).
// They are skipped with -short, and each is bounded: every wait ends before
// the test binary's -timeout.

// skipChaos skips a chaos scenario in -short runs.
func skipChaos(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("chaos scenario: skipped with -short")
	}
}

// chaosServerArgs are the chaos servers' settings on top of serverArgs:
// the shortest session timeout brokers accept by default, so dead members
// are noticed in seconds.
var chaosServerArgs = []string{
	"--set", "consumer.session_timeout=6s",
	"--set", "consumer.heartbeat_interval=1s",
}

// fault is one injected failure.
type fault struct {
	kind       string
	start, end time.Time
	// partitions of the input topic the fault hit; nil: all of them.
	partitions map[int32]bool
}

// chaosRun is one scenario's broker, app, servers, inputs and faults.
type chaosRun struct {
	t        *testing.T
	scenario string
	b        *chaosBroker
	a        app
	brokers  []string // what the servers connect to
	client   clientOpts
	args     []string
	static   bool      // each slot's servers have the instance id chaos-<slot>
	slots    []*server // each slot's running incarnation
	nextID   int
	st       *streamer
	out, dlq *collector
	faults   []fault
	deadline time.Time

	mu   sync.Mutex
	note []string
}

// newChaos creates the scenario's topics (input with partitions) and starts
// servers processes in one group, waiting until they hold every partition.
func newChaos(t *testing.T, scenario string, b *chaosBroker, partitions int32, servers int, extra ...string) *chaosRun {
	t.Helper()
	return newChaosWith(t, scenario, b, clientOpts{}, partitions, servers, extra...)
}

// newChaosWith is newChaos with the test's clients tuned by client.
func newChaosWith(t *testing.T, scenario string, b *chaosBroker, client clientOpts, partitions int32, servers int, extra ...string) *chaosRun {
	t.Helper()
	r := &chaosRun{t: t, scenario: scenario, b: b, a: newApp(t, "chaos"), brokers: b.brokers, client: client, deadline: testDeadline(t)}
	r.a.create(t, b.direct, partitions, 3)
	r.args = serverArgs(r.a, r.brokers, append(append([]string(nil), chaosServerArgs...), extra...)...)
	r.static = slices.Contains(extra, staticMembership)
	r.args = slices.DeleteFunc(r.args, func(a string) bool { return a == staticMembership })
	for slot := range servers {
		r.slots = append(r.slots, r.startServer(slot))
	}
	r.waitHeld(90 * time.Second)
	return r
}

// testDeadline is when t's waits must end: a minute before the test
// binary's -timeout, so a stuck scenario fails with its logs instead of a
// panic.
func testDeadline(t *testing.T) time.Time {
	if d, ok := t.Deadline(); ok {
		return d.Add(-time.Minute)
	}
	return time.Now().Add(time.Hour)
}

// within returns d, shortened to what is left before the run's deadline.
func (r *chaosRun) within(d time.Duration) time.Duration {
	if left := time.Until(r.deadline); left < d {
		return max(left, time.Second)
	}
	return d
}

// staticMembership, among newChaos's extra arguments, gives the servers of
// each slot a stable consumer.instance_id (KIP-345 static membership).
const staticMembership = "static-membership"

func (r *chaosRun) startServer(slot int) *server {
	r.nextID++
	args := r.args
	if r.static {
		args = append(slices.Clip(args), "--instance-id", fmt.Sprintf("chaos-%d", slot))
	}
	return startServer(r.t, r.nextID, r.a, args...)
}

// held returns the partitions each running server holds.
func (r *chaosRun) held() (union map[int32]bool, sum int) {
	union = map[int32]bool{}
	for _, s := range r.slots {
		h := s.assigned(r.a.input())
		maps.Copy(union, h)
		sum += len(h)
	}
	return union, sum
}

// waitHeld waits until the running servers hold every input partition once.
func (r *chaosRun) waitHeld(d time.Duration) {
	r.t.Helper()
	n := r.partitions()
	waitUntil(r.t, r.within(d), "every input partition held by one server", func() bool {
		union, sum := r.held()
		return len(union) == n && sum == n
	}, r.slots...)
}

func (r *chaosRun) partitions() int {
	r.t.Helper()
	sc := r.client.config(r.t, r.b.direct)
	c, err := sarama.NewClient(r.b.direct, sc)
	if err != nil {
		r.t.Fatal(err)
	}
	defer c.Close()
	ps, err := c.Partitions(r.a.input())
	if err != nil {
		r.t.Fatal(err)
	}
	return len(ps)
}

// stream starts the inputs, keyed by id, at rate per second, and the
// collectors of the responses and dead letters. value is the payload of an
// id (nil: {"id":N}).
func (r *chaosRun) stream(rate float64, value func(id int) string) {
	r.t.Helper()
	r.streamSpec(streamSpec{rate: rate, value: value})
}

// streamSpec is stream with the inputs' count (spec.n, 0: until finish)
// and payload set by spec; the topic, keys and client are the run's.
func (r *chaosRun) streamSpec(spec streamSpec) {
	r.t.Helper()
	r.out = collectWith(r.t, r.b.direct, r.a.output(), false, r.client)
	r.dlq = collectWith(r.t, r.b.direct, r.a.deadLetter(), true, r.client)
	spec.topic, spec.keyed, spec.client = r.a.input(), true, r.client
	r.st = streamWith(r.t, r.b.direct, spec)
}

// warmUp waits until the stream has been answered for a while.
func (r *chaosRun) warmUp(answered int) {
	r.t.Helper()
	waitUntil(r.t, r.within(90*time.Second), fmt.Sprintf("%d inputs answered before the first fault", answered),
		func() bool { return r.out.answered(answered) == answered }, r.slots...)
}

// sleep waits d, or less when the deadline is near.
func (r *chaosRun) sleep(d time.Duration) { time.Sleep(min(d, r.within(d))) }

// sleepBetween waits a random time in [lo, hi).
func (r *chaosRun) sleepBetween(lo, hi time.Duration) {
	r.sleep(lo + time.Duration(rand.Int64N(int64(hi-lo))))
}

// signal sends sig to the server in slot and waits for it to exit (at most
// exitWithin), returning the fault (not recorded yet: see record): from
// the signal to the exit, on the partitions the server held. The slot is
// empty until restart.
func (r *chaosRun) signal(slot int, sig syscall.Signal, exitWithin time.Duration) (fault, *server) {
	r.t.Helper()
	s := r.slots[slot]
	f := fault{kind: sig.String(), partitions: s.assigned(r.a.input())}
	f.start = time.Now()
	if err := s.cmd.Process.Signal(sig); err != nil {
		r.t.Fatalf("signal %v to server %d: %v", sig, s.id, err)
	}
	select {
	case <-s.done:
	case <-time.After(r.within(exitWithin)):
		r.t.Fatalf("server %d still running %v after %v", s.id, exitWithin, sig)
	}
	f.end = time.Now()
	return f, s
}

// record adds f to the faults recovery is measured for.
func (r *chaosRun) record(f fault) { r.faults = append(r.faults, f) }

// restart starts a new server in slot.
func (r *chaosRun) restart(slot int) { r.slots[slot] = r.startServer(slot) }

// addFault records a fault that hit every partition.
func (r *chaosRun) addFault(kind string, start, end time.Time) {
	r.record(fault{kind: kind, start: start, end: end})
}

// notef adds a remark to the scenario's result line.
func (r *chaosRun) notef(format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.note = append(r.note, fmt.Sprintf(format, a...))
}

// chaosResult is a scenario's figures.
type chaosResult struct {
	inputs, faults   int
	lost             int
	duplicates       int // responses beyond one per input copy
	inputCopies      int // inputs the streamer wrote more than once
	deadLettered     int // inputs answered on the dead letter topic only
	first, all       []time.Duration
	firstNA          int           // faults after which no input of their partitions came
	gap              time.Duration // the longest time without any answer, from the first fault on
	answers          map[int64]int
	deadLetters      []deadLetter
	inputs1          []inputMeta
	answeredDeadline time.Duration // last fault's end to every input answered
}

// finish stops the stream, waits (at most d) until every input is
// answered, on the response or the dead letter topic, and computes the
// scenario's figures; it fails t for any lost input and logs the result
// line. isDeadLetter says which ids are expected on the dead letter topic
// (nil: none).
func (r *chaosRun) finish(d time.Duration, isDeadLetter func(id int64) bool) chaosResult {
	r.t.Helper()
	r.st.stop()
	if r.st.err != nil {
		r.t.Fatal(r.st.err)
	}
	n := int(r.st.sent.Load())
	if isDeadLetter == nil {
		isDeadLetter = func(int64) bool { return false }
	}
	answered := func() int {
		a := r.out.answered(n)
		r.dlq.mu.Lock()
		r.out.mu.Lock()
		for id, k := range r.dlq.counts {
			if k > 0 && id >= 1 && id <= int64(n) && r.out.counts[id] == 0 {
				a++
			}
		}
		r.out.mu.Unlock()
		r.dlq.mu.Unlock()
		return a
	}
	var lastEnd time.Time
	for _, f := range r.faults {
		if f.end.After(lastEnd) {
			lastEnd = f.end
		}
	}
	waitStart := time.Now()
	deadline := waitStart.Add(r.within(d))
	nextLook := waitStart.Add(30 * time.Second)
	for answered() < n && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if time.Now().After(nextLook) {
			r.t.Logf("%s: %d of %d inputs answered %v after the stream ended; %s", r.scenario, answered(), n,
				time.Since(waitStart).Round(time.Second), r.describeGroup())
			nextLook = nextLook.Add(30 * time.Second)
		}
	}
	done := time.Now()
	var committed map[int32]int64
	if answered() < n {
		// Post-mortem: stop the servers gracefully, so that what they
		// finished is written and committed, then read everything.
		r.stopServers()
		committed = testkafka.Committed(r.t, r.b.direct, r.a.name+"_"+r.a.input(), r.a.input())
	} else {
		time.Sleep(2 * time.Second) // late duplicates
	}
	r.out.drain(r.t, r.b.direct, r.client, 30*time.Second)
	r.dlq.drain(r.t, r.b.direct, r.client, 30*time.Second)
	r.out.stop()
	r.dlq.stop()

	copies := inputCopies(r.t, r.b.direct, r.a.input(), r.client)
	res := chaosResult{inputs: n, faults: len(r.faults), inputs1: r.st.inputs(), deadLetters: r.dlq.dead}
	res.answers = r.out.counts
	if !lastEnd.IsZero() {
		res.answeredDeadline = done.Sub(lastEnd)
	}
	var lost []int64
	first := map[int64]time.Time{}
	for id := int64(1); id <= int64(n); id++ {
		c := max(copies[id], 1)
		k, dk := r.out.counts[id], r.dlq.counts[id]
		if copies[id] > 1 {
			res.inputCopies += copies[id] - 1
		}
		switch {
		case k == 0 && dk == 0:
			lost = append(lost, id)
			continue
		case k == 0:
			res.deadLettered++
			res.duplicates += max(dk-c, 0)
		default:
			res.duplicates += max(k-c, 0)
		}
		at, ok := r.out.first[id]
		if dat, dok := r.dlq.first[id]; dok && (!ok || dat.Before(at)) {
			at = dat
		}
		first[id] = at
	}
	res.lost = len(lost)
	if res.lost > 0 {
		r.t.Errorf("%s: %d of %d inputs have no response and no dead letter %v after the stream ended (first: %v)",
			r.scenario, res.lost, n, r.within(d), lost[:min(len(lost), 20)])
		r.explainLost(lost, res.inputs1, committed)
	}
	if len(r.out.bad) > 0 || len(r.dlq.bad) > 0 {
		r.t.Errorf("%s: unreadable records: responses %q, dead letters %q", r.scenario, r.out.bad[:min(len(r.out.bad), 5)], r.dlq.bad[:min(len(r.dlq.bad), 5)])
	}
	if u := r.st.tried.Load() - int64(n); u > 0 {
		r.notef("%d inputs of a batch unconfirmed when the stream stopped are not counted", u)
	}
	for id := range r.out.counts {
		if id < 1 || id > r.st.tried.Load() {
			r.t.Errorf("%s: a response for id %d, which was never sent", r.scenario, id)
		}
		if isDeadLetter(id) {
			r.t.Errorf("%s: input %d answered, want it dead-lettered only", r.scenario, id)
		}
	}
	for id := range r.dlq.counts {
		if !isDeadLetter(id) {
			// Not a failure in itself (the input is answered on the dead
			// letter topic), but worth a remark.
			r.notef("input %d dead-lettered", id)
		}
	}
	byKind := map[string]*[2][]time.Duration{}
	for _, f := range r.faults {
		fa, aa, ok := recoveryTimes(f, res.inputs1, r.out.seen, first)
		k := byKind[f.kind]
		if k == nil {
			k = &[2][]time.Duration{}
			byKind[f.kind] = k
		}
		if !ok {
			res.firstNA++
		} else {
			res.first = append(res.first, fa)
			k[0] = append(k[0], fa)
		}
		res.all = append(res.all, aa)
		k[1] = append(k[1], aa)
	}
	if len(r.faults) > 0 {
		var ats []time.Time
		for _, a := range r.out.seen {
			ats = append(ats, a.at)
		}
		for _, a := range r.dlq.seen {
			ats = append(ats, a.at)
		}
		res.gap = longestGap(r.faults[0].start, ats)
		var acks []time.Time
		for _, in := range res.inputs1 {
			if !in.acked.IsZero() {
				acks = append(acks, in.acked)
			}
		}
		if p := longestGap(r.faults[0].start, acks); p >= time.Second {
			// Answers cannot come faster than inputs: say when the
			// test's own producer was held up too.
			r.notef("the test producer's longest pause %v (%d inputs resent)", round(p), r.st.resent.Load())
		}
	}
	if ks := kinds(r.faults); len(ks) > 1 {
		for _, kind := range ks {
			k := byKind[kind]
			r.notef("%s: first answer max %v, all answered max %v", kind, round(maxOf(k[0])), round(maxOf(k[1])))
		}
	}
	r.t.Log(r.resultLine(res))
	return res
}

// explainLost logs, per input partition, the lost inputs' offsets next to
// the group's committed offset after the servers stopped: an input below it
// was committed without an answer (lost for good), one at or above it was
// not processed in time (a stall).
func (r *chaosRun) explainLost(lost []int64, inputs []inputMeta, committed map[int32]int64) {
	r.t.Helper()
	type span struct{ n, lo, hi, below int64 }
	per := map[int32]*span{}
	for _, id := range lost {
		if id >= int64(len(inputs)) {
			continue
		}
		in := inputs[id]
		s := per[in.partition]
		if s == nil {
			s = &span{lo: in.offset, hi: in.offset}
			per[in.partition] = s
		}
		s.n++
		s.lo, s.hi = min(s.lo, in.offset), max(s.hi, in.offset)
		if c, ok := committed[in.partition]; ok && in.offset < c {
			s.below++
		}
	}
	for _, p := range slices.Sorted(maps.Keys(per)) {
		s := per[p]
		r.t.Logf("%s: partition %d: %d unanswered, offsets %d..%d; committed offset after the servers stopped %d: %d of them below it (committed without an answer)",
			r.scenario, p, s.n, s.lo, s.hi, committed[p], s.below)
	}
}

// describeGroup tells the input group's state and members, as the broker
// sees them.
func (r *chaosRun) describeGroup() string {
	sc := r.client.config(r.t, r.b.direct)
	admin, err := sarama.NewClusterAdmin(r.b.direct, sc)
	if err != nil {
		return "group: " + err.Error()
	}
	defer admin.Close()
	group := r.a.name + "_" + r.a.input()
	ds, err := admin.DescribeConsumerGroups([]string{group})
	if err != nil || len(ds) != 1 {
		return fmt.Sprintf("group: %v", err)
	}
	return fmt.Sprintf("group %s: state %s, %d members", group, ds[0].State, len(ds[0].Members))
}

// stopServers stops every running server gracefully (SIGTERM, at most 45 s
// each, at once).
func (r *chaosRun) stopServers() {
	for _, s := range r.slots {
		if !s.exited() {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, s := range r.slots {
		select {
		case <-s.done:
		case <-time.After(45 * time.Second):
			r.t.Errorf("server %d still running 45s after SIGTERM", s.id)
		}
	}
}

// resultLine is the scenario's figures on one line, for docs/reliability.md.
func (r *chaosRun) resultLine(res chaosResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "chaos | %s | %s | inputs %d | faults %d | lost %d | duplicates %d (%.2f%%)",
		r.scenario, r.b.name, res.inputs, res.faults, res.lost, res.duplicates, 100*float64(res.duplicates)/float64(max(res.inputs, 1)))
	if len(res.first) > 0 {
		fmt.Fprintf(&b, " | first answer median %v max %v", round(median(res.first)), round(maxOf(res.first)))
	} else if len(res.all) > 0 {
		b.WriteString(" | first answer n/a")
	}
	if len(res.all) > 0 {
		fmt.Fprintf(&b, " | all answered median %v max %v", round(median(res.all)), round(maxOf(res.all)))
	}
	if res.gap > 0 {
		fmt.Fprintf(&b, " | longest answer gap %v", round(res.gap))
	}
	if res.firstNA > 0 {
		fmt.Fprintf(&b, " | %d faults hit no partition", res.firstNA)
	}
	if res.inputCopies > 0 {
		fmt.Fprintf(&b, " | %d inputs written twice by the test producer", res.inputCopies)
	}
	if res.deadLettered > 0 {
		fmt.Fprintf(&b, " | %d dead-lettered", res.deadLettered)
	}
	r.mu.Lock()
	notes := r.note
	r.mu.Unlock()
	if len(notes) > 8 {
		notes = append(notes[:8:8], fmt.Sprintf("(%d more)", len(notes)-8))
	}
	if len(notes) > 0 {
		b.WriteString(" | " + strings.Join(notes, "; "))
	}
	return b.String()
}

// maxOf returns the largest of ds (0 for none).
func maxOf(ds []time.Duration) time.Duration {
	return slices.Max(append([]time.Duration{0}, ds...))
}

func round(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// inputCopies counts the records per input key on every partition of
// topic, reading each up to its end.
func inputCopies(t *testing.T, brokers []string, topic string, o clientOpts) map[int64]int {
	t.Helper()
	sc := o.config(t, brokers)
	c, err := sarama.NewClient(brokers, sc)
	if err != nil {
		t.Fatalf("input copies: %v", err)
	}
	defer c.Close()
	cons, err := sarama.NewConsumerFromClient(c)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int{}
	for _, p := range parts {
		end, err := c.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		if end == 0 {
			continue
		}
		pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		timeout := time.After(time.Minute)
	read:
		for {
			select {
			case m := <-pc.Messages():
				var id int64
				if _, err := fmt.Sscan(string(m.Key), &id); err == nil {
					out[id]++
				}
				if m.Offset >= end-1 {
					break read
				}
			case <-timeout:
				t.Fatalf("input copies: %s/%d not read to offset %d within a minute", topic, p, end)
			}
		}
		pc.Close()
	}
	return out
}
