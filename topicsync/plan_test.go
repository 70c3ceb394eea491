package topicsync_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topicsync"
)

func TestPlanTopics_changes(t *testing.T) {
	tests := []struct {
		name    string
		brokers int
		have    map[string]*fakeTopic
		want    kafka.Topic
		change  kafka.TopicChange
		pending bool
	}{
		{
			name: "missing on one broker: create with replication 1", brokers: 1,
			want:    kafka.Topic{Name: "a", Partitions: 3, Configs: map[string]string{"retention.ms": "1000"}},
			change:  kafka.TopicChange{Topic: kafka.Topic{Name: "a", Partitions: 3, ReplicationFactor: 1, Configs: map[string]string{"retention.ms": "1000"}}, Create: true},
			pending: true,
		},
		{
			name: "missing on five brokers: replication 3", brokers: 5,
			want:    kafka.Topic{Name: "a", Partitions: 1},
			change:  kafka.TopicChange{Topic: kafka.Topic{Name: "a", Partitions: 1, ReplicationFactor: 3}, Create: true},
			pending: true,
		},
		{
			name: "missing, declared replication kept", brokers: 5,
			want:    kafka.Topic{Name: "a", Partitions: 1, ReplicationFactor: 2},
			change:  kafka.TopicChange{Topic: kafka.Topic{Name: "a", Partitions: 1, ReplicationFactor: 2}, Create: true},
			pending: true,
		},
		{
			name: "up to date", brokers: 1,
			have:   map[string]*fakeTopic{"a": {partitions: 2, rf: 1, configs: map[string]string{"retention.ms": "1000"}}},
			want:   kafka.Topic{Name: "a", Partitions: 2, Configs: map[string]string{"retention.ms": "1000", "cleanup.policy": "delete"}},
			change: kafka.TopicChange{Topic: kafka.Topic{Name: "a", Partitions: 2, Configs: map[string]string{"retention.ms": "1000", "cleanup.policy": "delete"}}, Current: 2, CurrentReplication: 1},
		},
		{
			name: "config differs from the default and from the topic's", brokers: 1,
			have: map[string]*fakeTopic{"a": {partitions: 1, rf: 1, configs: map[string]string{"retention.ms": "1000", "segment.ms": "5"}}},
			want: kafka.Topic{Name: "a", Partitions: 1, Configs: map[string]string{"retention.ms": "2000", "cleanup.policy": "compact"}},
			change: kafka.TopicChange{Topic: kafka.Topic{Name: "a", Partitions: 1, Configs: map[string]string{"retention.ms": "2000", "cleanup.policy": "compact"}}, Current: 1, CurrentReplication: 1,
				Configs: []kafka.ConfigChange{
					{Key: "cleanup.policy", From: "delete", FromDefault: true, To: "compact"},
					{Key: "retention.ms", From: "1000", To: "2000"},
				}},
			pending: true,
		},
		{
			name: "more partitions declared: repartition", brokers: 1,
			have:    map[string]*fakeTopic{"a": {partitions: 1, rf: 1}},
			want:    kafka.Topic{Name: "a", Partitions: 4},
			change:  kafka.TopicChange{Topic: kafka.Topic{Name: "a", Partitions: 4}, Current: 1, CurrentReplication: 1},
			pending: true,
		},
		{
			name: "fewer partitions declared: a note, nothing to do", brokers: 1,
			have: map[string]*fakeTopic{"a": {partitions: 3, rf: 1}},
			want: kafka.Topic{Name: "a", Partitions: 1},
			change: kafka.TopicChange{Topic: kafka.Topic{Name: "a", Partitions: 1}, Current: 3, CurrentReplication: 1,
				Notes: []string{"declares 1 partition but has 3; partitions are never removed, left as is"}},
		},
		{
			name: "other replication factor: a note, nothing to do", brokers: 3,
			have: map[string]*fakeTopic{"a": {partitions: 1, rf: 1}},
			want: kafka.Topic{Name: "a", Partitions: 1, ReplicationFactor: 3},
			change: kafka.TopicChange{Topic: kafka.Topic{Name: "a", Partitions: 1, ReplicationFactor: 3}, Current: 1, CurrentReplication: 1,
				Notes: []string{"declares replication factor 3 but has 1; changing it needs a partition reassignment, left as is"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admin := newFakeAdmin(tt.brokers)
			for n, ft := range tt.have {
				if ft.configs == nil {
					ft.configs = map[string]string{}
				}
				admin.topics[n] = ft
			}
			plan, err := topicsync.PlanTopics(context.Background(), admin, []kafka.Topic{tt.want})
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Changes) != 1 {
				t.Fatalf("changes = %+v, want one", plan.Changes)
			}
			if got := plan.Changes[0]; !reflect.DeepEqual(got, tt.change) {
				t.Errorf("change =\n%+v\nwant\n%+v", got, tt.change)
			}
			if plan.Pending() != tt.pending {
				t.Errorf("Pending() = %v, want %v", plan.Pending(), tt.pending)
			}
		})
	}
}

