package console_test

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/console"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/topology"
)

// An Explorer shows a route's records with their values decoded by the
// route's parser; a dead letter's by the parser of the route it came from.
func ExampleNewExplorer() {
	b, err := embedded.Start(embedded.Addr("127.0.0.1:0"), embedded.Topics(1, "orders", "orders_dlq"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	err = p.ProduceSync(ctx,
		&kgo.Record{Topic: "orders", Key: []byte("o-1"), Value: []byte(`{"total": 12.5}`)},
		&kgo.Record{Topic: "orders_dlq", Value: []byte(`{"total": "x"}`), Headers: []kgo.RecordHeader{
			{Key: "karafka.origin.topic", Value: []byte("orders")}, {Key: "karafka.error", Value: []byte("total: not a number")}}},
	).FirstErr()
	if err != nil {
		fmt.Println(err)
		return
	}

	cfg := kafka.DefaultConfig()
	cfg.Brokers = b.Addrs()
	r, err := clients.NewReader(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	routes := []topology.Resolved{{Route: topology.Route{Topic: "orders", Parser: params.JSON}, DeadLetter: "orders_dlq"}}
	e := console.NewExplorer(r, routes) // e.ServeTopics and e.ServeRecords serve api/topics and api/records

	topics, err := e.Topics(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range topics {
		fmt.Printf("%s: route %t, dead letters %t, parser %q, %d record(s)\n", t.Name, t.Route, t.DeadLetter, t.Parser, t.Partitions[0].End)
		page, err := e.Records(ctx, console.Query{Topic: t.Name, Offset: 0})
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, rec := range page.Records {
			fmt.Printf("  @%d %s decoded by %s: %s\n", rec.Offset, *rec.Value, rec.Parser, rec.Decoded)
		}
	}
	// Output:
	// orders: route true, dead letters false, parser "json", 1 record(s)
	//   @0 {"total": 12.5} decoded by json: {"total":12.5}
	// orders_dlq: route false, dead letters true, parser "", 1 record(s)
	//   @0 {"total": "x"} decoded by json: {"total":"x"}
}
