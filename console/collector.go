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
	// pruned is when processes were last pruned.
	pruned time.Time
	// readErr is why the reports topic cannot be read, since readSince;
	// nil while it can.
	readErr   error
	readSince time.Time
	log       *slog.Logger
}

// maxProcesses bounds the processes a collector holds; beyond it, the one
// heard from least recently is dropped.
const maxProcesses = 1000

// maxSamples bounds a process's history: one sample per step of the
// window.
const maxSamples = int(HistoryWindow/historyStep) + 1

// procEntry is one process: its latest report and its history.
type procEntry struct {
	last Report
	// seen is when this console took in the latest report: staleness is
	// judged by this console's clock, not the process's.
	seen    time.Time
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
	now := c.now()
	e := c.procs[r.Process.ID]
	if e == nil {
		if len(c.procs) >= maxProcesses {
			c.evictLocked()
		}
		e = &procEntry{parts: map[partID]*partTrack{}}
		c.procs[r.Process.ID] = e
	}
	if !r.Time.Before(e.last.Time) {
		if !e.last.Time.IsZero() && r.Time.Equal(e.last.Time) {
			return // the same report twice (the topic and the process itself)
		}
		// A live report is seen now (this console's clock); one of the
		// backlog read at start, when it was sent.
		e.last, e.seen = r, now
		if now.Sub(r.Time) > 10*time.Second {
			e.seen = r.Time
		}
		e.track(r)
	}
	e.addSample(r, now)
	if now.Sub(c.pruned) >= 10*time.Second {
		c.pruned = now
		c.pruneLocked(now)
	}
}

// pruneLocked drops processes not heard from within the window.
func (c *Collector) pruneLocked(now time.Time) {
	cutoff := now.Add(-HistoryWindow)
	for id, e := range c.procs {
		if e.seen.Before(cutoff) {
			delete(c.procs, id)
		}
	}
}

// evictLocked drops the process heard from least recently.
func (c *Collector) evictLocked() {
	var oldest string
	var at time.Time
	for id, e := range c.procs {
		if oldest == "" || e.seen.Before(at) {
			oldest, at = id, e.seen
		}
	}
	delete(c.procs, oldest)
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
		if p.Paused || p.OperatorPaused {
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
// added to the topic later are found at the next poll, and a topic that
// does not exist yet (the app creates it as it starts) when it is
// created: that is logged once, with how to create it.
func (c *Collector) Run(ctx context.Context, r reportSource, topic string, poll time.Duration) {
	next := map[int32]int64{}
	failing := false
	for {
		parts, err := r.Partitions(ctx, topic)
		c.noteRead(err)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil && !failing:
			failing = true
			if errors.Is(err, client.ErrUnknownTopicOrPartition) {
				err = &MissingTopicError{Topic: topic, Err: err}
			}
			c.log.Warn("console: reports topic not readable; trying again every poll", "topic", topic, "poll", poll, "error", err)
		case err == nil && failing:
			failing = false
			c.log.Info("console: reports topic readable", "topic", topic)
		}
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
				c.noteRead(err)
				if err != nil {
					c.log.Warn("console: reports topic not readable; trying again", "topic", topic, "partition", p, "error", err)
					break
				}
				for _, rec := range recs {
					off = rec.Offset + 1
					if rec.Value == nil {
						continue // a tombstone: the process is gone
					}
					rep, err := decodeReport(rec.Value, rec.Key, c.now())
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
			return
		case <-time.After(poll):
		}
	}
}

// noteRead notes whether reading the reports topic failed.
func (c *Collector) noteRead(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err == nil:
		c.readErr = nil
	case c.readErr == nil:
		c.readErr, c.readSince = err, c.now()
	default:
		c.readErr = err
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
// process stale, and staleSlack the time added for a report's way to a
// console (its producer's linger, the console's poll of the topic).
const (
	staleAfter = 3
	staleSlack = 2 * time.Second
)

// status is e's status at now: stale when this console heard nothing of
// it for three of its intervals and the slack.
func (e *procEntry) status(now time.Time) string {
	switch {
	case e.last.Final:
		return StatusStopped
	case now.Sub(e.seen) > staleAfter*time.Duration(max(e.last.IntervalMS, 1))*time.Millisecond+staleSlack:
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