func TestPlanTopics_invalid(t *testing.T) {
	tests := []struct {
		name   string
		topics []kafka.Topic
		want   string
	}{
		{"bad name", []kafka.Topic{{Name: "a b", Partitions: 1}}, `invalid topic name "a b": byte 1`},
		{"no partitions", []kafka.Topic{{Name: "a"}}, `topic "a": partitions: 0 must be at least 1`},
		{"negative replication", []kafka.Topic{{Name: "a", Partitions: 1, ReplicationFactor: -1}}, `topic "a": replication factor: -1`},
		{"bad config key", []kafka.Topic{{Name: "a", Partitions: 1, Configs: map[string]string{"Retention MS": "1"}}}, `topic "a": config "Retention MS": not a config name`},
		{"empty config value", []kafka.Topic{{Name: "a", Partitions: 1, Configs: map[string]string{"retention.ms": ""}}}, `topic "a": config "retention.ms": empty value`},
		{"declared twice differently", []kafka.Topic{{Name: "a", Partitions: 1}, {Name: "a", Partitions: 2}}, `topic "a": declared twice, differently`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := topicsync.PlanTopics(context.Background(), newFakeAdmin(1), tt.topics)
			if !errors.Is(err, kafka.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalidConfig containing %q", err, tt.want)
			}
		})
	}
}

