package ops

import (
	"cmp"
	"slices"
	"time"
)

// State is the JSON document of GET /api/state (see the package
// documentation). Field names are part of the API.
type State struct {
	App string `json:"app"`
	// Client is the Kafka client library the App runs on (kafka.client):
	// "sarama" or "franz".
	Client string    `json:"client"`
	Time   time.Time `json:"time"`
	Phase  string    `json:"phase"`
	Alive  bool      `json:"alive"`
	Ready  bool      `json:"ready"`
	// Routes are in route order.
	Routes []RouteState `json:"routes"`
	// Groups are the consumer-group memberships, in route order.
	Groups []GroupState `json:"groups"`
	// Partitions are by topic, then partition: every partition held now
	// (assigned) and every one seen since the handler was made.
	Partitions []PartitionState `json:"partitions"`
}

// RouteState is one route: its counters summed over its partitions.
type RouteState struct {
	Topic           string `json:"topic"`
	Group           string `json:"group"`
	DeadLetterTopic string `json:"dead_letter_topic"` // "" when dead letters are off
	DeadLetters     int64  `json:"dead_letters"`
	// Processed counts finished messages: OK + Filtered + dead-lettered
	// (+ skipped by an operator without a dead letter topic).
	Processed int64 `json:"processed"`
	OK        int64 `json:"ok"`
	Filtered  int64 `json:"filtered"`
	Failed    int64 `json:"failed"`
}

// GroupState is one consumer-group membership.
type GroupState struct {
	Group     string   `json:"group"`
	Topics    []string `json:"topics"`
	Connected bool     `json:"connected"`
	Joined    bool     `json:"joined"`
	// MissingTopics are the topics of the group's routes that do not
	// exist: the group cannot join until they are created.
	MissingTopics []string `json:"missing_topics,omitempty"`
}

// PartitionState is one partition of a route.
type PartitionState struct {
	Topic         string `json:"topic"`
	Partition     int32  `json:"partition"`
	Group         string `json:"group"`
	Committed     int64  `json:"committed"`
	HighWatermark int64  `json:"high_watermark"`
	Lag           int64  `json:"lag"`
	InFlight      int    `json:"in_flight"`
	Paused        bool   `json:"paused"`
	// OperatorPaused: an operator paused the partition (App.PausePartition).
	OperatorPaused bool `json:"operator_paused"`
	// FailingOffsets are the records the partition is failing on now (what
	// a skip takes); absent while none.
	FailingOffsets []int64 `json:"failing_offsets,omitempty"`
	Processed      int64   `json:"processed"` // OK + Filtered + dead-lettered (+ skipped)
	OK             int64   `json:"ok"`
	Filtered       int64   `json:"filtered"`
	Failed         int64   `json:"failed"`
	DeadLetters    int64   `json:"dead_letters"`
	Restarts       int64   `json:"restarts"`
	LastError      string  `json:"last_error"`
	Assigned       bool    `json:"assigned"`
	// Stuck says why the partition cannot move on; "" while it can.
	Stuck string `json:"stuck,omitempty"`
}

// State returns what GET /api/state serves.
func (h *Handler) State() State {
	st := h.app.State()
	out := State{App: st.Name, Client: st.Client, Time: st.Time.UTC(), Phase: st.Phase.String(), Alive: st.Alive, Ready: st.Ready,
		Routes: []RouteState{}, Groups: []GroupState{}, Partitions: []PartitionState{}}
	for _, g := range st.Groups {
		out.Groups = append(out.Groups, GroupState{Group: g.Group, Topics: g.Topics, Connected: g.Connected, Joined: g.Joined,
			MissingTopics: g.MissingTopics})
	}
	seen := map[partKey]bool{}
	for _, p := range st.Partitions {
		ps := h.stats.part(p.Topic, p.Group, p.Partition)
		ps.committed.Store(p.Committed)
		ps.highWatermark.Store(p.HighWatermark)
		seen[partKey{p.Topic, p.Group, p.Partition}] = true
		out.Partitions = append(out.Partitions, PartitionState{
			Topic: p.Topic, Partition: p.Partition, Group: p.Group, Committed: p.Committed,
			HighWatermark: p.HighWatermark, Lag: p.Lag, InFlight: p.InFlight, Paused: p.Paused, OperatorPaused: p.OperatorPaused, FailingOffsets: p.FailingOffsets,
			Assigned: true, Stuck: p.Stuck,
		})
	}
	h.stats.parts.Range(func(k, _ any) bool {
		pk := k.(partKey)
		if !seen[pk] {
			out.Partitions = append(out.Partitions, PartitionState{Topic: pk.topic, Partition: pk.partition, Group: pk.group})
		}
		return true
	})
	slices.SortFunc(out.Partitions, func(a, b PartitionState) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Group, b.Group))
	})
	byRoute := map[[2]string]*RouteState{}
	if routes, err := h.app.Routes(); err == nil {
		for _, r := range routes {
			out.Routes = append(out.Routes, RouteState{Topic: r.Topic, Group: r.Group, DeadLetterTopic: r.DeadLetter})
		}
		for i := range out.Routes {
			byRoute[[2]string{out.Routes[i].Topic, out.Routes[i].Group}] = &out.Routes[i]
		}
	}
	for i := range out.Partitions {
		p := &out.Partitions[i]
		v, ok := h.stats.parts.Load(partKey{p.Topic, p.Group, p.Partition})
		if !ok {
			continue
		}
		ps := v.(*partStats)
		p.Processed, p.Failed, p.DeadLetters, p.Restarts = ps.processed.Load(), ps.failures.Load(), ps.deadLetters.Load(), ps.restarts.Load()
		p.OK, p.Filtered = ps.okN.Load(), ps.filteredN.Load()
		if e := ps.lastError.Load(); e != nil {
			p.LastError = *e
		}
		if !p.Assigned {
			p.Committed, p.HighWatermark = ps.committed.Load(), ps.highWatermark.Load()
		}
		if r := byRoute[[2]string{p.Topic, p.Group}]; r != nil {
			r.Processed += p.Processed
			r.OK += p.OK
			r.Filtered += p.Filtered
			r.Failed += p.Failed
			r.DeadLetters += p.DeadLetters
		}
	}
	return out
}
