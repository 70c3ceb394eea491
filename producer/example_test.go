package producer_test

import (
	"context"
	"fmt"

	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/producer"
)

func Example() {
	broker, err := embedded.Start(embedded.Addr("127.0.0.1:0"), embedded.Topics(1, "greetings"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer broker.Close()

	cfg := producer.DefaultConfig()
	cfg.Kafka.Brokers = broker.Addrs()
	p, err := producer.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()

	r, err := p.Send(context.Background(), &producer.Message{
		Topic:   "greetings",
		Key:     []byte("user-1"),
		Value:   []byte(`{"hello":"world"}`),
		Headers: []producer.Header{{Key: "source", Value: []byte("example")}},
	})
	fmt.Println(r.Partition, r.Offset, err)
	// Output: 0 0 <nil>
}

func ExampleProducer_SendAsync() {
	broker, err := embedded.Start(embedded.Addr("127.0.0.1:0"), embedded.Topics(1, "events"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer broker.Close()

	cfg := producer.DefaultConfig()
	cfg.Kafka.Brokers = broker.Addrs()
	p, err := producer.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}

	offsets := make(chan int64, 3)
	for _, v := range []string{"a", "b", "c"} {
		p.SendAsync(&producer.Message{Topic: "events", Value: []byte(v)}, func(r producer.Result) {
			offsets <- r.Offset
		})
	}
	_ = p.Close() // waits for all three callbacks
	close(offsets)
	for o := range offsets {
		fmt.Print(o, " ")
	}
	fmt.Println()
	// Output: 0 1 2
}
