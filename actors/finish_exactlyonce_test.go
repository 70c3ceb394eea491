package actors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/producer"
)

// txnLog is a fake transactional producer: it writes down every call as a
// line ("begin", "send out:1", "offsets in/0=103 gen 7", "commit", "abort",
// "close"). Sends succeed unless failSend says otherwise; commitErr fails
// the next CommitTxn, and fatal makes the producer fenced.
type txnLog struct {
	mu        sync.Mutex
	ops       []string
	failSend  func(*producer.Message) error
	commitErr error
	fatal     bool
}

var _ TxnProducer = (*txnLog)(nil)

func (l *txnLog) add(op string) {
	l.mu.Lock()
	l.ops = append(l.ops, op)
	l.mu.Unlock()
}

func (l *txnLog) log() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ops)
}

func (l *txnLog) SendAsync(m *producer.Message, done func(producer.Result)) {
	l.add("send " + m.Topic + ":" + string(m.Value))
	var err error
	if l.failSend != nil {
		err = l.failSend(m)
	}
	done(producer.Result{Message: m, Err: err})
}

func (l *txnLog) BeginTxn() error { l.add("begin"); return nil }

func (l *txnLog) AddOffsets(offsets []client.Offset, g client.Member) error {
	for _, o := range offsets {
		l.add(fmt.Sprintf("offsets %s/%d=%d gen %d", o.Topic, o.Partition, o.Offset, g.Generation))
	}
	return nil
}

func (l *txnLog) CommitTxn() error {
	l.mu.Lock()
	err := l.commitErr
	l.commitErr = nil
	l.mu.Unlock()
	if err != nil {
		l.add("commit failed")
		return err
	}
	l.add("commit")
	return nil
}

func (l *txnLog) AbortTxn() error { l.add("abort"); return nil }
func (l *txnLog) Fatal() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fatal
}
func (l *txnLog) Close() error { l.add("close"); return nil }

// newTxnSession makes an exactly-once session over log whose transactions
// hold at most max messages and are never committed by time in a test.
func newTxnSession(t *testing.T, log *txnLog, max int) (*exactlyOnceSession, *membership) {
	t.Helper()
	d := newTestDeps(t, log, nil)
	m := &membership{d: d, group: "g", prod: log}
	s := newExactlyOnceSession(m, log, client.Member{Group: "g", Generation: 7, MemberID: "m"}, max, time.Hour)
	return s, m
}

func consume(p *partition, offsets ...int64) []*work {
	ws := make([]*work, len(offsets))
	for i, o := range offsets {
		ws[i] = p.accept(&client.Record{Topic: "in", Offset: o})
	}
	return ws
}

func out(v string) []producer.Message { return []producer.Message{{Topic: "out", Value: []byte(v)}} }

// Messages finishing out of order (virtual partitions, filtered messages)
// go into the transaction in offset order, each with the offsets up to it:
// never a response without its offset, nor out of input order.
func TestExactlyOnce_handsOverInOffsetOrder(t *testing.T) {
	log := &txnLog{}
	s, _ := newTxnSession(t, log, 1000)
	p := newPartition(s.m.d, claimRoute(nil, ""), 0, s)
	ws := consume(p, 100, 101, 102, 103)
	p.fin.respond(ws[2], out("2"))
	p.fin.done(ws[1])
	if got := log.log(); len(got) != 0 {
		t.Fatalf("handed over %v while offset 100 is unfinished", got)
	}
	if n := p.fin.outstanding(); n != 4 {
		t.Fatalf("outstanding %d, want 4", n)
	}
	p.fin.respond(ws[0], out("0"))
	p.fin.respond(ws[3], out("3"))
	s.end()
	want := []string{"begin", "send out:0", "send out:2", "send out:3", "offsets in/0=104 gen 7", "commit"}
	if got := log.log(); !slices.Equal(got, want) {
		t.Fatalf("ops\n got %q\nwant %q", got, want)
	}
	if n := p.fin.outstanding(); n != 0 {
		t.Fatalf("outstanding %d, want 0", n)
	}
}

// A transaction is committed once it holds max messages; the next one opens
// with the next message.
func TestExactlyOnce_commitsAtMaxMessages(t *testing.T) {
	log := &txnLog{}
	s, m := newTxnSession(t, log, 2)
	m.aborts = 3 // a commit starts the backoff after aborts over
	p := newPartition(s.m.d, claimRoute(nil, ""), 0, s)
	ws := consume(p, 0, 1, 2)
	p.fin.respond(ws[0], out("0"))
	p.fin.respond(ws[1], out("1"))
	waitFor(t, "a commit", func() bool { return slices.Contains(log.log(), "commit") })
	p.fin.respond(ws[2], out("2"))
	s.end()
	want := []string{"begin", "send out:0", "send out:1", "offsets in/0=2 gen 7", "commit",
		"begin", "send out:2", "offsets in/0=3 gen 7", "commit"}
	if got := log.log(); !slices.Equal(got, want) {
		t.Fatalf("ops\n got %q\nwant %q", got, want)
	}
	if n := m.abortedSessions(); n != 0 {
		t.Fatalf("aborted sessions %d after a commit, want 0", n)
	}
}

