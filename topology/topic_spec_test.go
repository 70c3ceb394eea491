package topology_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topology"
)

func responderOf(topics ...string) responders.Factory {
	var ts []responders.Topic
	for _, t := range topics {
		ts = append(ts, responders.Required(t))
	}
	return func() responders.Responder { return responders.Func(ts, nil) }
}

func TestResolve_topicSpecErrors(t *testing.T) {
	tests := []struct {
		name  string
		route topology.Route
		d     func(*topology.Defaults)
		want  []string
		is    error
	}{
		{
			name:  "negative partitions and replication",
			route: topology.Route{Topic: "a", Controller: ctrl, TopicSpec: topology.TopicSpec{Partitions: -1, ReplicationFactor: -2}},
			want: []string{
				`route #1 (topic "a"): topology: invalid topic spec: topic_spec: partitions: -1 must not be negative`,
				`route #1 (topic "a"): topology: invalid topic spec: topic_spec: replication_factor: -2 must not be negative`,
			},
			is: topology.ErrInvalidTopicSpec,
		},
		{
			name:  "bad config key and empty value",
			route: topology.Route{Topic: "a", Controller: ctrl, TopicSpec: topology.TopicSpec{Configs: map[string]string{"Retention MS": "1", "retention.ms": ""}}},
			want: []string{
				`route #1 (topic "a"): topology: invalid topic spec: topic_spec: configs: "Retention MS" is not a config name`,
				`route #1 (topic "a"): topology: invalid topic spec: topic_spec: configs: retention.ms: empty value`,
			},
			is: topology.ErrInvalidTopicSpec,
		},
		{
			name:  "dead letter spec names its topic",
			route: topology.Route{Topic: "a", Controller: ctrl, DeadLetterSpec: topology.TopicSpec{Partitions: -3}},
			want:  []string{`route #1 (topic "a"): topology: invalid topic spec: dead_letter_spec (topic "a_dlq"): partitions: -3`},
			is:    topology.ErrInvalidTopicSpec,
		},
		{
			name:  "dead letter spec without a dead letter topic",
			route: topology.Route{Topic: "a", Controller: ctrl, DisableDeadLetter: true, DeadLetterSpec: topology.TopicSpec{Partitions: 3}},
			want:  []string{`route #1 (topic "a"): topology: invalid topic spec: dead_letter_spec: declared but the route has no dead letter topic`},
			is:    topology.ErrInvalidTopicSpec,
		},
		{
			name: "response spec of a topic the responder does not have",
			route: topology.Route{Topic: "a", Controller: ctrl, Responder: responderOf("b"),
				ResponseSpecs: map[string]topology.TopicSpec{"c": {Partitions: 2}}},
			want: []string{`route #1 (topic "a"): topology: invalid topic spec: response_specs: "c" is not a topic of the route's responder`},
			is:   topology.ErrInvalidTopicSpec,
		},
		{
			name: "response spec validated",
			route: topology.Route{Topic: "a", Controller: ctrl, Responder: responderOf("b"),
				ResponseSpecs: map[string]topology.TopicSpec{"b": {Configs: map[string]string{"x..y": "1"}}}},
			want: []string{`route #1 (topic "a"): topology: invalid topic spec: response_specs (topic "b"): configs: "x..y" is not a config name`},
			is:   topology.ErrInvalidTopicSpec,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := topology.Resolve([]topology.Route{tt.route}, defaults())
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tt.is) || !errors.Is(err, topology.ErrInvalidRoute) {
				t.Errorf("errors.Is(%v) false", tt.is)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("error:\n%v\nwant %d lines", err, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
				}
			}
		})
	}
}

func TestResolve_topicSpecConflict(t *testing.T) {
	_, err := topology.Resolve([]topology.Route{
		{Topic: "a", Controller: ctrl, Responder: responderOf("shared"), ResponseSpecs: map[string]topology.TopicSpec{"shared": {Partitions: 3, Configs: map[string]string{"retention.ms": "1"}}}},
		{Topic: "shared", Controller: ctrl, TopicSpec: topology.TopicSpec{Partitions: 6, Configs: map[string]string{"retention.ms": "1", "cleanup.policy": "compact"}}},
	}, defaults())
	want := `route #2 (topic "shared"): topology: routes declare a topic differently: topic "shared": partitions: 6 here, 3 on route #1 (topic "a")`
	if !errors.Is(err, topology.ErrTopicSpecConflict) || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestTopics_mergesInRouteOrder(t *testing.T) {
	rs, err := topology.Resolve([]topology.Route{
		{Topic: "a", Controller: ctrl, Responder: responderOf("shared"), TopicSpec: topology.TopicSpec{Partitions: 2},
			ResponseSpecs: map[string]topology.TopicSpec{"shared": {Configs: map[string]string{"retention.ms": "1"}}}},
		{Topic: "shared", Controller: ctrl, DisableDeadLetter: true, TopicSpec: topology.TopicSpec{Partitions: 6, Configs: map[string]string{"cleanup.policy": "compact"}}},
	}, defaults())
	if err != nil {
		t.Fatal(err)
	}
	want := []topology.TopicDecl{
		{Name: "a", Role: topology.RoleRoute, Spec: topology.TopicSpec{Partitions: 2}, Routes: []int{0}},
		{Name: "shared", Role: topology.RoleResponse, Spec: topology.TopicSpec{Partitions: 6, Configs: map[string]string{"retention.ms": "1", "cleanup.policy": "compact"}}, Routes: []int{0, 1}},
		{Name: "a_dlq", Role: topology.RoleDeadLetter, Routes: []int{0}},
	}
	if got := topology.Topics(rs); !reflect.DeepEqual(got, want) {
		t.Fatalf("Topics =\n%+v\nwant\n%+v", got, want)
	}
}

func TestNewGraph_declaredTopics(t *testing.T) {
	rs, err := topology.Resolve([]topology.Route{
		{Topic: "a", Controller: ctrl, Responder: responderOf("b"),
			TopicSpec:     topology.TopicSpec{Partitions: 6, Configs: map[string]string{"retention.ms": "1000"}},
			ResponseSpecs: map[string]topology.TopicSpec{"b": {ReplicationFactor: 3}}},
		{Topic: "c", Controller: ctrl},
	}, defaults())
	if err != nil {
		t.Fatal(err)
	}
	g := topology.NewGraph("app", defaults().Supervision, rs)
	want := []topology.GraphTopic{
		{Name: "a", Role: topology.RoleRoute, Partitions: 6, Configs: map[string]string{"retention.ms": "1000"}},
		{Name: "b", Role: topology.RoleResponse, ReplicationFactor: 3},
	}
	if !reflect.DeepEqual(g.Topics, want) {
		t.Fatalf("Topics = %+v, want %+v", g.Topics, want)
	}
	var b strings.Builder
	if err := topology.WriteTree(&b, g); err != nil {
		t.Fatal(err)
	}
	wantTail := "\ndeclared topics (the rest takes the defaults):\n  a (route): 6 partition(s), retention.ms=1000\n  b (response): replication factor 3\n"
	if !strings.HasSuffix(b.String(), wantTail) {
		t.Errorf("tree ends:\n%s\nwant suffix:\n%s", b.String(), wantTail)
	}
}