func TestPlanTopics_sameTopicTwice(t *testing.T) {
	plan, err := topicsync.PlanTopics(context.Background(), newFakeAdmin(1), []kafka.Topic{{Name: "a", Partitions: 1}, {Name: "a", Partitions: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 {
		t.Fatalf("changes = %+v, want one for topic a", plan.Changes)
	}
}

func TestTopicPlan_Write(t *testing.T) {
	admin := newFakeAdmin(1)
	admin.topics["b"] = &fakeTopic{partitions: 1, rf: 1, configs: map[string]string{}}
	admin.topics["c"] = &fakeTopic{partitions: 3, rf: 1, configs: map[string]string{"retention.ms": "1000"}}
	admin.topics["d"] = &fakeTopic{partitions: 1, rf: 1, configs: map[string]string{}}
	plan, err := topicsync.PlanTopics(context.Background(), admin, []kafka.Topic{
		{Name: "a", Partitions: 3, Configs: map[string]string{"retention.ms": "1000", "cleanup.policy": "compact"}},
		{Name: "b", Partitions: 2, Configs: map[string]string{"retention.ms": "1000"}},
		{Name: "c", Partitions: 1, Configs: map[string]string{"retention.ms": "1000"}},
		{Name: "d", Partitions: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := plan.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := `create a: 3 partitions, replication factor 1, cleanup.policy=compact, retention.ms=1000
alter b: retention.ms 604800000 (default) -> 1000
repartition b: 1 -> 2 partitions
note c: declares 1 partition but has 3; partitions are never removed, left as is
plan: 1 to create, 1 to alter, 1 to repartition, 2 up to date
`
	if b.String() != want {
		t.Errorf("plan:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestApplyTopicPlan_modes(t *testing.T) {
	decl := []kafka.Topic{
		{Name: "new", Partitions: 2, Configs: map[string]string{"cleanup.policy": "compact"}},
		{Name: "old", Partitions: 3, Configs: map[string]string{"retention.ms": "1000"}},
	}
	tests := []struct {
		name        string
		mode        kafka.SyncMode
		wantOld     fakeTopic
		wantAlters  int
		wantPending bool
	}{
		{"create leaves existing topics alone", kafka.SyncCreate,
			fakeTopic{partitions: 1, rf: 1, configs: map[string]string{"segment.ms": "5"}}, 0, true},
		{"align sets declared configs incrementally and adds partitions", kafka.SyncAlign,
			fakeTopic{partitions: 3, rf: 1, configs: map[string]string{"segment.ms": "5", "retention.ms": "1000"}}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admin := newFakeAdmin(1)
			admin.topics["old"] = &fakeTopic{partitions: 1, rf: 1, configs: map[string]string{"segment.ms": "5"}}
			plan, err := topicsync.PlanTopics(context.Background(), admin, decl)
			if err != nil {
				t.Fatal(err)
			}
			if topic, err := topicsync.ApplyTopicPlan(context.Background(), admin, plan, tt.mode); err != nil {
				t.Fatalf("apply: %v (topic %q)", err, topic)
			}
			if got := *admin.topics["new"]; !reflect.DeepEqual(got, fakeTopic{partitions: 2, rf: 1, configs: map[string]string{"cleanup.policy": "compact"}}) {
				t.Errorf("new = %+v", got)
			}
			if got := *admin.topics["old"]; !reflect.DeepEqual(got, tt.wantOld) {
				t.Errorf("old = %+v, want %+v", got, tt.wantOld)
			}
			if len(admin.alters) != tt.wantAlters {
				t.Fatalf("incremental alters = %d, want %d", len(admin.alters), tt.wantAlters)
			}
			for _, a := range admin.alters {
				if len(a) != 1 || a["retention.ms"] != "1000" {
					t.Errorf("alter = %+v, want one SET of retention.ms", a)
				}
			}
			again, err := topicsync.PlanTopics(context.Background(), admin, decl)
			if err != nil {
				t.Fatal(err)
			}
			if again.Pending() != tt.wantPending {
				t.Errorf("pending after apply = %v, want %v", again.Pending(), tt.wantPending)
			}
		})
	}
}

func TestApplyTopicPlan_errorsNameTheTopic(t *testing.T) {
	tests := []struct {
		name   string
		failOn string
		want   string
		cause  error
	}{
		{"create", "create", `topic "new": create: `, client.ErrInvalidConfig},
		{"alter", "alter", `topic "old": alter configs ["retention.ms"]: `, client.ErrInvalidConfig},
		{"partitions", "partitions", `topic "old": add partitions (1 -> 3): `, client.ErrInvalidPartitions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admin := newFakeAdmin(1)
			admin.topics["old"] = &fakeTopic{partitions: 1, rf: 1, configs: map[string]string{}}
			decl := []kafka.Topic{{Name: "old", Partitions: 3, Configs: map[string]string{"retention.ms": "1000"}}}
			if tt.failOn == "create" {
				decl = append(decl, kafka.Topic{Name: "new", Partitions: 1})
			}
			if tt.failOn == "partitions" {
				decl[0].Configs = nil
			}
			plan, err := topicsync.PlanTopics(context.Background(), admin, decl)
			if err != nil {
				t.Fatal(err)
			}
			admin.failOn = tt.failOn
			_, err = topicsync.ApplyTopicPlan(context.Background(), admin, plan, kafka.SyncAlign)
			if !errors.Is(err, tt.cause) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.cause, tt.want)
			}
		})
	}
}

func TestTopicPlan_WriteApplied(t *testing.T) {
	admin := newFakeAdmin(1)
	admin.topics["b"] = &fakeTopic{partitions: 1, rf: 1, configs: map[string]string{}}
	admin.topics["c"] = &fakeTopic{partitions: 1, rf: 1, configs: map[string]string{}}
	plan, err := topicsync.PlanTopics(context.Background(), admin, []kafka.Topic{
		{Name: "a", Partitions: 1},
		{Name: "b", Partitions: 2, Configs: map[string]string{"retention.ms": "1000"}},
		{Name: "c", Partitions: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mode kafka.SyncMode
		want string
	}{
		{"create", kafka.SyncCreate, `created a: 1 partition, replication factor 1
note b: exists and differs from its declaration; left as is (topics align changes it)
done: 1 created, 1 left as they differ, 1 up to date
`},
		{"align", kafka.SyncAlign, `created a: 1 partition, replication factor 1
altered b: retention.ms 604800000 (default) -> 1000
repartitioned b: 1 -> 2 partitions
done: 1 created, 1 altered, 1 repartitioned, 1 up to date
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := plan.WriteApplied(&b, tt.mode); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tt.want)
			}
		})
	}
}

// A retried attempt still reports what an earlier attempt did: the topics
// created before the partitions were served are reported as created.
func TestSyncTopics_retryReportsEarlierChanges(t *testing.T) {
	tests := []struct {
		name string
		mode kafka.SyncMode
		have map[string]*fakeTopic
		decl []kafka.Topic
		want func(p kafka.TopicPlan) bool
	}{
		{"created", kafka.SyncCreate, nil,
			[]kafka.Topic{{Name: "a", Partitions: 2}},
			func(p kafka.TopicPlan) bool { cr, _, _ := p.Counts(); return cr == 1 }},
		{"altered and repartitioned", kafka.SyncAlign,
			map[string]*fakeTopic{"a": {partitions: 1, rf: 1, configs: map[string]string{}}},
			[]kafka.Topic{{Name: "a", Partitions: 2, Configs: map[string]string{"retention.ms": "1"}}},
			func(p kafka.TopicPlan) bool { cr, al, rp := p.Counts(); return cr == 0 && al == 1 && rp == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admin := newFakeAdmin(1)
			maps.Copy(admin.topics, tt.have)
			calls := 0
			admin.endOffsets = func() error {
				calls++
				if calls == 1 {
					return fmt.Errorf("topic %q partition 0: %w", "a", kerr(client.Code(6))) // NOT_LEADER_OR_FOLLOWER
				}
				return nil
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			plan, err := topicsync.SyncWith(ctx, func(context.Context) (client.Admin, error) { return admin, nil }, tt.mode, tt.decl...)
			if err != nil {
				t.Fatal(err)
			}
			if calls != 2 {
				t.Fatalf("serving checked %d times, want 2 (one retry)", calls)
			}
			if !tt.want(plan) {
				var b strings.Builder
				_ = plan.WriteApplied(&b, tt.mode)
				t.Fatalf("reported:\n%s", b.String())
			}
		})
	}
}

// After an align added partitions, a plan made at once shows nothing
// pending, though the cluster's metadata lags the change for a few
// listings (real Kafka: a broker follows the controller a moment later).
func TestApplyTopicPlan_waitsForNewPartitionsToShow(t *testing.T) {
	f := newFakeAdmin(1)
	f.topics["a"] = &fakeTopic{partitions: 2, rf: 1, configs: map[string]string{}}
	f.staleListings = 5
	ctx := context.Background()
	decl := kafka.Topic{Name: "a", Partitions: 3}
	plan, err := topicsync.PlanTopics(ctx, f, []kafka.Topic{decl})
	if err != nil || !plan.Pending() {
		t.Fatalf("plan %+v, %v; want a repartition", plan.Changes, err)
	}
	if _, err := topicsync.ApplyTopicPlan(ctx, f, plan, kafka.SyncAlign); err != nil {
		t.Fatal(err)
	}
	if plan, err := topicsync.PlanTopics(ctx, f, []kafka.Topic{decl}); err != nil || plan.Pending() {
		t.Fatalf("plan after apply: %+v, %v; want nothing pending", plan.Changes, err)
	}
}
