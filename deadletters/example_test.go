package deadletters_test

import (
	"context"
	"fmt"

	"github.com/karafka-actors/karafka-actors/deadletters"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

// Two dead letters of orders: one the runtime wrote whole, which goes back
// to orders/0, and one it cut to fit, which stays where it is.
func ExampleReplay() {
	broker, err := embedded.Start(embedded.Addr("127.0.0.1:0"), embedded.Topics(1, "orders", "orders_dlq"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer broker.Close()
	cfg := kafka.DefaultConfig()
	cfg.Brokers = broker.Addrs()

	// What the runtime writes for a record of orders/0 at offset 7 that
	// failed (the original's headers come first).
	failed := func(value string, extra ...producer.Header) *producer.Message {
		return &producer.Message{Topic: "orders_dlq", Key: []byte("order-1"), Value: []byte(value), Headers: append([]producer.Header{
			{Key: "source", Value: []byte("web")},
			{Key: "karafka.origin.topic", Value: []byte("orders")},
			{Key: "karafka.origin.partition", Value: []byte("0")},
			{Key: "karafka.origin.offset", Value: []byte("7")},
			{Key: "karafka.error", Value: []byte("payment service down")},
			{Key: "karafka.attempts", Value: []byte("3")},
			{Key: "karafka.stage", Value: []byte("controller")},
		}, extra...)}
	}
	pc := producer.DefaultConfig()
	pc.Kafka = cfg
	p, err := producer.New(pc)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range []*producer.Message{
		failed(`{"id":1}`),
		failed(`{"id"`, producer.Header{Key: "karafka.truncated.value", Value: []byte("2000000")}),
	} {
		if _, err := p.Send(context.Background(), m); err != nil {
			fmt.Println(err)
			return
		}
	}
	_ = p.Close()

	res, err := deadletters.Replay(context.Background(), cfg,
		deadletters.Request{Topic: "orders_dlq", Partition: -1, From: 0, To: -1})
	for _, o := range res.Records {
		if o.Status == deadletters.StatusReplayed {
			fmt.Printf("orders_dlq/%d@%d replayed to %s/%d@%d\n", o.Partition, o.Offset, o.OriginTopic, o.OriginPartition, o.SentOffset)
		} else {
			fmt.Printf("orders_dlq/%d@%d %s: %s\n", o.Partition, o.Offset, o.Status, o.Error)
		}
	}
	fmt.Println(res.Replayed, res.Skipped, err)
	// Output:
	// orders_dlq/0@0 replayed to orders/0@0
	// orders_dlq/0@1 skipped: cut to fit (karafka.truncated.value): not the original record; the original is at orders/0@7 until its retention removes it
	// 1 1 <nil>
}
