package clients_test

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// A Reader reads a partition from any offset without joining a group:
// here the last two records of partition 0.
func ExampleNewReader() {
	b, err := embedded.Start(embedded.Addr("127.0.0.1:0"), embedded.Topics(1, "orders"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	if err := produceValues(b.Addrs(), "orders", "first", "second", "third"); err != nil {
		fmt.Println(err)
		return
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := kafka.DefaultConfig()
	cfg.Brokers = b.Addrs()
	cfg.Client = kafka.ClientSarama // or kafka.ClientFranz: the same records
	r, err := clients.NewReader(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()

	start, end, err := r.Bounds(ctx, "orders", 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("offsets %d to %d\n", start, end)
	recs, err := r.Read(ctx, "orders", 0, end-2, 100)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rec := range recs {
		fmt.Printf("%s/%d@%d: %s\n", rec.Topic, rec.Partition, rec.Offset, rec.Value)
	}
	// Output:
	// offsets 0 to 3
	// orders/0@1: second
	// orders/0@2: third
}

// produceValues writes values to partition 0 of topic.
func produceValues(brokers []string, topic string, values ...string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return err
	}
	defer cl.Close()
	var rs []*kgo.Record
	for _, v := range values {
		rs = append(rs, &kgo.Record{Topic: topic, Partition: 0, Value: []byte(v)})
	}
	return cl.ProduceSync(context.Background(), rs...).FirstErr()
}
