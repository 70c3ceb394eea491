package console

import (
	"cmp"
	"slices"
	"time"

	"github.com/karafka-actors/karafka-actors/ops"
)

// Deployment is the document of GET api/deployment: every process that
// reported within the last HistoryWindow and who holds which partition.
type Deployment struct {
	Time         time.Time         `json:"time"`
	ReportsTopic string            `json:"reports_topic"`
	Apps         []string          `json:"apps"`
	Processes    []ProcessView     `json:"processes"`
	Partitions   []PartitionHolder `json:"partitions"`
	// Self is the id of the process serving this console, "" for the
	// standalone console.
	Self string `json:"self"`
}

// ProcessView is one process: who it is, its status and its latest state.
type ProcessView struct {
	Process
	App string `json:"app"`
	// LastSeen is the time of its latest report.
	LastSeen time.Time `json:"last_seen"`
	// Status is running, stale (no report for three intervals) or stopped
	// (it said so in its last report).
	Status     string               `json:"status"`
	IntervalMS int64                `json:"interval_ms"`
	Client     string               `json:"client"`
	Phase      string               `json:"phase"`
	Ready      bool                 `json:"ready"`
	Guarantee  string               `json:"guarantee"`
	Routes     []ops.RouteState     `json:"routes"`
	Partitions []ops.PartitionState `json:"partitions"`
	// Errors counts its recent failures (api/errors lists them).
	Errors int `json:"errors"`
}

// PartitionHolder is a partition and the running process holding it.
type PartitionHolder struct {
	ops.PartitionState
	Holder string `json:"holder"`
}

// Deployment returns the deployment as the collector knows it now.
func (c *Collector) Deployment(self, topic string) Deployment {
	views := c.reports()
	d := Deployment{Time: c.now().UTC(), ReportsTopic: topic, Apps: []string{}, Processes: []ProcessView{}, Partitions: []PartitionHolder{}, Self: self}
	held := map[partID]int{} // index in d.Partitions
	heldAt := map[partID]time.Time{}
	for _, v := range views {
		r := v.r
		if !slices.Contains(d.Apps, r.App) {
			d.Apps = append(d.Apps, r.App)
		}
		d.Processes = append(d.Processes, ProcessView{Process: r.Process, App: r.App, LastSeen: r.Time, Status: v.status,
			IntervalMS: r.IntervalMS, Client: r.State.Client, Phase: r.State.Phase, Ready: r.State.Ready, Guarantee: r.Guarantee,
			Routes: nonNil(r.State.Routes), Partitions: nonNil(r.State.Partitions), Errors: len(r.Errors)})
		if v.status != StatusRunning {
			continue
		}
		for _, p := range r.State.Partitions {
			if !p.Assigned {
				continue
			}
			id := partID{p.Topic, p.Group, p.Partition}
			if i, ok := held[id]; ok {
				// Two processes say they hold it (a handover between
				// their reports): the later report wins.
				if r.Time.After(heldAt[id]) {
					d.Partitions[i] = PartitionHolder{PartitionState: p, Holder: r.Process.ID}
					heldAt[id] = r.Time
				}
				continue
			}
			held[id] = len(d.Partitions)
			heldAt[id] = r.Time
			d.Partitions = append(d.Partitions, PartitionHolder{PartitionState: p, Holder: r.Process.ID})
		}
	}
	slices.Sort(d.Apps)
	slices.SortFunc(d.Partitions, func(a, b PartitionHolder) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Group, b.Group))
	})
	return d
}

// Errors returns the recent failures of every process, newest first.
func (c *Collector) Errors() []ErrorEntry {
	out := []ErrorEntry{}
	for _, v := range c.reports() {
		for _, e := range v.r.Errors {
			e.Process = v.r.Process.ID
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b ErrorEntry) int { return b.Time.Compare(a.Time) })
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
