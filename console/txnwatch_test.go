package console

import (
	"github.com/karafka-actors/karafka-actors/ops"
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

// A paused partition fetches nothing: its process's high watermark and
// lag stay put, and the listed end offsets correct them.
func TestTxnWatch_correctsTheLagOfAPausedPartition(t *testing.T) {
	w := NewTxnWatch()
	w.observe(client.Offsets{"in": {0: 500, 1: 9}}, client.Offsets{"in": {0: 500, 1: 9}})
	parts := []PartitionHolder{
		{PartitionState: ops.PartitionState{Topic: "in", Partition: 0, Committed: 180, HighWatermark: 181, Lag: 1, OperatorPaused: true}},
		{PartitionState: ops.PartitionState{Topic: "in", Partition: 1, Committed: 9, HighWatermark: 9}},
	}
	w.correctLag(parts)
	if p := parts[0]; p.HighWatermark != 500 || p.Lag != 320 {
		t.Errorf("paused partition: high watermark %d lag %d, want 500 and 320", p.HighWatermark, p.Lag)
	}
	if p := parts[1]; p.HighWatermark != 9 || p.Lag != 0 {
		t.Errorf("partition caught up: %d %d, want 9 and 0", p.HighWatermark, p.Lag)
	}
}
