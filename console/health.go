package console

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Finding is one health problem of the deployment (GET api/health).
type Finding struct {
	// Kind is stale_process, stuck, paused_too_long, lag_growing,
	// transaction_open or reports_unreadable.
	Kind string `json:"kind"`
	// Severity is critical or warning.
	Severity string `json:"severity"`
	Process  string `json:"process"`
	Topic    string `json:"topic,omitempty"`
	// Partition is -1 for a finding about a process or the console.
	Partition int32  `json:"partition"`
	Message   string `json:"message"`
}

// The kinds of findings.
const (
	FindingStale         = "stale_process"
	FindingStuck         = "stuck"
	FindingPausedTooLong = "paused_too_long"
	FindingLagGrowing    = "lag_growing"
	// FindingReportsUnreadable: this console cannot read the reports
	// topic (the processes are not to blame for looking stale).
	FindingReportsUnreadable = "reports_unreadable"
)

// Health thresholds.
const (
	// pausedTooLong is how long a partition may stay paused (backpressure
	// or an operator) before it is a finding.
	pausedTooLong = time.Minute
	// lagGrowingFor is how long the lag must have grown, never falling,
	// and lagGrowingBy by how much, to be a finding.
	lagGrowingFor = time.Minute
	lagGrowingBy  = 100
)

// Health returns the deployment's findings, critical first.
func (c *Collector) Health() []Finding {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	out := []Finding{}
	if c.readErr != nil && now.Sub(c.readSince) >= 3*time.Second {
		out = append(out, Finding{Kind: FindingReportsUnreadable, Severity: "critical", Partition: -1,
			Message: fmt.Sprintf("this console cannot read the reports topic since %s ago: the processes it shows stale may be running (%v)",
				now.Sub(c.readSince).Round(time.Second), cut(c.readErr.Error(), maxErrorText))})
	}
	for id, e := range c.procs {
		switch e.status(now) {
		case StatusStopped:
			continue
		case StatusStale:
			out = append(out, Finding{Kind: FindingStale, Severity: "critical", Process: id, Partition: -1,
				Message: fmt.Sprintf("process %s has not reported for %s (it reports every %s): stopped without saying so, hung, or cut off from Kafka",
					id, now.Sub(e.seen).Round(time.Second), time.Duration(e.last.IntervalMS)*time.Millisecond)})
			continue
		}
		for _, p := range e.last.State.Partitions {
			if !p.Assigned {
				continue
			}
			pid := partID{p.Topic, p.Group, p.Partition}
			if p.Stuck != "" {
				out = append(out, Finding{Kind: FindingStuck, Severity: "critical", Process: id, Topic: p.Topic, Partition: p.Partition,
					Message: fmt.Sprintf("%s/%d cannot move on: %s", p.Topic, p.Partition, p.Stuck)})
			}
			t := e.parts[pid]
			if t == nil {
				continue
			}
			if !t.pausedSince.IsZero() && e.last.Time.Sub(t.pausedSince) >= pausedTooLong {
				out = append(out, Finding{Kind: FindingPausedTooLong, Severity: "warning", Process: id, Topic: p.Topic, Partition: p.Partition,
					Message: fmt.Sprintf("%s/%d has been paused for %s (in flight: %d)", p.Topic, p.Partition,
						e.last.Time.Sub(t.pausedSince).Round(time.Second), p.InFlight)})
			}
			if from, to, span, ok := growing(t.lags); ok {
				out = append(out, Finding{Kind: FindingLagGrowing, Severity: "warning", Process: id, Topic: p.Topic, Partition: p.Partition,
					Message: fmt.Sprintf("the lag of %s/%d grew from %d to %d over the last %s", p.Topic, p.Partition, from, to, span.Round(time.Second))})
			}
		}
	}
	rank := map[string]int{"critical": 0, "warning": 1}
	slices.SortFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(rank[a.Severity], rank[b.Severity]), cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Process, b.Process), cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	return out
}

// growing reports whether lags, over their last lagGrowingFor at least,
// never fell and rose by lagGrowingBy or more.
func growing(lags []lagPoint) (from, to int64, span time.Duration, ok bool) {
	if len(lags) < 3 {
		return 0, 0, 0, false
	}
	last := lags[len(lags)-1]
	i := len(lags) - 1
	for i > 0 && lags[i-1].lag <= lags[i].lag {
		i--
	}
	first := lags[i]
	span = last.t.Sub(first.t)
	if span < lagGrowingFor || last.lag-first.lag < lagGrowingBy {
		return 0, 0, 0, false
	}
	return first.lag, last.lag, span, true
}
