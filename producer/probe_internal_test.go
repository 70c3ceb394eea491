package producer

import (
	"errors"
	"log/slog"
	"testing"
)

// fakeBackend answers each send once its test releases it, with offset.
type fakeBackend struct {
	sends  chan *Message
	answer chan Result
	closed bool
}

func (f *fakeBackend) send(msg *Message, done func(Result)) {
	f.sends <- msg
	go func() { done(<-f.answer) }()
}

func (f *fakeBackend) close() { f.closed = true }

// A success of the first client on a partition with a record being probed
// waits behind it, and is reported with ErrReordered when the probe was
// written after it, as is one reported after the probe but written before;
// otherwise it is a success. Successes of other partitions do not wait.
// The probe goes to the record's partition, alone, and its outcome is the
// record's Result.
func TestProber_successesWaitForProbes(t *testing.T) {
	fb := &fakeBackend{sends: make(chan *Message, 1), answer: make(chan Result)}
	opened := 0
	p := newProber(func() (backend, error) { opened++; return fb, nil }, slog.New(slog.DiscardHandler))
	got := make(chan Result, 10)
	done := func(r Result) { got <- r }
	success := func(value string, partition int32, offset int64) Result {
		return Result{Message: &Message{Topic: "t", Value: []byte(value)}, Partition: partition, Offset: offset}
	}
	if p.written(success("early", 3, 10), done) {
		t.Fatal("a success taken before any probe")
	}

	// A probe that is written: the success waiting behind it landed first.
	a := &Message{Topic: "t", Value: []byte("a")}
	p.probe(a, 3, errors.New("batch refused"), done)
	alone := <-fb.sends
	if alone == a || !alone.ExplicitPartition || alone.Partition != 3 {
		t.Fatalf("probe sent %+v, want a copy to partition 3", alone)
	}
	if !p.written(success("c", 3, 11), done) {
		t.Fatal("a success behind a probe was not held")
	}
	if p.written(success("other", 2, 11), done) {
		t.Fatal("a success of another partition was held")
	}
	fb.answer <- Result{Partition: 3, Offset: 12}
	if r := <-got; r.Err != nil || r.Message != a || r.Offset != 12 {
		t.Fatalf("probe result %+v, want a at offset 12", r)
	}
	if r := <-got; string(r.Message.Value) != "c" || !errors.Is(r.Err, ErrReordered) || r.Offset != 11 {
		t.Fatalf("held success %+v, want c with ErrReordered", r)
	}
	if !p.written(success("late", 3, 11), done) {
		t.Fatal("a success written before the probe, reported after it, was not taken")
	}
	if r := <-got; !errors.Is(r.Err, ErrReordered) {
		t.Fatalf("%+v, want ErrReordered", r)
	}

	// A probe refused alone: the success behind it is in order.
	d := &Message{Topic: "t", Value: []byte("d")}
	p.probe(d, 3, errors.New("batch refused"), done)
	<-fb.sends
	if !p.written(success("e", 3, 20), done) {
		t.Fatal("a success behind a probe was not held")
	}
	refused := errors.New("refused alone")
	fb.answer <- Result{Partition: -1, Offset: -1, Err: refused}
	if r := <-got; r.Message != d || !errors.Is(r.Err, refused) {
		t.Fatalf("probe result %+v, want d refused", r)
	}
	if r := <-got; string(r.Message.Value) != "e" || r.Err != nil || r.Offset != 20 {
		t.Fatalf("held success %+v, want e delivered", r)
	}
	if p.written(success("f", 3, 21), done) {
		t.Fatal("a success after every probe was taken")
	}

	p.close()
	if opened != 1 || !fb.closed {
		t.Errorf("second client opened %d times, closed %v; want once, closed", opened, fb.closed)
	}
}
