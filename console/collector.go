package console

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
)

// HistoryWindow is how far back the console keeps reports: the history
// charts and what it reads of the reports topic when it starts.
const HistoryWindow = time.Hour

// reportSource is what the Collector needs of a client.Reader.
type reportSource interface {
	Partitions(ctx context.Context, topic string) ([]int32, error)
	Read(ctx context.Context, topic string, partition int32, offset int64, max int) ([]client.Record, error)
	OffsetAt(ctx context.Context, topic string, partition int32, t time.Time) (int64, error)
}

// Collector holds what the console knows of the deployment: each
// process's latest report and an hour of their history. Reports come from
// the reports topic (Run) and from the process itself (Add). It is safe
// for concurrent use.
type Collector struct {
	mu    sync.Mutex
	procs map[string]*procEntry
	now   func() time.Time
	// skipped counts records of the reports topic that were not reports.
	skipped int64
	log     *slog.Logger
}

// procEntry is one process: its latest report and its history.
type procEntry struct {
	last    Report
	samples []sample // oldest first, one per historyStep at most
	// pausedSince and lag track each partition for the health checks.
	parts map[partID]*partTrack
}

// partID names one partition of a route.
type partID struct {
	topic, group string
	partition    int32
}

// partTrack is a partition's recent lag and since when it is paused.
type partTrack struct {
	pausedSince time.Time // zero: not paused
	lags        []lagPoint
}

type lagPoint struct {
	t   time.Time
	lag int64
}

// NewCollector returns an empty Collector.
func NewCollector(log *slog.Logger) *Collector {
	if log == nil {
		log = slog.Default()
	}
	return &Collector{procs: map[string]*procEntry{}, now: time.Now, log: log}
}

// Add takes in one report, as read from the reports topic or from the
// process itself. An older report than the one held is history only.
func (c *Collector) Add(r Report) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.procs[r.Process.ID]
	if e == nil {
		e = &procEntry{parts: map[partID]*partTrack{}}
		c.procs[r.Process.ID] = e
	}
	if !r.Time.Before(e.last.Time) {
		if !e.last.Time.IsZero() && r.Time.Equal(e.last.Time) {
			return // the same report twice (the topic and the process itself)
		}
		e.last = r
		e.track(r)
	}
	e.addSample(r)
	c.prune()
}

// prune drops processes whose latest report is older than the window.
func (c *Collector) prune() {
	cutoff := c.now().Add(-HistoryWindow)
	for id, e := range c.procs {
		if e.last.Time.Before(cutoff) {
			delete(c.procs, id)
		}
	}
}

// track updates the partitions' health tracks from r, the latest report.
func (e *procEntry) track(r Report) {
	seen := map[partID]bool{}
	for _, p := range r.State.Partitions {
		if !p.Assigned {
			continue
		}
		id := partID{p.Topic, p.Group, p.Partition}
		seen[id] = true
		t := e.parts[id]
		if t == nil {
			t = &partTrack{}
			e.parts[id] = t
		}
		if p.Paused {
			if t.pausedSince.IsZero() {
				t.pausedSince = r.Time
			}
		} else {
			t.pausedSince = time.Time{}
		}
		t.lags = append(t.lags, lagPoint{r.Time, p.Lag})
		for len(t.lags) > 0 && r.Time.Sub(t.lags[0].t) > lagWindow {
			t.lags = t.lags[1:]
		}
	}
	for id := range e.parts {
		if !seen[id] {
			delete(e.parts, id)
		}
	}
}

// Run reads the reports topic until ctx ends: first the last
// HistoryWindow of it, then what comes, polling every poll. Partitions
// added to the topic later are found at the next poll. It returns nil
// when ctx ends, and an error only for a topic that does not exist (with
// how to create it) at the start.
func (c *Collector) Run(ctx context.Context, r reportSource, topic string, poll time.Duration) error {
	next := map[int32]int64{}
	first := true
	for {
		parts, err := r.Partitions(ctx, topic)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if first && errors.Is(err, client.ErrUnknownTopicOrPartition) {
				return &MissingTopicError{Topic: topic, Err: err}
			}
			c.log.Warn("console: reports topic not readable; trying again", "topic", topic, "error", err)
		}
		first = false
		for _, p := range parts {
			off, ok := next[p]
			if !ok {
				off, err = r.OffsetAt(ctx, topic, p, c.now().Add(-HistoryWindow))
				if err != nil {
					c.log.Warn("console: reports topic not readable; trying again", "topic", topic, "partition", p, "error", err)
					continue
				}
			}
			for ctx.Err() == nil {
				recs, err := r.Read(ctx, topic, p, off, 500)
				if err != nil {
					c.log.Warn("console: reports topic not readable; trying again", "topic", topic, "partition", p, "error", err)
					break
				}
				for _, rec := range recs {
					off = rec.Offset + 1
					if rec.Value == nil {
						continue // a tombstone: the process is gone
					}
					rep, err := decodeReport(rec.Value)
					if err != nil {
						c.mu.Lock()
						c.skipped++
						c.mu.Unlock()
						continue
					}
					c.Add(rep)
				}
				if len(recs) < 500 {
					break
				}
			}
			next[p] = off
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

// MissingTopicError says the reports topic does not exist.
type MissingTopicError struct {
	Topic string
	Err   error
}

func (e *MissingTopicError) Error() string {
	return "console: reports topic " + e.Topic + " does not exist; create it with `karafka-actors topics create` (with console.reports on)"
}

func (e *MissingTopicError) Unwrap() error { return e.Err }

// Skipped returns how many records of the reports topic were not reports.
func (c *Collector) Skipped() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.skipped
}

// Status of a process in the deployment.
const (
	StatusRunning = "running"
	StatusStale   = "stale"
	StatusStopped = "stopped"
)

// staleAfter is how many report intervals without a report make a
// process stale.
const staleAfter = 3

// status is e's status at now.
func (e *procEntry) status(now time.Time) string {
	switch {
	case e.last.Final:
		return StatusStopped
	case now.Sub(e.last.Time) > staleAfter*time.Duration(max(e.last.IntervalMS, 1))*time.Millisecond:
		return StatusStale
	}
	return StatusRunning
}

// reports returns the latest report of every process with its status,
// by app then id.
func (c *Collector) reports() []procView {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	out := make([]procView, 0, len(c.procs))
	for _, e := range c.procs {
		out = append(out, procView{r: e.last, status: e.status(now)})
	}
	slices.SortFunc(out, func(a, b procView) int {
		if x := strings.Compare(a.r.App, b.r.App); x != 0 {
			return x
		}
		return strings.Compare(a.r.Process.ID, b.r.Process.ID)
	})
	return out
}

// procView is a process as the handler shows it.
type procView struct {
	r      Report
	status string
}
