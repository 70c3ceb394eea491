package karafka_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topology"
)

// UsersCreatedController answers each created user with a welcome.
type UsersCreatedController struct{}

func (UsersCreatedController) Perform(c *controllers.Context) error {
	email, _ := c.Params.String("email")
	c.RespondWith(email)
	return nil
}

// UsersCreatedResponder is found by naming convention.
func UsersCreatedResponder() responders.Responder {
	return responders.Func([]responders.Topic{responders.Required("users_welcomed")},
		func(out *responders.Output, args ...any) error {
			out.RespondTo("users_welcomed", map[string]any{"to": args[0]})
			return nil
		})
}

// An application embedded in a Go program, on the embedded broker.
func Example() {
	broker, _ := embedded.Start(embedded.Addr("127.0.0.1:0"), embedded.Topics(1, "users_created", "users_welcomed", "users_created_dlq"))
	defer broker.Close()

	cfg := karafka.DefaultConfig()
	cfg.Name = "example"
	cfg.Kafka.Brokers = broker.Addrs()
	app, err := karafka.New(cfg, karafka.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = app.Registry().Register("UsersCreatedResponder", UsersCreatedResponder)
	app.Route(topology.Route{Topic: "users_created", Controller: func() controllers.Controller { return UsersCreatedController{} }})

	go func() { _ = app.Run(context.Background()) }()
	<-app.Ready()

	pcfg := producer.DefaultConfig()
	pcfg.Kafka = app.Config().Kafka // the client id filled in: the app's name
	p, _ := producer.New(pcfg)
	_, _ = p.Send(context.Background(), &producer.Message{Topic: "users_created", Value: []byte(`{"email":"ada@example.com"}`)})
	_ = p.Close()

	fmt.Println(readOne(broker.Addrs(), "users_welcomed"))
	_ = app.Shutdown(context.Background())
	// Output: {"to":"ada@example.com"}
}

// readOne returns the first record of partition 0 of topic.
func readOne(brokers []string, topic string) string {
	c, err := sarama.NewConsumer(brokers, sarama.NewConfig())
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return err.Error()
	}
	defer pc.Close()
	select {
	case m := <-pc.Messages():
		return string(m.Value)
	case <-time.After(30 * time.Second):
		return "timeout"
	}
}
