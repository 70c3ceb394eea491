package clients_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topicsync"
)

var bothClients = []string{kafka.ClientSarama, kafka.ClientFranz}

func newAdmin(t *testing.T, ctx context.Context, brokers []string, lib string) client.Admin {
	t.Helper()
	c := testkafka.Config(brokers)
	c.Client = lib
	a, err := clients.NewAdmin(ctx, c)
	if err != nil {
		t.Fatalf("%s: %v", lib, err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// A topic the cluster does not have is an error matching
// client.ErrUnknownTopicOrPartition on both clients, naming the topic, and
// reading the same.
func TestAdmin_unknownTopicMatchesTheCode(t *testing.T) {
	brokers := testkafka.Brokers(t)
	missing := testkafka.Name(t, "missing")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	calls := map[string]func(client.Admin) error{
		"ListTopics":        func(a client.Admin) error { _, err := a.ListTopics(ctx, missing); return err },
		"ListEndOffsets":    func(a client.Admin) error { _, err := a.ListEndOffsets(ctx, missing); return err },
		"ListStartOffsets":  func(a client.Admin) error { _, err := a.ListStartOffsets(ctx, missing); return err },
		"ListStableOffsets": func(a client.Admin) error { _, err := a.ListStableOffsets(ctx, missing); return err },
		"FetchGroupOffsets": func(a client.Admin) error { _, err := a.FetchGroupOffsets(ctx, "g", missing); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			msgs := map[string]string{}
			for _, lib := range bothClients {
				err := call(newAdmin(t, ctx, brokers, lib))
				if !errors.Is(err, client.ErrUnknownTopicOrPartition) || !strings.Contains(err.Error(), missing) {
					t.Fatalf("%s: err = %v, want ErrUnknownTopicOrPartition naming %s", lib, err, missing)
				}
				msgs[lib] = err.Error()
			}
			if msgs[kafka.ClientSarama] != msgs[kafka.ClientFranz] {
				t.Errorf("errors differ:\n sarama: %s\n  franz: %s", msgs[kafka.ClientSarama], msgs[kafka.ClientFranz])
			}
		})
	}
	// Creating an existing topic, and describing or deleting a missing
	// one: coded on both.
	for _, lib := range bothClients {
		a := newAdmin(t, ctx, brokers, lib)
		if err := a.DeleteTopic(ctx, missing); !errors.Is(err, client.ErrUnknownTopicOrPartition) {
			t.Errorf("%s: delete missing: %v", lib, err)
		}
		name := testkafka.Name(t, "exists_"+lib)
		if err := a.CreateTopic(ctx, name, 1, 1, nil); err != nil {
			t.Fatalf("%s: create: %v", lib, err)
		}
		if err := a.CreateTopic(ctx, name, 1, 1, nil); !errors.Is(err, client.ErrTopicAlreadyExists) {
			t.Errorf("%s: create again: %v, want ErrTopicAlreadyExists", lib, err)
		}
		_ = a.DeleteTopic(ctx, name)
	}
}

// A cluster that cannot be reached is an error wrapping
// client.ErrUnreachable that names the brokers, on both clients, promptly.
func TestAdmin_brokerDownNamesTheBrokers(t *testing.T) {
	for _, lib := range bothClients {
		t.Run(lib, func(t *testing.T) {
			c := testkafka.Config([]string{"127.0.0.1:1", "127.0.0.1:2"})
			c.Client = lib
			c.DialTimeout = time.Second
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			a, err := clients.NewAdmin(ctx, c)
			if err == nil {
				a.Close()
				t.Fatal("connected to no broker")
			}
			if !errors.Is(err, client.ErrUnreachable) || !strings.Contains(err.Error(), "127.0.0.1:1,127.0.0.1:2") {
				t.Fatalf("err = %v, want ErrUnreachable naming the brokers", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			t.Logf("%s: %v", lib, err)
		})
	}
}

// A topic created with configs by one client reads the same through the
// other, and a plan then an align on either carries the changes out.
func TestAdmin_createPlanApplyWithConfigsOnBoth(t *testing.T) {
	brokers := testkafka.Brokers(t)
	for _, lib := range bothClients {
		t.Run(lib, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c := testkafka.Config(brokers)
			c.Client = lib
			name := testkafka.Name(t, "cfg_"+lib)
			decl := kafka.Topic{Name: name, Partitions: 2, Configs: map[string]string{"retention.ms": "3600000", "cleanup.policy": "compact"}}
			plan, err := topicsync.SyncTopics(ctx, c, kafka.SyncCreate, decl)
			if err != nil {
				t.Fatal(err)
			}
			if cr, _, _ := plan.Counts(); cr != 1 {
				t.Fatalf("created %d topics, want 1", cr)
			}
			state := map[string]string{}
			for _, other := range bothClients {
				a := newAdmin(t, ctx, brokers, other)
				ts, err := a.ListTopics(ctx, name)
				if err != nil || ts[name].Partitions != 2 || ts[name].ReplicationFactor != 1 {
					t.Fatalf("%s reads %+v, %v", other, ts, err)
				}
				entries, err := a.DescribeTopicConfigs(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]string{}
				for _, e := range entries {
					if e.Name == "retention.ms" || e.Name == "cleanup.policy" || e.Name == "segment.ms" {
						got[e.Name] = e.Value + map[bool]string{true: " (default)"}[e.Default]
					}
				}
				if got["retention.ms"] != "3600000" || got["cleanup.policy"] != "compact" {
					t.Errorf("%s reads configs %v", other, got)
				}
				if len(state) > 0 && !maps.Equal(state, got) {
					t.Errorf("clients read different configs: %v and %v", state, got)
				}
				state = got
			}
			a := newAdmin(t, ctx, brokers, lib)
			decl.Partitions = 3
			decl.Configs = map[string]string{"retention.ms": "7200000", "cleanup.policy": "compact"}
			plan, err = topicsync.PlanTopics(ctx, a, []kafka.Topic{decl})
			if err != nil {
				t.Fatal(err)
			}
			if cr, al, rp := plan.Counts(); cr != 0 || al != 1 || rp != 1 {
				t.Fatalf("plan = %d create, %d alter, %d repartition; want 0, 1, 1", cr, al, rp)
			}
			if _, err := topicsync.ApplyTopicPlan(ctx, a, plan, kafka.SyncAlign); err != nil {
				t.Fatal(err)
			}
			if plan, err = topicsync.PlanTopics(ctx, a, []kafka.Topic{decl}); err != nil || plan.Pending() {
				t.Fatalf("plan after apply: %+v, %v; want nothing pending", plan.Changes, err)
			}
			if _, err := topicsync.DeleteTopics(ctx, a, name); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// offsetsOf lists the end and stable offsets of topic's partition through
// both clients, which must agree.
func offsetsOf(t *testing.T, ctx context.Context, admins map[string]client.Admin, topic string, partition int32) (end, stable int64) {
	t.Helper()
	end, stable, differ := readOffsets(t, ctx, admins, topic, partition)
	if differ != "" {
		t.Fatal(differ)
	}
	return end, stable
}

// readOffsets is offsetsOf, saying how the clients differ instead of
// failing: while a transaction's marker is being written they may read
// either side of it.
func readOffsets(t *testing.T, ctx context.Context, admins map[string]client.Admin, topic string, partition int32) (end, stable int64, differ string) {
	t.Helper()
	seen := ""
	for _, lib := range bothClients {
		ends, err := admins[lib].ListEndOffsets(ctx, topic)
		if err != nil {
			t.Fatalf("%s: end offsets: %v", lib, err)
		}
		stables, err := admins[lib].ListStableOffsets(ctx, topic)
		if err != nil {
			t.Fatalf("%s: stable offsets: %v", lib, err)
		}
		e, okE := ends.Lookup(topic, partition)
		s, okS := stables.Lookup(topic, partition)
		if !okE || !okS {
			t.Fatalf("%s: partition %d missing: end %v, stable %v", lib, partition, ends, stables)
		}
		if got := fmt.Sprintf("end %d, stable %d", e, s); seen == "" {
			seen, end, stable = got, e, s
		} else if got != seen {
			differ = fmt.Sprintf("clients differ: %s reads %s, %s reads %s", bothClients[0], seen, lib, got)
		}
	}
	return end, stable, differ
}

// eventuallyOffsets waits until topic's partition lists end and stable
// offsets want (a real broker writes a transaction's markers after
// EndTxn answers).
func eventuallyOffsets(t *testing.T, ctx context.Context, admins map[string]client.Admin, topic string, partition int32, wantEnd, wantStable int64) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		end, stable, differ := readOffsets(t, ctx, admins, topic, partition)
		if differ == "" && end == wantEnd && stable == wantStable {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("partition %d: end %d, stable %d (%s); want end %d, stable %d on both clients", partition, end, stable, differ, wantEnd, wantStable)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A transaction left open holds the last stable offset at its first
// record while the end offset moves on, on both clients; its commit or
// abort (whose marker takes an offset) brings the stable offset to the
// end. A partition without transactions is stable up to its end.
func TestAdmin_stableOffsetsHeldByAnOpenTransaction(t *testing.T) {
	brokers := testkafka.Brokers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admins := map[string]client.Admin{}
	for _, lib := range bothClients {
		admins[lib] = newAdmin(t, ctx, brokers, lib)
	}
	topic := testkafka.Name(t, "lso")
	plain := testkafka.Name(t, "lso_plain")
	testkafka.CreateTopics(t, brokers, 2, topic, plain)

	// No transaction: stable is end, on every partition, empty or not.
	testkafka.Produce(t, brokers, plain, testkafka.Record{Value: "a", Explicit: true}, testkafka.Record{Value: "b", Explicit: true})
	for _, lib := range bothClients {
		ends, err := admins[lib].ListEndOffsets(ctx, plain)
		if err != nil {
			t.Fatal(err)
		}
		stables, err := admins[lib].ListStableOffsets(ctx, plain)
		if err != nil {
			t.Fatal(err)
		}
		if len(ends[plain]) != 2 || !maps.Equal(ends[plain], stables[plain]) || ends[plain][0] != 2 || ends[plain][1] != 0 {
			t.Errorf("%s: no transaction: end %v, stable %v; want both {0:2 1:0}", lib, ends[plain], stables[plain])
		}
	}

	// Two records outside any transaction, then three in one left open.
	testkafka.Produce(t, brokers, topic, testkafka.Record{Value: "a", Explicit: true}, testkafka.Record{Value: "b", Explicit: true})
	opts, err := testkafka.Config(brokers).Franz()
	if err != nil {
		t.Fatal(err)
	}
	txn, err := kgo.NewClient(append(opts,
		kgo.TransactionalID(testkafka.Name(t, "lso_txn")),
		kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	produce := func(values ...string) {
		t.Helper()
		if err := txn.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			if err := txn.ProduceSync(ctx, &kgo.Record{Value: []byte(v), Partition: 0}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	produce("t1", "t2", "t3")
	if end, stable := offsetsOf(t, ctx, admins, topic, 0); end != 5 || stable != 2 {
		t.Fatalf("transaction open: end %d, stable %d; want end 5, stable 2", end, stable)
	}
	if end, stable := offsetsOf(t, ctx, admins, topic, 1); end != 0 || stable != 0 {
		t.Errorf("partition without the transaction: end %d, stable %d; want 0, 0", end, stable)
	}
	if err := txn.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	// The commit marker takes offset 5.
	eventuallyOffsets(t, ctx, admins, topic, 0, 6, 6)

	// A second transaction holds the stable offset at its first record,
	// and its abort (marker at 7) releases it.
	produce("t4")
	if end, stable := offsetsOf(t, ctx, admins, topic, 0); end != 7 || stable != 6 {
		t.Fatalf("second transaction open: end %d, stable %d; want end 7, stable 6", end, stable)
	}
	if err := txn.EndTransaction(ctx, kgo.TryAbort); err != nil {
		t.Fatal(err)
	}
	eventuallyOffsets(t, ctx, admins, topic, 0, 8, 8)
}
