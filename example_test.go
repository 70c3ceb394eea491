package karafka_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/producer"
)

// UsersCreatedController answers each created user with a welcome.
type UsersCreatedController struct{}

func (UsersCreatedController) Perform(c *karafka.Context) error {
	email, _ := c.Params.String("email")
	c.RespondWith(email)
	return nil
}

// UsersCreatedResponder is found by naming convention.
func UsersCreatedResponder() karafka.Responder {
	return karafka.NewResponder([]karafka.Topic{karafka.Required("users_welcomed")},
		func(out *karafka.Output, args ...any) error {
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
	app.Route(karafka.Route{Topic: "users_created", Controller: func() karafka.Controller { return UsersCreatedController{} }})

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
	return readN(brokers, topic, 1)[0]
}

// readN returns the first n records of partition 0 of topic; the last is
// an error's text when fewer come within 30 seconds.
func readN(brokers []string, topic string, n int) []string {
	c, err := sarama.NewConsumer(brokers, sarama.NewConfig())
	if err != nil {
		return []string{err.Error()}
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return []string{err.Error()}
	}
	defer pc.Close()
	var out []string
	timeout := time.After(30 * time.Second)
	for len(out) < n {
		select {
		case m := <-pc.Messages():
			out = append(out, string(m.Value))
		case <-timeout:
			return append(out, "timeout")
		}
	}
	return out
}
