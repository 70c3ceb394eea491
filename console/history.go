package console

import (
	"time"
)

// historyStep is the resolution of the history: one sample per process
// per step at most (the latest report in it).
const historyStep = 5 * time.Second

// lagWindow is how far back a partition's lag is kept for lag_growing.
const lagWindow = 2 * time.Minute

// sample is one process's counters at one time, per route.
type sample struct {
	t      time.Time
	routes map[routeID]routeSample
}

type routeID struct{ topic, group string }

// routeSample is a route's counters (since the process started) and its
// lag over the partitions the process holds.
type routeSample struct {
	processed, failed, deadLetters, lag int64
}

// addSample adds r to e's history: in r's step, the latest report wins;
// samples older than the window at now go.
func (e *procEntry) addSample(r Report, now time.Time) {
	s := sample{t: r.Time, routes: map[routeID]routeSample{}}
	for _, rt := range r.State.Routes {
		s.routes[routeID{rt.Topic, rt.Group}] = routeSample{processed: rt.Processed, failed: rt.Failed, deadLetters: rt.DeadLetters}
	}
	for _, p := range r.State.Partitions {
		if !p.Assigned {
			continue
		}
		id := routeID{p.Topic, p.Group}
		rs := s.routes[id]
		rs.lag += p.Lag
		s.routes[id] = rs
	}
	step := r.Time.Truncate(historyStep)
	same := func(j int) bool { return e.samples[j].t.Truncate(historyStep).Equal(step) }
	// Reports come in order from one process, but the topic and the
	// process itself may both hand one in: insert in place. The first
	// sample is the baseline, never replaced: what the process counted
	// later in its first step is a rate like any other.
	i := len(e.samples)
	for i > 0 && e.samples[i-1].t.After(r.Time) {
		i--
	}
	switch {
	case i > 1 && same(i-1):
		e.samples[i-1] = s
	case i >= 1 && i < len(e.samples) && same(i):
		// a later report of the same step is there already
	default:
		e.samples = append(e.samples, sample{})
		copy(e.samples[i+1:], e.samples[i:])
		e.samples[i] = s
	}
	cutoff := now.Add(-HistoryWindow)
	n := 0
	for n < len(e.samples) && e.samples[n].t.Before(cutoff) {
		n++
	}
	n = max(n, len(e.samples)-maxSamples)
	e.samples = e.samples[n:]
}

// Series is the history of one route (or of all, summed) over the last
// HistoryWindow, one point per step from the first with data: rates per
// second and the lag. A nil point had no data.
type Series struct {
	Topic       string     `json:"topic"`
	Group       string     `json:"group"`
	StepMS      int64      `json:"step_ms"`
	Time        []int64    `json:"time"`
	Processed   []*float64 `json:"processed"`
	Failed      []*float64 `json:"failed"`
	DeadLetters []*float64 `json:"dead_letters"`
	Lag         []*float64 `json:"lag"`
}

// History returns the series of the route of topic and group summed over
// every process; empty topic: every route.
func (c *Collector) History(topic, group string) Series {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	end := now.Truncate(historyStep)
	start := end.Add(-HistoryWindow)
	n := int(HistoryWindow/historyStep) + 1
	s := Series{Topic: topic, Group: group, StepMS: historyStep.Milliseconds(), Time: make([]int64, n),
		Processed: make([]*float64, n), Failed: make([]*float64, n), DeadLetters: make([]*float64, n), Lag: make([]*float64, n)}
	for i := range n {
		s.Time[i] = start.Add(time.Duration(i) * historyStep).Unix()
	}
	add := func(pts []*float64, i int, v float64) {
		if pts[i] == nil {
			pts[i] = new(float64)
		}
		*pts[i] += v
	}
	match := func(id routeID) bool {
		return (topic == "" || id.topic == topic) && (group == "" || id.group == group)
	}
	for _, e := range c.procs {
		for k, cur := range e.samples {
			i := int(cur.t.Truncate(historyStep).Sub(start) / historyStep)
			if i < 0 || i >= n {
				continue
			}
			for id, rs := range cur.routes {
				if !match(id) {
					continue
				}
				add(s.Lag, i, float64(rs.lag))
				if k == 0 {
					continue
				}
				prev := e.samples[k-1]
				dt := cur.t.Sub(prev.t).Seconds()
				if dt <= 0 {
					continue
				}
				ps := prev.routes[id]
				// What was counted from prev to cur is spread over the
				// steps after prev's up to cur's (cur's alone when both
				// are in one step): a process whose reports came late,
				// or were not read for a while, leaves no hole, and each
				// message counts once (a point times the step is the
				// count).
				from := max(int(prev.t.Truncate(historyStep).Sub(start)/historyStep)+1, 0)
				from = min(from, i)
				per := float64(i-from+1) * historyStep.Seconds()
				for b := from; b <= i; b++ {
					add(s.Processed, b, float64(delta(ps.processed, rs.processed))/per)
					add(s.Failed, b, float64(delta(ps.failed, rs.failed))/per)
					add(s.DeadLetters, b, float64(delta(ps.deadLetters, rs.deadLetters))/per)
				}
			}
		}
	}
	// Start at the first point with data (a deployment younger than the
	// window draws its own time, not a dot at the end of an hour); with
	// no data at all, the last point alone.
	first := n - 1
	for i := range n {
		if s.Lag[i] != nil || s.Processed[i] != nil {
			first = i
			break
		}
	}
	s.Time, s.Processed, s.Failed, s.DeadLetters, s.Lag = s.Time[first:], s.Processed[first:], s.Failed[first:], s.DeadLetters[first:], s.Lag[first:]
	return s
}

// delta is what a counter counted from prev to cur; a counter that went
// down started again (a restarted process under the same id), so cur is
// all of its increase.
func delta(prev, cur int64) int64 {
	if d := cur - prev; d >= 0 {
		return d
	}
	return cur
}
