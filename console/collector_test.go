package console

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/ops"
)

// clock is a settable time for the collector.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestCollector(start time.Time) (*Collector, *clock) {
	clk := &clock{t: start}
	c := NewCollector(nil)
	c.now = clk.now
	return c, clk
}

func report(id string, at time.Time, processed, lag int64, parts ...ops.PartitionState) Report {
	r := Report{Version: ReportVersion, App: "shop", Process: Process{ID: id, Host: "h", PID: 1}, Time: at, IntervalMS: 5000,
		Guarantee: "at_least_once", State: ops.State{App: "shop", Client: "sarama", Phase: "running", Ready: true,
			Routes: []ops.RouteState{{Topic: "orders", Group: "shop_orders", Processed: processed}}}}
	if len(parts) == 0 {
		parts = []ops.PartitionState{{Topic: "orders", Group: "shop_orders", Partition: 0, Lag: lag, Assigned: true}}
	}
	r.State.Partitions = parts
	return r
}

// Three processes: one running, one stale (no report for three
// intervals), one stopped (its final report). The deployment lists all
// three with their status, and only the running one holds partitions.
func TestCollector_deploymentMarksStaleAndStopped(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c, clk := newTestCollector(t0)
	c.Add(report("a", t0, 10, 0))
	c.Add(report("b", t0, 10, 0, ops.PartitionState{Topic: "orders", Group: "shop_orders", Partition: 1, Assigned: true}))
	stopped := report("c", t0, 5, 0, ops.PartitionState{Topic: "orders", Group: "shop_orders", Partition: 2, Assigned: true})
	stopped.Final = true
	c.Add(stopped)
	clk.t = t0.Add(16 * time.Second)
	c.Add(report("a", clk.t, 20, 0))

	d := c.Deployment("a", "reports")
	status := map[string]string{}
	for _, p := range d.Processes {
		status[p.ID] = p.Status
	}
	if status["a"] != StatusRunning || status["b"] != StatusStale || status["c"] != StatusStopped {
		t.Fatalf("statuses %v, want a running, b stale, c stopped", status)
	}
	if len(d.Partitions) != 1 || d.Partitions[0].Holder != "a" || d.Partitions[0].Partition != 0 {
		t.Errorf("held partitions %+v, want only orders/0 held by a", d.Partitions)
	}
	if d.Self != "a" || len(d.Apps) != 1 || d.Apps[0] != "shop" {
		t.Errorf("self %q apps %v", d.Self, d.Apps)
	}
	h := c.Health()
	if len(h) != 1 || h[0].Kind != FindingStale || h[0].Process != "b" || !strings.Contains(h[0].Message, "16s") {
		t.Errorf("health %+v, want b stale for 16s", h)
	}
}

// Two processes handing a partition over: the later report holds it.
func TestCollector_laterReportHoldsAPartition(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c, _ := newTestCollector(t0.Add(time.Second))
	c.Add(report("a", t0, 0, 0))
	c.Add(report("b", t0.Add(time.Second), 0, 0))
	d := c.Deployment("", "reports")
	if len(d.Partitions) != 1 || d.Partitions[0].Holder != "b" {
		t.Fatalf("partitions %+v, want orders/0 held by b", d.Partitions)
	}
}

// The history sums the rates of every process, per step; a counter that
// went down (the process restarted under the same id) counts from zero.
func TestCollector_historyRatesAndLag(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c, clk := newTestCollector(t0)
	for i, n := range []int64{0, 50, 100} {
		at := t0.Add(time.Duration(i) * 5 * time.Second)
		c.Add(report("a", at, n, 7))
		c.Add(report("b", at, n*2, 3, ops.PartitionState{Topic: "orders", Group: "shop_orders", Partition: 1, Lag: 3, Assigned: true}))
	}
	// b restarted: its counter went down to 20
	c.Add(report("b", t0.Add(15*time.Second), 20, 3, ops.PartitionState{Topic: "orders", Group: "shop_orders", Partition: 1, Lag: 3, Assigned: true}))
	clk.t = t0.Add(15 * time.Second)
	s := c.History("orders", "")
	last := len(s.Time) - 1
	at := func(i int) (float64, float64) {
		if s.Processed[i] == nil || s.Lag[i] == nil {
			t.Fatalf("no data at %d (%v)", i, time.Unix(s.Time[i], 0).UTC())
		}
		return *s.Processed[i], *s.Lag[i]
	}
	if s.Time[last] != t0.Add(15*time.Second).Unix() {
		t.Fatalf("last point at %v", time.Unix(s.Time[last], 0).UTC())
	}
	// at +10s: a 50/5 = 10/s, b 100/5 = 20/s; lag 7+3
	if p, l := at(last - 1); p != 30 || l != 10 {
		t.Errorf("at +10s: %v/s lag %v, want 30/s lag 10", p, l)
	}
	// at +15s: only b, restarted: 20/5 = 4/s
	if p, _ := at(last); p != 4 {
		t.Errorf("at +15s: %v/s, want 4/s", p)
	}
	if s.Processed[0] != nil {
		t.Errorf("an hour ago: %v, want no data", *s.Processed[0])
	}
	if other := c.History("payments", ""); other.Processed[last-1] != nil {
		t.Errorf("another route has data: %v", *other.Processed[last-1])
	}
}

// A partition paused for over a minute, one whose lag grew for a minute,
// and one stuck are findings; a lag that fell is not.
func TestCollector_healthFindings(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c, clk := newTestCollector(t0)
	for i := range 14 {
		at := t0.Add(time.Duration(i) * 5 * time.Second)
		clk.t = at
		wobbly := int64(500)
		if i == 10 {
			wobbly = 10
		}
		c.Add(report("a", at, 0, 0,
			ops.PartitionState{Topic: "orders", Group: "g", Partition: 0, Paused: true, Assigned: true},
			ops.PartitionState{Topic: "orders", Group: "g", Partition: 1, Lag: int64(i) * 20, Assigned: true},
			ops.PartitionState{Topic: "orders", Group: "g", Partition: 2, Lag: wobbly + int64(i), Assigned: true},
			ops.PartitionState{Topic: "orders", Group: "g", Partition: 3, Stuck: "waiting for the schema registry", Assigned: true},
		))
	}
	got := map[string]int32{}
	for _, f := range c.Health() {
		got[f.Kind] = f.Partition
	}
	want := map[string]int32{FindingPausedTooLong: 0, FindingLagGrowing: 1, FindingStuck: 3}
	if len(got) != len(want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	for k, p := range want {
		if g, ok := got[k]; !ok || g != p {
			t.Errorf("%s on partition %v, want %d", k, g, p)
		}
	}
}

// Hostile records on the reports topic are skipped, not shown.
func TestDecodeReport_refusesWhatIsNotAReport(t *testing.T) {
	for name, v := range map[string]string{
		"not json":      "{",
		"other version": `{"version":2,"process":{"id":"a"},"time":"2026-12-07T12:00:00Z"}`,
		"no id":         `{"version":1,"time":"2026-12-07T12:00:00Z"}`,
		"huge":          `{"version":1,"app":"` + strings.Repeat("x", MaxReportBytes) + `"}`,
	} {
		if _, err := decodeReport([]byte(v)); !errors.Is(err, ErrBadReport) {
			t.Errorf("%s: %v, want ErrBadReport", name, err)
		}
	}
}
