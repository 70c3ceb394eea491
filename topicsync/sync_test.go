package topicsync_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topicsync"
)

// topicState reads a topic's partition count and the named configs.
func topicState(t *testing.T, c kafka.Config, topic string, keys ...string) (int32, map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := clients.NewAdmin(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ts, err := admin.ListTopics(ctx, topic)
	if err != nil {
		t.Fatalf("describe %q: %v", topic, err)
	}
	entries, err := admin.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		t.Fatalf("describe configs of %q: %v", topic, err)
	}
	got := map[string]string{}
	for _, e := range entries {
		for _, k := range keys {
			if e.Name == k {
				got[k] = e.Value
			}
		}
	}
	return ts[topic].Partitions, got
}

func deleteTopics(t *testing.T, c kafka.Config, topics ...string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		admin, err := clients.NewAdmin(ctx, c)
		if err != nil {
			return
		}
		defer admin.Close()
		for _, n := range topics {
			_ = admin.DeleteTopic(ctx, n)
		}
	})
}

func TestSyncTopics_createsPlansAndAligns(t *testing.T) {
	c := testkafka.Config(testkafka.Brokers(t))
	name := testkafka.Name(t, "sync")
	deleteTopics(t, c, name)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	decl := kafka.Topic{Name: name, Partitions: 1, Configs: map[string]string{"retention.ms": "3600000", "cleanup.policy": "compact"}}
	if _, err := topicsync.SyncTopics(ctx, c, kafka.SyncCreate, decl); err != nil {
		t.Fatal(err)
	}
	parts, cfg := topicState(t, c, name, "retention.ms", "cleanup.policy", "segment.ms")
	if parts != 1 || cfg["retention.ms"] != "3600000" || cfg["cleanup.policy"] != "compact" {
		t.Fatalf("created: %d partitions, %v", parts, cfg)
	}
	// A config the declaration does not name, set by someone else: align
	// must leave it (incremental changes only).
	admin, err := clients.NewAdmin(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	seg := "7200000"
	if err := admin.AlterTopicConfigs(ctx, name, map[string]string{"segment.ms": seg}); err != nil {
		t.Fatal(err)
	}

	plan, err := topicsync.PlanTopics(ctx, admin, []kafka.Topic{decl})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Pending() {
		t.Fatalf("plan right after create is pending: %+v", plan.Changes)
	}

	decl.Partitions = 3
	decl.Configs = map[string]string{"retention.ms": "7200000", "cleanup.policy": "compact"}
	plan, err = topicsync.PlanTopics(ctx, admin, []kafka.Topic{decl})
	if err != nil {
		t.Fatal(err)
	}
	if cr, al, rp := plan.Counts(); cr != 0 || al != 1 || rp != 1 {
		t.Fatalf("plan counts = %d create, %d alter, %d repartition; want 0, 1, 1: %+v", cr, al, rp, plan.Changes)
	}
	if got := plan.Changes[0].Configs; len(got) != 1 || got[0].Key != "retention.ms" || got[0].From != "3600000" {
		t.Fatalf("config changes = %+v, want retention.ms from 3600000", got)
	}
	if _, err := topicsync.SyncTopics(ctx, c, kafka.SyncAlign, decl); err != nil {
		t.Fatal(err)
	}
	parts, cfg = topicState(t, c, name, "retention.ms", "cleanup.policy", "segment.ms")
	if parts != 3 || cfg["retention.ms"] != "7200000" || cfg["cleanup.policy"] != "compact" || cfg["segment.ms"] != seg {
		t.Fatalf("aligned: %d partitions, %v; want 3, retention.ms 7200000, compact, segment.ms %s kept", parts, cfg, seg)
	}
	plan, err = topicsync.PlanTopics(ctx, admin, []kafka.Topic{decl})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Pending() {
		t.Fatalf("plan after align is pending: %+v", plan.Changes)
	}

	// Fewer partitions: a note, nothing pending, nothing removed.
	decl.Partitions = 1
	if plan, err = topicsync.SyncTopics(ctx, c, kafka.SyncAlign, decl); err != nil {
		t.Fatal(err)
	}
	if plan.Pending() || len(plan.Changes[0].Notes) != 1 {
		t.Fatalf("fewer partitions: %+v, want a note and nothing pending", plan.Changes)
	}
	if parts, _ = topicState(t, c, name); parts != 3 {
		t.Fatalf("partitions = %d after declaring fewer, want 3 kept", parts)
	}
}

// TestSyncTopics_brokerRejectsBadConfigs needs real Kafka: the embedded
// broker (kfake) accepts any value for a known key, so it cannot show that
// a broker's refusal comes back as a permanent error naming the topic.
func TestSyncTopics_brokerRejectsBadConfigs(t *testing.T) {
	if !testkafka.External() {
		t.Skip("the embedded broker accepts invalid config values; set " + testkafka.EnvBrokers + " to run against real Kafka")
	}
	c := testkafka.Config(testkafka.Brokers(t))
	tests := []struct {
		name    string
		configs map[string]string
	}{
		{"unknown key", map[string]string{"retention.msec": "1000"}},
		{"invalid value", map[string]string{"cleanup.policy": "sometimes"}},
		{"not a number", map[string]string{"retention.ms": "a while"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := testkafka.Name(t, "bad")
			deleteTopics(t, c, name)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// Created valid, then aligned to the bad value, then created with it.
			if _, err := topicsync.SyncTopics(ctx, c, kafka.SyncCreate, kafka.Topic{Name: name, Partitions: 1}); err != nil {
				t.Fatal(err)
			}
			_, err := topicsync.SyncTopics(ctx, c, kafka.SyncAlign, kafka.Topic{Name: name, Partitions: 1, Configs: tt.configs})
			if !errors.Is(err, kafka.ErrTopicSetup) || ctx.Err() != nil {
				t.Fatalf("align: err = %v (ctx %v), want a prompt ErrTopicSetup", err, ctx.Err())
			}
			t.Logf("align: %v", err)
			_, err = topicsync.SyncTopics(ctx, c, kafka.SyncCreate, kafka.Topic{Name: name + "_new", Partitions: 1, Configs: tt.configs})
			if !errors.Is(err, kafka.ErrTopicSetup) || ctx.Err() != nil {
				t.Fatalf("create: err = %v (ctx %v), want a prompt ErrTopicSetup", err, ctx.Err())
			}
			t.Logf("create: %v", err)
		})
	}
}
