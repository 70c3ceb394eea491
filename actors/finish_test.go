package actors

import (
	"slices"
	"testing"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/producer"
)

// Messages may finish in any order (several actors of one partition, or
// acknowledgements coming back out of order); the mark only ever reaches the
// lowest unfinished offset.
func TestAtLeastOnce_marksUpToTheLowestUnfinishedOffset(t *testing.T) {
	s := &heldSender{}
	d := newTestDeps(t, s, nil)
	var got []int64
	p := newPartition(d, claimRoute(nil, ""), 0, marks(func(next int64) { got = append(got, next) }))
	ws := make([]*work, 6)
	for i := range ws {
		ws[i] = p.accept(&client.Record{Topic: "in", Offset: int64(100 + i)})
	}
	p.fin.done(ws[3])
	p.fin.respond(ws[1], []producer.Message{{Topic: "out", Value: []byte("1")}})
	p.fin.done(ws[4])
	p.fin.respond(ws[5], nil) // no records: finished at once
	if len(got) != 0 {
		t.Fatalf("marked %v with offset 100 unfinished", got)
	}
	p.fin.done(ws[0])
	p.fin.done(ws[2])
	if want := []int64{101}; !slices.Equal(got, want) {
		t.Fatalf("marks %v, want %v: offset 101's response is not acknowledged", got, want)
	}
	if n := p.fin.outstanding(); n != 5 {
		t.Fatalf("outstanding %d, want 5: offsets 101 to 105 are not committable yet", n)
	}
	s.ack(0)
	if want := []int64{101, 106}; !slices.Equal(got, want) {
		t.Fatalf("marks %v, want %v", got, want)
	}
}
