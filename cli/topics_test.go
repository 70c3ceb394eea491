package cli_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topicsync"
	"github.com/karafka-actors/karafka-actors/topology"
)

// topicsCLI is the CLI of an app with one route: in (declared by spec)
// responding to out, with a dead letter topic.
type topicsCLI struct {
	t            *testing.T
	brokers      []string
	in, out, dlq string
	spec         topology.TopicSpec
}

func newTopicsCLI(t *testing.T) *topicsCLI {
	c := &topicsCLI{t: t, brokers: testkafka.Brokers(t), in: testkafka.Name(t, "in"), out: testkafka.Name(t, "out")}
	c.dlq = c.in + "_dlq"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		admin, err := clients.NewAdmin(ctx, testkafka.Config(c.brokers))
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = topicsync.DeleteTopics(ctx, admin, c.in, c.out, c.dlq)
	})
	return c
}

func (c *topicsCLI) run(args ...string) (code int, stdout, stderr string) {
	register := func(app *karafka.App) error {
		app.Route(topology.Route{
			Topic: c.in,
			Controller: func() controllers.Controller {
				return controllers.Func(func(*controllers.Context) error { return nil })
			},
			Responder: func() responders.Responder {
				return responders.Func([]responders.Topic{responders.Optional(c.out)}, nil)
			},
			TopicSpec:     c.spec,
			ResponseSpecs: map[string]topology.TopicSpec{c.out: {Configs: map[string]string{"cleanup.policy": "compact"}}},
		})
		return nil
	}
	root := cli.New("topics-test", register, onTestClient)
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	args = append([]string{"--brokers", strings.Join(c.brokers, ",")}, args...)
	code = cli.ExecuteArgs(root, args, &errOut)
	return code, out.String(), errOut.String()
}

func (c *topicsCLI) expect(code int, args ...string) string {
	c.t.Helper()
	got, out, errOut := c.run(args...)
	if got != code {
		c.t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, got, code, out, errOut)
	}
	return out + errOut
}

func TestTopicsCommand_planCreateAlignDelete(t *testing.T) {
	c := newTopicsCLI(t)
	c.spec = topology.TopicSpec{Partitions: 2, Configs: map[string]string{"retention.ms": "3600000"}}

	out := c.expect(0, "topics", "plan")
	for _, want := range []string{
		"create " + c.in + ": 2 partitions, replication factor 1, retention.ms=3600000\n",
		"create " + c.out + ": 1 partition, replication factor 1, cleanup.policy=compact\n",
		"create " + c.dlq + ": 1 partition, replication factor 1\n",
		"plan: 3 to create, 0 to alter, 0 to repartition, 0 up to date\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	c.expect(cli.ExitPending, "topics", "plan", "--detailed-exitcode")

	out = c.expect(0, "topics", "create")
	if !strings.Contains(out, "done: 3 created, 0 left as they differ, 0 up to date") {
		t.Errorf("create output:\n%s", out)
	}
	out = c.expect(0, "topics", "plan", "--detailed-exitcode")
	if !strings.Contains(out, "plan: 0 to create, 0 to alter, 0 to repartition, 3 up to date") {
		t.Errorf("plan after create:\n%s", out)
	}
	out = c.expect(0, "topics", "list")
	if !strings.Contains(out, c.in) || !strings.Contains(out, "route") || !strings.Contains(out, "dead letter") || strings.Contains(out, "missing") {
		t.Errorf("list after create:\n%s", out)
	}

	c.spec = topology.TopicSpec{Partitions: 3, Configs: map[string]string{"retention.ms": "7200000"}}
	out = c.expect(cli.ExitPending, "topics", "plan", "--detailed-exitcode")
	for _, want := range []string{
		"alter " + c.in + ": retention.ms 3600000 -> 7200000\n",
		"repartition " + c.in + ": 2 -> 3 partitions\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	out = c.expect(0, "topics", "create")
	if !strings.Contains(out, "note "+c.in+": exists and differs") {
		t.Errorf("create leaves a differing topic with a note:\n%s", out)
	}
	out = c.expect(0, "topics", "align")
	if !strings.Contains(out, "done: 0 created, 1 altered, 1 repartitioned, 2 up to date") {
		t.Errorf("align output:\n%s", out)
	}
	c.expect(0, "topics", "plan", "--detailed-exitcode")

	c.spec.Partitions = 1
	out = c.expect(0, "topics", "plan", "--detailed-exitcode")
	if !strings.Contains(out, "partitions are never removed") {
		t.Errorf("plan with fewer partitions:\n%s", out)
	}

	out = c.expect(cli.ExitUsage, "topics", "delete")
	if !strings.Contains(out, "--yes") {
		t.Errorf("delete without --yes:\n%s", out)
	}
	if n := existing(t, c.brokers, c.in, c.out, c.dlq); n != 3 {
		t.Fatalf("delete without --yes left %d of 3 topics", n)
	}
	out = c.expect(0, "topics", "delete", "--yes")
	if !strings.Contains(out, "done: 3 deleted") {
		t.Errorf("delete output:\n%s", out)
	}
}

func TestTopicsCommand_invalidSpecExits2NamingRouteAndKey(t *testing.T) {
	c := newTopicsCLI(t)
	c.spec = topology.TopicSpec{Configs: map[string]string{"Retention": "1"}}
	out := c.expect(cli.ExitUsage, "topics", "plan")
	if want := `route #1 (topic "` + c.in + `"): topology: invalid topic spec: topic_spec: configs: "Retention" is not a config name`; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

// existing counts those of topics the cluster has, waiting a little for
// deletions to settle.
func existing(t *testing.T, brokers []string, topics ...string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := clients.NewAdmin(ctx, testkafka.Config(brokers))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	all, err := admin.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tp := range topics {
		if _, ok := all[tp]; ok {
			n++
		}
	}
	return n
}

func TestLoad_topicDefaults(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		want    karafka.TopicsConfig
		wantErr string
	}{
		{"defaults", nil, karafka.TopicsConfig{Partitions: 1}, ""},
		{"from env", []string{"KARAFKA_KAFKA_TOPIC_CONFIGS=retention.ms=1000, cleanup.policy=compact", "KARAFKA_KAFKA_TOPIC_PARTITIONS=3", "KARAFKA_KAFKA_TOPIC_REPLICATION_FACTOR=2", "KARAFKA_KAFKA_CREATE_TOPICS=true"},
			karafka.TopicsConfig{Create: true, Partitions: 3, ReplicationFactor: 2, Configs: map[string]string{"retention.ms": "1000", "cleanup.policy": "compact"}}, ""},
		{"not key=value", []string{"KARAFKA_KAFKA_TOPIC_CONFIGS=retention.ms"}, karafka.TopicsConfig{}, `kafka.topic_configs (env KARAFKA_KAFKA_TOPIC_CONFIGS): "retention.ms" is not key=value`},
		{"bad key", []string{"KARAFKA_KAFKA_TOPIC_CONFIGS=Retention=1"}, karafka.TopicsConfig{}, `kafka.topic_configs (env KARAFKA_KAFKA_TOPIC_CONFIGS): "Retention" is not a config name`},
		{"no partitions", []string{"KARAFKA_KAFKA_TOPIC_PARTITIONS=0"}, karafka.TopicsConfig{}, "kafka.topic_partitions (env KARAFKA_KAFKA_TOPIC_PARTITIONS): 0 must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := cli.Load("app", cli.Sources{Env: tt.env})
			if tt.wantErr != "" {
				if !errors.Is(err, cli.ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrConfig naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.AppConfig().Topics; !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Topics = %+v, want %+v", got, tt.want)
			}
		})
	}
}
