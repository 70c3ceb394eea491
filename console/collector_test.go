package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
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
	clk.t = t0.Add(16 * time.Second) // within 3 intervals of 5 s and the slack of 2 s
	if d := c.Deployment("a", "reports"); d.Processes[1].Status != StatusRunning {
		t.Fatalf("b after 16s: %s, want running", d.Processes[1].Status)
	}
	clk.t = t0.Add(18 * time.Second) // 3 intervals of 5 s and the slack of 2 s passed
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
	if len(h) != 1 || h[0].Kind != FindingStale || h[0].Process != "b" || !strings.Contains(h[0].Message, "18s") {
		t.Errorf("health %+v, want b stale for 18s", h)
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
	// The series starts at the first point with data: the first report
	// gave a lag, no rate yet.
	if len(s.Time) != 4 || s.Time[0] != t0.Unix() || s.Processed[0] != nil || s.Lag[0] == nil {
		t.Errorf("series from %v, %d points, want from the first report, 4 points", time.Unix(s.Time[0], 0).UTC(), len(s.Time))
	}
	// A gap in a process's reports: its count is spread over the steps
	// of the gap, each message counted once.
	c.Add(report("a", t0.Add(40*time.Second), 250, 7))
	clk.t = t0.Add(40 * time.Second)
	g := c.History("orders", "")
	sum := 0.0
	for i, p := range g.Processed {
		if p != nil && g.Time[i] > t0.Add(10*time.Second).Unix() {
			sum += *p * 5
		}
	}
	// a: 150 more from +10 s to +40 s; b: 20 since its restart at +15 s
	if sum < 169 || sum > 171 {
		t.Errorf("after the gap: %.1f messages, want 170", sum)
	}
	if other := c.History("payments", ""); len(other.Time) != 1 || other.Processed[0] != nil {
		t.Errorf("another route: %d points, want the last one alone, without data", len(other.Time))
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

// Hostile records on the reports topic are skipped, not shown: whoever
// can write to it must not make a console hold more, or forge a process
// that never goes stale.
func TestDecodeReport_refusesWhatIsNotAReport(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	good := func(edit func(*Report)) string {
		r := report("a", now, 1, 0)
		edit(&r)
		b, _ := json.Marshal(r)
		return string(b)
	}
	if _, err := decodeReport([]byte(good(func(*Report) {})), []byte("a"), now); err != nil {
		t.Fatalf("a good report: %v", err)
	}
	for name, c := range map[string]struct {
		value, key string
		says       string
	}{
		"not json":        {"{", "a", "unexpected end"},
		"other version":   {good(func(r *Report) { r.Version = 2 }), "a", "version 2"},
		"no id":           {good(func(r *Report) { r.Process.ID = "" }), "", "no process id"},
		"huge":            {`{"version":1,"app":"` + strings.Repeat("x", MaxReportBytes) + `"}`, "a", "bytes"},
		"key mismatch":    {good(func(*Report) {}), "b", `keyed "b" but names process "a"`},
		"never stale":     {good(func(r *Report) { r.IntervalMS = 1e12 }), "a", "interval"},
		"from the future": {good(func(r *Report) { r.Time = now.Add(365 * 24 * time.Hour) }), "a", "ahead of this console's clock"},
		"too old":         {good(func(r *Report) { r.Time = now.Add(-2 * time.Hour) }), "a", "older than the history window"},
		"many errors":     {good(func(r *Report) { r.Errors = make([]ErrorEntry, MaxErrors+1) }), "a", "errors"},
		"long id":         {good(func(r *Report) { r.Process.ID = strings.Repeat("i", 300) }), "", "over 256 bytes"},
	} {
		key := []byte(c.key)
		if c.key == "" {
			key = nil
		}
		if _, err := decodeReport([]byte(c.value), key, now); !errors.Is(err, ErrBadReport) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want ErrBadReport saying %q", name, err, c.says)
		}
	}
}

// However many processes forged reports name, a collector holds at most
// maxProcesses, and a process at most maxSamples of history.
func TestCollector_boundedAgainstFloods(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c, clk := newTestCollector(t0)
	for i := range maxProcesses + 50 {
		clk.t = t0.Add(time.Duration(i) * time.Millisecond)
		c.Add(report(fmt.Sprintf("p%d", i), clk.t, 0, 0))
	}
	if n := len(c.procs); n != maxProcesses {
		t.Errorf("%d processes held, want %d", n, maxProcesses)
	}
	if _, ok := c.procs["p0"]; ok {
		t.Error("the process heard from least recently was kept")
	}
	for i := range 3 * maxSamples {
		clk.t = t0.Add(time.Duration(i) * historyStep)
		c.Add(report("one", clk.t, int64(i), 0))
	}
	if n := len(c.procs["one"].samples); n > maxSamples {
		t.Errorf("%d samples held, want at most %d", n, maxSamples)
	}
}

// fakeReports is a reports topic in memory: missing until created.
type fakeReports struct {
	mu      sync.Mutex
	created bool
	recs    []client.Record
}

func (f *fakeReports) Partitions(ctx context.Context, topic string) ([]int32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.created {
		return nil, fmt.Errorf("topic %q: %w", topic, client.ErrUnknownTopicOrPartition)
	}
	return []int32{0}, nil
}

func (f *fakeReports) Read(ctx context.Context, topic string, p int32, off int64, max int) ([]client.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []client.Record
	for _, r := range f.recs {
		if r.Offset >= off && len(out) < max {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeReports) OffsetAt(ctx context.Context, topic string, p int32, t time.Time) (int64, error) {
	return 0, nil
}

// The collector waits for a reports topic that does not exist yet, says
// so once, reads it once it does, and skips what is not a report.
func TestCollector_runWaitsForTheTopicAndSkipsGarbage(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	c := NewCollector(slog.New(slog.NewTextHandler(writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(b)
	}), nil)))
	src := &fakeReports{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx, src, "reports", 10*time.Millisecond); close(done) }()
	time.Sleep(50 * time.Millisecond)

	good, _ := json.Marshal(report("a", time.Now().UTC(), 1, 0))
	src.mu.Lock()
	src.created = true
	src.recs = []client.Record{{Offset: 0, Value: []byte("garbage")}, {Offset: 1, Key: []byte("gone")}, {Offset: 2, Value: good}}
	src.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for len(c.Deployment("", "reports").Processes) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if d := c.Deployment("", "reports"); len(d.Processes) != 1 || d.Processes[0].ID != "a" {
		t.Fatalf("processes %+v, want a", d.Processes)
	}
	if n := c.Skipped(); n != 1 {
		t.Errorf("skipped %d records, want the garbage one", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "does not exist"); n != 1 {
		t.Errorf("the missing topic logged %d times, want once:\n%s", n, logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// What a process counts within its first step of history is counted: its
// first report is the baseline, not replaced by the later ones of that
// step (the messages of a process's first seconds were lost otherwise).
func TestCollector_historyCountsTheFirstStep(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c, clk := newTestCollector(t0)
	for i := range 40 {
		clk.t = t0.Add(time.Duration(i) * 300 * time.Millisecond)
		n := int64(0)
		if i >= 5 { // at 1.5 s, within the first 5 s step
			n = 31
		}
		c.Add(report("a", clk.t, n, 0))
	}
	s := c.History("orders", "")
	total := 0.0
	for _, p := range s.Processed {
		if p != nil {
			total += *p * 5
		}
	}
	if total < 30.9 || total > 31.1 {
		t.Errorf("history counts %.1f messages, want 31", total)
	}
}