// State follows the transactions: a partition's offsets handed to the open
// transaction are its marked offset, and its committed offset (and lag)
// moves once the transaction committed, as after an at-least-once commit.
func TestExactlyOnce_stateFollowsCommittedTransactions(t *testing.T) {
	log := &txnLog{}
	s, _ := newTxnSession(t, log, 1000)
	p := newPartition(s.m.d, claimRoute(nil, ""), 0, s)
	p.committed.Store(100) // the group's offset at assignment
	ws := consume(p, 100, 101, 102)
	p.fin.respond(ws[0], out("0"))
	p.fin.done(ws[1])
	if st := p.state(); st.Committed != 100 || st.Marked != 102 {
		t.Fatalf("before the commit: committed %d marked %d, want 100 and 102", st.Committed, st.Marked)
	}
	s.mu.Lock()
	s.commit()
	s.mu.Unlock()
	if st := p.state(); st.Committed != 102 || st.Marked != 102 {
		t.Fatalf("after the commit: committed %d marked %d, want 102 and 102", st.Committed, st.Marked)
	}
	p.fin.done(ws[2])
	s.end()
	if st := p.state(); st.Committed != 103 {
		t.Fatalf("after the session's last commit: committed %d, want 103", st.Committed)
	}
}

// A record of the open transaction that was not written aborts the
// transaction instead of committing it; the session ends, and messages
// finished afterwards are dropped (consumed again by the next session).
// A dead letter's acknowledgement runs only after a commit.
func TestExactlyOnce_abortsWhenASendFailed(t *testing.T) {
	boom := errors.New("boom")
	log := &txnLog{failSend: func(m *producer.Message) error {
		if string(m.Value) == "1" {
			return boom
		}
		return nil
	}}
	s, m := newTxnSession(t, log, 1000)
	p := newPartition(s.m.d, claimRoute(nil, "dlq"), 0, s)
	ws := consume(p, 0, 1, 2)
	acked := false
	p.fin.deadLetter(ws[0], &producer.Message{Topic: "dlq", Value: []byte("0")}, func() { acked = true })
	p.fin.respond(ws[1], out("1"))
	waitFor(t, "an abort", func() bool { return slices.Contains(log.log(), "abort") })
	p.fin.respond(ws[2], out("2"))
	s.end()
	want := []string{"begin", "send dlq:0", "send out:1", "abort"}
	if got := log.log(); !slices.Equal(got, want) {
		t.Fatalf("ops\n got %q\nwant %q", got, want)
	}
	if acked {
		t.Fatal("dead letter reported written although its transaction aborted")
	}
	if n := m.abortedSessions(); n != 1 {
		t.Fatalf("aborted sessions %d, want 1", n)
	}
}

// A fenced producer's transaction is not aborted by it (it cannot: the
// broker does); the session ends and the producer is closed, so the next
// session makes a new one.
func TestExactlyOnce_fencedProducerEndsTheSession(t *testing.T) {
	log := &txnLog{commitErr: producer.ErrFenced, fatal: true}
	s, m := newTxnSession(t, log, 1)
	p := newPartition(s.m.d, claimRoute(nil, ""), 0, s)
	ws := consume(p, 5)
	p.fin.respond(ws[0], out("5"))
	waitFor(t, "the session to end", func() bool { return m.abortedSessions() == 1 })
	s.end()
	want := []string{"begin", "send out:5", "offsets in/0=6 gen 7", "commit failed", "close"}
	if got := log.log(); !slices.Equal(got, want) {
		t.Fatalf("ops\n got %q\nwant %q", got, want)
	}
	if m.prod != nil {
		t.Fatal("the fenced producer is still the member's: the next session would use it")
	}
}

