package karafka_test

import (
	"context"
	"errors"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/topology"
)

// The routes of an App resolve batch routes with consumer.batch_size as
// their default bound.
func TestApp_batchRouteTakesConsumerBatchSize(t *testing.T) {
	cfg := karafka.DefaultConfig()
	cfg.Consumer.BatchSize = 42
	a, err := karafka.New(cfg, karafka.WithRoutes(topology.Route{Topic: "visits",
		BatchController: func() controllers.BatchController {
			return controllers.BatchFunc(func(*controllers.BatchContext) error { return nil })
		}}))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := a.Routes()
	if err != nil {
		t.Fatal(err)
	}
	if !routes[0].Batch() || routes[0].BatchSize != 42 {
		t.Fatalf("batch %v, size %d; want a batch route of ≤42", routes[0].Batch(), routes[0].BatchSize)
	}
	// The runtime does not run them yet: Run says so before connecting.
	if err := a.Run(context.Background()); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Run = %v, want ErrUnsupported", err)
	}
}
