package karafka_test

import (
	"context"
	"fmt"
	"os"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/embedded"
)

// Routes declare their topics; the application plans and creates them
// without the CLI (Config.Topics.Create would make Run do it).
func ExampleApp_EnsureTopics() {
	broker, err := embedded.Start(embedded.Addr("127.0.0.1:0"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer broker.Close()

	cfg := karafka.DefaultConfig()
	cfg.Kafka.Brokers = broker.Addrs()
	cfg.Topics.Configs = map[string]string{"retention.ms": "604800000"} // every topic's default
	app, err := karafka.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	app.Route(karafka.Route{
		Topic:      "users_created",
		Controller: func() karafka.Controller { return UsersCreatedController{} },
		Responder:  UsersCreatedResponder,
		TopicSpec:  karafka.TopicSpec{Partitions: 3},
		ResponseSpecs: map[string]karafka.TopicSpec{
			"users_welcomed": {Configs: map[string]string{"cleanup.policy": "compact"}},
		},
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	plan, err := app.PlanTopics(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = plan.Write(os.Stdout)
	if _, err := app.EnsureTopics(ctx); err != nil {
		fmt.Println(err)
		return
	}
	if plan, err = app.PlanTopics(ctx); err == nil && !plan.Pending() {
		fmt.Println("nothing left to do")
	}
	// Output:
	// create users_created: 3 partitions, replication factor 1, retention.ms=604800000
	// create users_welcomed: 1 partition, replication factor 1, cleanup.policy=compact, retention.ms=604800000
	// create users_created_dlq: 1 partition, replication factor 1, retention.ms=604800000
	// plan: 3 to create, 0 to alter, 0 to repartition, 0 up to date
	// nothing left to do
}
