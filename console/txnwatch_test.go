package console

import (
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
)

// A stable offset behind the end is a finding only once it stayed put
// for a minute; one that moves, or reaches the end, is not.
func TestTxnWatch_openTransactionAfterAMinute(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clk := &clock{t: t0}
	w := NewTxnWatch()
	w.now = clk.now
	obs := func(at time.Duration, stable, end client.Offsets) {
		clk.t = t0.Add(at)
		w.observe(stable, end)
	}
	off := func(p0, p1, p2 int64) client.Offsets { return client.Offsets{"out": {0: p0, 1: p1, 2: p2}} }
	// partition 0: stuck at 2; 1: moves on; 2: caught up
	obs(0, off(2, 10, 7), off(5, 12, 7))
	obs(30*time.Second, off(2, 11, 9), off(9, 14, 9))
	if f := w.Findings(); len(f) != 0 {
		t.Fatalf("after 30s: %+v, want none", f)
	}
	obs(61*time.Second, off(2, 13, 9), off(12, 15, 9))
	f := w.Findings()
	if len(f) != 1 || f[0].Kind != FindingTransactionOpen || f[0].Partition != 0 ||
		!strings.Contains(f[0].Message, "stays at 2 while the end is 12") || !strings.Contains(f[0].Message, "1m1s") {
		t.Fatalf("after 61s: %+v, want out/0 open for 1m1s", f)
	}
	// The transaction ends: the stable offset reaches the end.
	obs(70*time.Second, off(13, 15, 9), off(13, 15, 9))
	if f := w.Findings(); len(f) != 0 {
		t.Fatalf("after the commit: %+v, want none", f)
	}
}
