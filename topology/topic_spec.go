package topology

import (
	"fmt"
	"maps"
	"slices"

	"github.com/karafka-actors/karafka-actors/kafka"
)

// TopicSpec declares how a topic is created and aligned by the topics
// command and App.EnsureTopics. Zero fields take the application's defaults
// (Config.Topics): a route only says what differs.
type TopicSpec struct {
	// Partitions of the topic; 0: the default. Partitions are only ever
	// added to an existing topic, never removed.
	Partitions int32
	// ReplicationFactor of a new topic; 0: the default (min(3, brokers)
	// unless configured). An existing topic's is never changed.
	ReplicationFactor int16
	// Configs are Kafka topic configs, such as "retention.ms": "86400000"
	// or "cleanup.policy": "compact". They are added to the default configs
	// (a key here wins). Only declared keys are ever changed on a topic.
	Configs map[string]string
}

// IsZero reports whether s declares nothing.
func (s TopicSpec) IsZero() bool {
	return s.Partitions == 0 && s.ReplicationFactor == 0 && len(s.Configs) == 0
}

// validate reports every problem of s, each naming its key.
func (s TopicSpec) validate() []error {
	var errs []error
	if s.Partitions < 0 {
		errs = append(errs, fmt.Errorf("partitions: %d must not be negative (0: the default)", s.Partitions))
	}
	if s.ReplicationFactor < 0 {
		errs = append(errs, fmt.Errorf("replication_factor: %d must not be negative (0: the default)", s.ReplicationFactor))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Configs)) {
		switch {
		case !kafka.ValidConfigKey(k):
			errs = append(errs, fmt.Errorf("configs: %q is not a config name (such as retention.ms)", k))
		case s.Configs[k] == "":
			errs = append(errs, fmt.Errorf("configs: %s: empty value", k))
		}
	}
	return errs
}

// TopicRole says why an application has a topic.
type TopicRole string

// The roles of an application's topics.
const (
	RoleRoute      TopicRole = "route"
	RoleResponse   TopicRole = "response"
	RoleDeadLetter TopicRole = "dead letter"
)

// TopicDecl is one topic of an application and what is declared for it.
type TopicDecl struct {
	Name string
	Role TopicRole
	Spec TopicSpec
	// Routes are the positions (0-based) of the routes that have the topic.
	Routes []int
}

// declared lists r's topics: its own, its responder's, its dead letter topic.
func (r Resolved) declared(index int) []TopicDecl {
	out := []TopicDecl{{Name: r.Topic, Role: RoleRoute, Spec: r.TopicSpec, Routes: []int{index}}}
	for _, t := range r.ResponderTopics {
		out = append(out, TopicDecl{Name: t.Name, Role: RoleResponse, Spec: r.ResponseSpecs[t.Name], Routes: []int{index}})
	}
	if r.DeadLetter != "" {
		out = append(out, TopicDecl{Name: r.DeadLetter, Role: RoleDeadLetter, Spec: r.DeadLetterSpec, Routes: []int{index}})
	}
	return out
}

// Topics lists every topic of routes, without duplicates, in route order:
// each route's topic, its responder's topics, its dead letter topic. A topic
// that several routes have gets what each declares merged; Resolve has
// reported declarations that disagree. Its role is its first one.
func Topics(routes []Resolved) []TopicDecl {
	out, _ := mergeDecls(routes)
	return out
}

// mergeDecls merges the topics of routes, and returns one error per field
// two routes declare differently for a topic, with the route that does so
// second.
func mergeDecls(routes []Resolved) ([]TopicDecl, []*RouteError) {
	var out []TopicDecl
	at := map[string]int{}
	var errs []*RouteError
	for i, r := range routes {
		for _, d := range r.declared(i) {
			j, ok := at[d.Name]
			if !ok {
				at[d.Name] = len(out)
				d.Spec.Configs = maps.Clone(d.Spec.Configs)
				out = append(out, d)
				continue
			}
			m := &out[j]
			if !slices.Contains(m.Routes, i) {
				m.Routes = append(m.Routes, i)
			}
			conflict := func(key string, a, b any) {
				errs = append(errs, &RouteError{Index: i, Topic: r.Topic, Err: fmt.Errorf(
					"%w: topic %q: %s: %v here, %v on route #%d (topic %q)", ErrTopicSpecConflict, d.Name, key, b, a, m.Routes[0]+1, routes[m.Routes[0]].Topic)})
			}
			switch {
			case d.Spec.Partitions == 0:
			case m.Spec.Partitions == 0:
				m.Spec.Partitions = d.Spec.Partitions
			case m.Spec.Partitions != d.Spec.Partitions:
				conflict("partitions", m.Spec.Partitions, d.Spec.Partitions)
			}
			switch {
			case d.Spec.ReplicationFactor == 0:
			case m.Spec.ReplicationFactor == 0:
				m.Spec.ReplicationFactor = d.Spec.ReplicationFactor
			case m.Spec.ReplicationFactor != d.Spec.ReplicationFactor:
				conflict("replication_factor", m.Spec.ReplicationFactor, d.Spec.ReplicationFactor)
			}
			for _, k := range slices.Sorted(maps.Keys(d.Spec.Configs)) {
				v := d.Spec.Configs[k]
				if old, ok := m.Spec.Configs[k]; ok && old != v {
					conflict("configs: "+k, old, v)
					continue
				}
				if m.Spec.Configs == nil {
					m.Spec.Configs = map[string]string{}
				}
				m.Spec.Configs[k] = v
			}
		}
	}
	return out, errs
}
