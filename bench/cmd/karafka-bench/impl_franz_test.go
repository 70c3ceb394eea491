package main

import (
	"context"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// TestFranzLoop_answersEveryRecordAndCommitsOnStop runs the franz-go
// contender over a pre-filled topic and checks the work the harness
// compares: every input answered once on "out", and after a stop the
// group's committed offsets are the input's end offsets (marks are taken
// only after acks and committed).
func TestFranzLoop_answersEveryRecordAndCommitsOnStop(t *testing.T) {
	const n = 5000
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "fin"), testkafka.Name(t, "fout")
	group := testkafka.Name(t, "fg")
	testkafka.CreateTopics(t, brokers, 4, in, out)
	if err := prefill(brokers, in, 0, n, nil); err != nil {
		t.Fatal(err)
	}
	wm, err := newWatermark(brokers, out)
	if err != nil {
		t.Fatal(err)
	}
	defer wm.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runFranzLoop(ctx, workerSpec{Impl: "franz", Brokers: brokers, In: []string{in}, Out: out, Group: group})
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s, err := wm.sum()
		if err != nil {
			t.Fatal(err)
		}
		if s >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d answered after 60s", s, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runFranzLoop: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("runFranzLoop did not stop")
	}

	v, err := verify(brokers, out, n)
	if err != nil {
		t.Fatal(err)
	}
	if v.Unique != n || v.Duplicates != 0 {
		t.Errorf("out: %d unique, %d duplicates; want %d, 0", v.Unique, v.Duplicates, n)
	}

	client, err := sarama.NewClient(brokers, baseSarama(brokers))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := client.Partitions(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := admin.ListConsumerGroupOffsets(group+"_"+in, map[string][]int32{in: parts})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		end, err := client.GetOffset(in, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		b := got.GetBlock(in, p)
		if b == nil || b.Offset != end {
			var c int64 = -1
			if b != nil {
				c = b.Offset
			}
			t.Errorf("partition %d: committed %d, want the end offset %d", p, c, end)
		}
	}
}
