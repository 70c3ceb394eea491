package karafka_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/producer"
)

// A route, its controller, its responder and their options, declared with
// the karafka package alone. Routes shows them as the runtime will run
// them, every default filled in, without connecting to anything.
func ExampleRoute() {
	app, err := karafka.New(karafka.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	app.Route(karafka.Route{
		Topic: "payments",
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				id, ok := c.Params.Int("id")
				if !ok {
					return karafka.Permanent(errors.New(`no "id"`)) // dead-lettered at once
				}
				c.RespondWith(id)
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder(
				[]karafka.Topic{karafka.Required("payments_settled"), karafka.Optional("payments_audit")},
				func(out *karafka.Output, args ...any) error {
					out.RespondTo("payments_settled", map[string]any{"id": args[0]}, karafka.Key(fmt.Sprint(args[0])))
					return nil
				})
		},
		BeforeFilters: []karafka.BeforeFilter{func(p *karafka.Params) bool { return len(p.Raw()) > 0 }},
		StartFrom:     karafka.StartEnd,
		Timeout:       5 * time.Second,
		Retry:         &karafka.RetryPolicy{Attempts: 5, Backoff: karafka.DefaultRetryPolicy().Backoff},
		Supervision:   &karafka.SupervisionConfig{Strategy: karafka.ExponentialBackoff, MaxRestarts: 10, Within: time.Minute, Backoff: karafka.DefaultRetryPolicy().Backoff},
		TopicSpec:     karafka.TopicSpec{Partitions: 6},
		Guarantee:     karafka.AtLeastOnce,
	})

	routes, err := app.Routes()
	if err != nil {
		fmt.Println(err)
		return
	}
	r := routes[0]
	fmt.Println("group:", r.Group)
	fmt.Println("from the beginning:", r.StartFromBeginning)
	fmt.Println("attempts:", r.RetryPolicy.Attempts, "supervision:", r.SupervisionConfig.Strategy)
	for _, t := range r.ResponderTopics {
		fmt.Println("responds to:", t.Name, "required:", t.Required)
	}
	fmt.Println("dead letters to:", r.DeadLetter)
	// Output:
	// group: karafka_app_payments
	// from the beginning: false
	// attempts: 5 supervision: exponential_backoff
	// responds to: payments_settled required: true
	// responds to: payments_audit required: false
	// dead letters to: payments_dlq
}

// A batch route declared with the karafka package alone, run on the
// embedded broker: the controller gets the messages of one partition a
// batch at a time and responds for each of them.
func ExampleBatchControllerFunc() {
	broker, err := embedded.Start(embedded.Addr("127.0.0.1:0"), embedded.Topics(1, "visits", "visits_counted", "visits_dlq"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer broker.Close()

	cfg := karafka.DefaultConfig()
	cfg.Name = "batch_example"
	cfg.Kafka.Brokers = broker.Addrs()
	app, err := karafka.New(cfg, karafka.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Println(err)
		return
	}
	app.Route(karafka.Route{
		Topic:     "visits",
		BatchSize: 10,
		BatchController: func() karafka.BatchController {
			return karafka.BatchControllerFunc(func(c *karafka.BatchContext) error {
				for i, m := range c.Messages {
					page, _ := m.String("page")
					c.RespondTo(i, page)
				}
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Required("visits_counted")},
				func(out *karafka.Output, args ...any) error {
					out.RespondTo("visits_counted", args[0], karafka.Header("counted-by", "example"))
					return nil
				})
		},
	})

	go func() { _ = app.Run(context.Background()) }()
	<-app.Ready()
	pcfg := producer.DefaultConfig()
	pcfg.Kafka = app.Config().Kafka
	p, _ := producer.New(pcfg)
	for _, page := range []string{"/", "/pricing", "/docs"} {
		_, _ = p.Send(context.Background(), &producer.Message{Topic: "visits", Value: fmt.Appendf(nil, `{"page":%q}`, page)})
	}
	_ = p.Close()

	for _, v := range readN(broker.Addrs(), "visits_counted", 3) {
		fmt.Println(v)
	}
	_ = app.Shutdown(context.Background())
	// Output:
	// /
	// /pricing
	// /docs
}
