package karafka_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
)

func echoTo(out string) (func() karafka.Controller, func() karafka.Responder) {
	ctrl := func() karafka.Controller {
		return karafka.ControllerFunc(func(c *karafka.Context) error {
			c.RespondWith(string(c.Params.Raw()))
			return nil
		})
	}
	resp := func() karafka.Responder {
		return karafka.NewResponder([]karafka.Topic{karafka.Required(out)}, func(o *karafka.Output, args ...any) error {
			o.RespondTo(out, []byte(args[0].(string)))
			return nil
		})
	}
	return ctrl, resp
}

func TestApp_DeclaredTopics_defaultsAndSpecs(t *testing.T) {
	cfg := karafka.DefaultConfig()
	cfg.Topics = karafka.TopicsConfig{Partitions: 2, ReplicationFactor: 1, Configs: map[string]string{"retention.ms": "1000"}}
	ctrl, resp := echoTo("out")
	app, err := karafka.New(cfg, karafka.WithRoutes(karafka.Route{
		Topic: "in", Controller: ctrl, Responder: resp,
		TopicSpec:      karafka.TopicSpec{Partitions: 4, Configs: map[string]string{"cleanup.policy": "compact"}},
		ResponseSpecs:  map[string]karafka.TopicSpec{"out": {ReplicationFactor: 3, Configs: map[string]string{"retention.ms": "5"}}},
		DeadLetterSpec: karafka.TopicSpec{Partitions: 1},
	}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := app.DeclaredTopics()
	if err != nil {
		t.Fatal(err)
	}
	want := []kafka.Topic{
		{Name: "in", Partitions: 4, ReplicationFactor: 1, Configs: map[string]string{"retention.ms": "1000", "cleanup.policy": "compact"}},
		{Name: "out", Partitions: 2, ReplicationFactor: 3, Configs: map[string]string{"retention.ms": "5"}},
		{Name: "in_dlq", Partitions: 1, ReplicationFactor: 1, Configs: map[string]string{"retention.ms": "1000"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DeclaredTopics =\n%+v\nwant\n%+v", got, want)
	}
}

// Topics declared with WithTopics (the console's reports topic) follow
// the routes' topics, with the default partitions and replication but
// only their own configs.
func TestApp_DeclaredTopics_withTopics(t *testing.T) {
	cfg := karafka.DefaultConfig()
	cfg.Topics = karafka.TopicsConfig{Partitions: 2, ReplicationFactor: 1, Configs: map[string]string{"retention.ms": "1000"}}
	ctrl, resp := echoTo("out")
	reports := kafka.Topic{Name: "reports", Configs: map[string]string{"cleanup.policy": "compact,delete"}}
	app, err := karafka.New(cfg, karafka.WithRoutes(karafka.Route{Topic: "in", Controller: ctrl, Responder: resp}),
		karafka.WithTopics(reports, kafka.Topic{Name: "three", Partitions: 3, ReplicationFactor: 2}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := app.DeclaredTopics()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("DeclaredTopics = %+v, want in, out, in_dlq, reports, three", got)
	}
	want := []kafka.Topic{
		{Name: "reports", Partitions: 2, ReplicationFactor: 1, Configs: map[string]string{"cleanup.policy": "compact,delete"}},
		{Name: "three", Partitions: 3, ReplicationFactor: 2},
	}
	if !reflect.DeepEqual(got[3:], want) {
		t.Fatalf("extra topics =\n%+v\nwant\n%+v", got[3:], want)
	}
	got[3].Configs["cleanup.policy"] = "delete"
	if reports.Configs["cleanup.policy"] != "compact,delete" {
		t.Error("DeclaredTopics shares the caller's configs map")
	}
}

func TestConfig_Validate_topics(t *testing.T) {
	tests := []struct {
		name   string
		topics karafka.TopicsConfig
		want   string
	}{
		{"no partitions", karafka.TopicsConfig{}, "kafka.topic_partitions: 0 must be at least 1"},
		{"negative replication", karafka.TopicsConfig{Partitions: 1, ReplicationFactor: -1}, "kafka.topic_replication_factor: -1"},
		{"replication beyond int16", karafka.TopicsConfig{Partitions: 1, ReplicationFactor: 40000}, "kafka.topic_replication_factor: 40000"},
		{"bad config key", karafka.TopicsConfig{Partitions: 1, Configs: map[string]string{"Retention": "1"}}, `kafka.topic_configs: "Retention" is not a config name`},
		{"empty config value", karafka.TopicsConfig{Partitions: 1, Configs: map[string]string{"retention.ms": ""}}, "kafka.topic_configs: retention.ms: empty value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := karafka.DefaultConfig()
			cfg.Topics = tt.topics
			err := cfg.Validate()
			if !errors.Is(err, karafka.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalidConfig naming %q", err, tt.want)
			}
		})
	}
}

// The library creates, plans, aligns and deletes the declared topics
// without the CLI.
func TestApp_EnsureAlignDeleteTopics(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	ctrl, resp := echoTo(out)
	newApp := func(spec karafka.TopicSpec) *karafka.App {
		app, err := karafka.New(testConfig(t, brokers), karafka.WithLogger(testLogger(t)), karafka.WithRoutes(karafka.Route{
			Topic: in, Controller: ctrl, Responder: resp, TopicSpec: spec,
			ResponseSpecs: map[string]karafka.TopicSpec{out: {Configs: map[string]string{"cleanup.policy": "compact"}}},
		}))
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	app := newApp(karafka.TopicSpec{Partitions: 2, Configs: map[string]string{"retention.ms": "3600000"}})
	t.Cleanup(func() { _, _ = app.DeleteTopics(context.Background()) })

	plan, err := app.PlanTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cr, _, _ := plan.Counts(); cr != 3 {
		t.Fatalf("plan before: %d to create, want 3 (in, out, dead letter)", cr)
	}
	if _, err := app.EnsureTopics(ctx); err != nil {
		t.Fatal(err)
	}
	if plan, err = app.PlanTopics(ctx); err != nil || plan.Pending() {
		t.Fatalf("plan after EnsureTopics: %+v, %v; want nothing pending", plan.Changes, err)
	}

	app = newApp(karafka.TopicSpec{Partitions: 3, Configs: map[string]string{"retention.ms": "7200000"}})
	// EnsureTopics leaves existing topics alone.
	if _, err := app.EnsureTopics(ctx); err != nil {
		t.Fatal(err)
	}
	plan, err = app.PlanTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cr, al, rp := plan.Counts(); cr != 0 || al != 1 || rp != 1 {
		t.Fatalf("plan after a changed spec: %d create, %d alter, %d repartition; want 0, 1, 1", cr, al, rp)
	}
	if _, err := app.AlignTopics(ctx); err != nil {
		t.Fatal(err)
	}
	if plan, err = app.PlanTopics(ctx); err != nil || plan.Pending() {
		t.Fatalf("plan after AlignTopics: %+v, %v; want nothing pending", plan.Changes, err)
	}

	deleted, err := app.DeleteTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{in, out, in + "_dlq"}; !reflect.DeepEqual(deleted, want) {
		t.Fatalf("deleted %v, want %v", deleted, want)
	}
	// Deletion is asynchronous on Kafka: the topics go soon, not at once.
	deadline := time.Now().Add(30 * time.Second)
	for {
		plan, err = app.PlanTopics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cr, _, _ := plan.Counts(); cr == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after DeleteTopics the plan is %+v, want 3 to create", plan.Changes)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// With Config.Topics.Create, Run creates the missing topics (here all of
// them, the response topic included) before it consumes.
func TestApp_Run_createsMissingTopics(t *testing.T) {
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	ctrl, resp := echoTo(out)
	cfg := testConfig(t, brokers)
	cfg.Topics.Create = true
	r := start(t, cfg, karafka.Route{Topic: in, Controller: ctrl, Responder: resp,
		TopicSpec: karafka.TopicSpec{Partitions: 2}})
	t.Cleanup(func() { _, _ = r.app.DeleteTopics(context.Background()) })
	testkafka.Produce(t, brokers, in, testkafka.Record{Value: `{"n":1}`})
	got := testkafka.Consume(t, brokers, out, 1, 30*time.Second)
	if len(got) != 1 || string(got[0].Value) != `{"n":1}` {
		t.Fatalf("responses = %v, want the echo", got)
	}
	plan, err := r.app.PlanTopics(context.Background())
	if err != nil || plan.Pending() {
		t.Fatalf("plan after Run: %+v, %v; want nothing pending", plan.Changes, err)
	}
	r.shutdown(t)
}
