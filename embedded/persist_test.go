package embedded_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// TestBroker_Advertise: clients bootstrapping at the listen address are told
// to connect to the advertised one, in metadata and coordinator answers.
func TestBroker_Advertise(t *testing.T) {
	// A free loopback port nobody listens on: the test only reads what the
	// broker advertises.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	advertised := l.Addr().String()
	l.Close()

	tests := []struct {
		name string
		opts []embedded.Option
		want func(b *embedded.Broker) string
	}{
		{"default: the listen address", nil, func(b *embedded.Broker) string { return b.Addrs()[0] }},
		{"another address", []embedded.Option{embedded.Advertise(advertised)}, func(*embedded.Broker) string { return advertised }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := start(t, append(tt.opts, embedded.Topics(1, "t"))...)
			want := tt.want(b)
			if got := b.Advertised(); len(got) != 1 || got[0] != want {
				t.Errorf("Advertised() = %v, want [%s]", got, want)
			}
			if b.Addrs()[0] == advertised {
				t.Fatalf("Addrs() = %v: the listen address, not the advertised one", b.Addrs())
			}
			conn := sarama.NewBroker(b.Addrs()[0])
			cfg := sarama.NewConfig()
			cfg.Version = sarama.V2_8_0_0
			if err := conn.Open(cfg); err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			md, err := conn.GetMetadata(&sarama.MetadataRequest{Version: 5, Topics: []string{"t"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(md.Brokers) != 1 || md.Brokers[0].Addr() != want {
				t.Errorf("metadata brokers %v, want one at %s", brokerAddrs(md.Brokers), want)
			}
			co, err := conn.FindCoordinator(&sarama.FindCoordinatorRequest{Version: 2, CoordinatorKey: "g", CoordinatorType: sarama.CoordinatorGroup})
			if err != nil {
				t.Fatal(err)
			}
			if co.Coordinator == nil || co.Coordinator.Addr() != want {
				t.Errorf("coordinator %v, want %s", co.Coordinator, want)
			}
		})
	}
}

func brokerAddrs(bs []*sarama.Broker) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Addr())
	}
	return out
}

// TestBroker_DataDir: a broker started on the data dir of a closed one has
// its topics, records and committed offsets; without DataDir they are gone.
func TestBroker_DataDir(t *testing.T) {
	dir := t.TempDir()
	first := start(t, embedded.DataDir(dir), embedded.Topics(1, "kept"))
	roundTrip(t, first, "kept", "before the restart")
	commit(t, first.Addrs(), "g", "kept", 0, 1)
	if got := committed(t, first.Addrs(), "g", "kept", 0); got != 1 {
		t.Fatalf("committed offset before the restart %d, want 1", got)
	}
	first.Close()

	second := start(t, embedded.DataDir(dir))
	msgs := read(t, second.Addrs(), "kept", 0, 1)
	if len(msgs) != 1 || string(msgs[0].Value) != "before the restart" {
		t.Errorf("after the restart partition 0 holds %v, want the record written before", values(msgs))
	}
	if got := committed(t, second.Addrs(), "g", "kept", 0); got != 1 {
		t.Errorf("committed offset after the restart %d, want 1", got)
	}

	// Without DataDir nothing is kept (the topic is not even there).
	mem := start(t, embedded.Topics(1, "gone"))
	roundTrip(t, mem, "gone", "x")
	addr := mem.Addrs()[0]
	mem.Close()
	again := start(t, embedded.Addr(addr))
	c := kafka.DefaultConfig()
	c.Brokers = again.Addrs()
	sc, err := c.Sarama()
	if err != nil {
		t.Fatal(err)
	}
	client, err := sarama.NewClient(c.Brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if topics, err := client.Topics(); err != nil || len(topics) != 0 {
		t.Errorf("a broker without DataDir started with topics %v (%v), want none", topics, err)
	}
}

func saramaCfg(t *testing.T, addrs []string) *sarama.Config {
	t.Helper()
	c := kafka.DefaultConfig()
	c.Brokers = addrs
	sc, err := c.Sarama()
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// commit commits offset for group on topic/partition, as a member-less
// (generation -1) commit.
func commit(t *testing.T, addrs []string, group, topic string, partition int32, offset int64) {
	t.Helper()
	c := client(t, addrs)
	co, err := c.Coordinator(group)
	if err != nil {
		t.Fatal(err)
	}
	req := &sarama.OffsetCommitRequest{Version: 2, ConsumerGroup: group, ConsumerGroupGeneration: -1}
	req.AddBlock(topic, partition, offset, 0, "")
	resp, err := co.CommitOffset(req)
	if err != nil {
		t.Fatal(err)
	}
	if kerr := resp.Errors[topic][partition]; kerr != sarama.ErrNoError {
		t.Fatalf("commit: %v", kerr)
	}
}

// committed returns the committed offset of group on topic/partition.
func committed(t *testing.T, addrs []string, group, topic string, partition int32) int64 {
	t.Helper()
	admin, err := sarama.NewClusterAdminFromClient(client(t, addrs))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {partition}})
	if err != nil {
		t.Fatal(err)
	}
	b := resp.GetBlock(topic, partition)
	if b == nil {
		return -1
	}
	return b.Offset
}

func client(t *testing.T, addrs []string) sarama.Client {
	t.Helper()
	c, err := sarama.NewClient(addrs, saramaCfg(t, addrs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// read consumes want records of topic/partition from the oldest offset.
func read(t *testing.T, addrs []string, topic string, partition int32, want int) []*sarama.ConsumerMessage {
	t.Helper()
	cons, err := sarama.NewConsumer(addrs, saramaCfg(t, addrs))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	pc, err := cons.ConsumePartition(topic, partition, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	var out []*sarama.ConsumerMessage
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for len(out) < want {
		select {
		case m := <-pc.Messages():
			out = append(out, m)
		case <-ctx.Done():
			return out
		}
	}
	return out
}

func values(msgs []*sarama.ConsumerMessage) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, string(m.Value))
	}
	return out
}