// A session that ended clean (committed, or aborted) leaves its producer to
// the member: the next session uses it, without a new InitProducerId; the
// producer is closed when the member leaves. One whose abort failed is
// closed at once, so the next session makes a new one (whose
// InitProducerId aborts what the old one left open).
func TestExactlyOnce_producerOutlivesCleanSessions(t *testing.T) {
	made := 0
	newMember := func(log *txnLog) *membership {
		d := newTestDeps(t, log, nil)
		return &membership{d: d, group: "g", txn: &TransactionConfig{NewProducer: func(string) (TxnProducer, error) {
			made++
			return log, nil
		}}}
	}
	session := func(m *membership, failSend bool) {
		t.Helper()
		prod, err := m.txnProducer(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		s := newExactlyOnceSession(m, prod, client.Member{Group: "g", Generation: 7}, 1, time.Hour)
		p := newPartition(m.d, claimRoute(nil, ""), 0, s)
		ws := consume(p, 0)
		if failSend {
			p.fin.respond(ws[0], []producer.Message{{Topic: "missing", Value: []byte("0")}})
			waitFor(t, "the session to end", func() bool { return m.abortedSessions() > 0 })
		} else {
			p.fin.respond(ws[0], out("0"))
		}
		s.end()
	}

	log := &txnLog{failSend: func(m *producer.Message) error {
		if m.Topic == "missing" {
			return errors.New("unknown topic")
		}
		return nil
	}}
	m := newMember(log)
	session(m, false)
	session(m, true) // aborted, and the abort worked: still usable
	session(m, false)
	if made != 1 {
		t.Fatalf("%d producers made for three sessions, want 1", made)
	}
	if got := log.log(); slices.Contains(got, "close") {
		t.Fatalf("the producer was closed between sessions: %q", got)
	}
	m.releaseProducer(false)
	if got := log.log(); got[len(got)-1] != "close" || m.prod != nil {
		t.Fatalf("leaving the group did not close the producer: %q", got)
	}

	broken := &abortFails{txnLog: txnLog{failSend: log.failSend}}
	m = newMember(&broken.txnLog)
	m.txn.NewProducer = func(string) (TxnProducer, error) { made++; return broken, nil }
	made = 0
	session(m, true)
	if m.prod != nil || !slices.Contains(broken.log(), "close") {
		t.Fatalf("a producer whose abort failed was kept: %q", broken.log())
	}
	session(m, false)
	if made != 2 {
		t.Fatalf("%d producers made, want 2: a new one after the failed abort", made)
	}
}

// abortFails is a txnLog whose AbortTxn fails.
type abortFails struct{ txnLog }

func (l *abortFails) AbortTxn() error { l.add("abort failed"); return errors.New("coordinator gone") }

// Once a partition is handed back, what finishes afterwards is not put in
// the transaction: its next owner consumes it again.
func TestExactlyOnce_handedBackPartitionAddsNothing(t *testing.T) {
	log := &txnLog{}
	s, _ := newTxnSession(t, log, 1000)
	p := newPartition(s.m.d, claimRoute(nil, ""), 0, s)
	ws := consume(p, 0, 1)
	p.fin.respond(ws[0], out("0"))
	if n := p.fin.handBack(); n != 1 {
		t.Fatalf("handBack left %d unfinished, want 1", n)
	}
	p.fin.respond(ws[1], out("1"))
	s.end()
	want := []string{"begin", "send out:0", "offsets in/0=1 gen 7", "commit"}
	if got := log.log(); !slices.Equal(got, want) {
		t.Fatalf("ops\n got %q\nwant %q", got, want)
	}
}

// MessageProcessed of an exactly-once route comes after the commit and
// says how each message finished and how long it took, as at-least-once's
// does (metrics count outcomes and durations from it).
func TestExactlyOnce_processedEventsCarryOutcomeAndDuration(t *testing.T) {
	log := &txnLog{}
	d := newTestDeps(t, log, nil)
	var mu sync.Mutex
	var got []events.Event
	d.bus.Subscribe(func(e events.Event) {
		if e.Kind == events.MessageProcessed {
			mu.Lock()
			got = append(got, e)
			mu.Unlock()
		}
	})
	m := &membership{d: d, group: "g", prod: log}
	s := newExactlyOnceSession(m, log, client.Member{Group: "g", Generation: 7, MemberID: "m"}, 1000, time.Hour)
	p := newPartition(d, claimRoute(nil, ""), 0, s)
	ws := consume(p, 0, 1)
	for _, w := range ws {
		w.entry.start = time.Now().Add(-time.Second)
	}
	p.fin.respond(ws[0], out("0"))
	ws[1].entry.outcome = events.OutcomeFiltered
	p.fin.done(ws[1])
	s.end()
	waitFor(t, "two MessageProcessed events", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 })
	mu.Lock()
	defer mu.Unlock()
	for i, want := range []events.Outcome{events.OutcomeOK, events.OutcomeFiltered} {
		if got[i].Offset != int64(i) || got[i].Outcome != want || got[i].Duration < time.Second {
			t.Errorf("event %d: offset %d outcome %v duration %v, want offset %d outcome %v duration >= 1s",
				i, got[i].Offset, got[i].Outcome, got[i].Duration, i, want)
		}
	}
}

// Making the producer may hang (a broker that accepts connections and
// never answers InitProducerId): the member's stop does not wait for it,
// and a producer that arrives after the stop is closed, not kept.
func TestExactlyOnce_stopDoesNotWaitForAProducerBeingMade(t *testing.T) {
	log := &txnLog{}
	release := make(chan struct{})
	m := &membership{d: newTestDeps(t, log, nil), group: "g", txn: &TransactionConfig{NewProducer: func(string) (TxnProducer, error) {
		<-release
		return log, nil
	}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.readyProducer(ctx) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("readyProducer after the stop: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readyProducer still waits for the producer 5s after the stop")
	}
	close(release)
	waitFor(t, "the late producer to be closed", func() bool { return slices.Contains(log.log(), "close") })
	if m.prod != nil {
		t.Fatal("a producer made after the stop was kept")
	}
}
