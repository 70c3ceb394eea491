package franzclient_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/client/franzclient"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// printer prints the records of one session and commits them in Cleanup.
type printer struct {
	want int
	done context.CancelFunc
}

func (p *printer) Setup(client.Session) error { return nil }

func (p *printer) Cleanup(s client.Session) error {
	s.Commit() // what ConsumeClaim marked
	return nil
}

func (p *printer) ConsumeClaim(s client.Session, c client.Claim) error {
	var buf []client.Record
	for {
		var ok bool
		if buf, ok = c.Fetch(buf[:0], 100); !ok {
			return nil // the session ended
		}
		for _, r := range buf {
			fmt.Printf("%s/%d@%d: %s\n", r.Topic, r.Partition, r.Offset, r.Value)
			s.MarkOffset(r.Topic, r.Partition, r.Offset+1)
			if p.want--; p.want == 0 {
				p.done()
			}
		}
	}
}

func ExampleFactory_NewGroup() {
	b, err := embedded.Start(embedded.Addr("127.0.0.1:0"), embedded.Topics(1, "orders"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	if err := produceValues(b.Addrs(), "orders", "first", "second"); err != nil {
		fmt.Println(err)
		return
	}

	k := kafka.DefaultConfig()
	k.Brokers = b.Addrs()
	g, err := franzclient.New().NewGroup(client.GroupConfig{
		Kafka:         k,
		Group:         "billing",
		Topics:        []string{"orders"},
		FromBeginning: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()

	ctx, cancel := context.WithCancel(context.Background())
	h := &printer{want: 2, done: cancel}
	// Each Consume is one session; a rebalance ends it (nil): consume again.
	for {
		if err := g.Consume(ctx, h); errors.Is(err, context.Canceled) {
			break
		} else if err != nil {
			fmt.Println(err)
			return
		}
	}
	// Output:
	// orders/0@0: first
	// orders/0@1: second
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
