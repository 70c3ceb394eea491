package karafka_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/ops"
)

// Order is the input of orders_placed.
type Order struct {
	ID    int64   `json:"id"`
	Total float64 `json:"total"`
}

// OrdersPlacedController handles one message of orders_placed.
type OrdersPlacedController struct{}

// Perform decodes the order and hands it to the route's responder.
func (OrdersPlacedController) Perform(ctx *karafka.Context) error {
	var o Order
	if err := ctx.Params.Decode(&o); err != nil {
		return err // malformed JSON: dead-lettered to orders_placed_dlq at once
	}
	ctx.RespondWith(o)
	return nil
}

// OrdersPlacedResponder is found by naming convention (route orders_placed)
// and declares the one topic it writes to.
func OrdersPlacedResponder() karafka.Responder {
	return karafka.NewResponder([]karafka.Topic{karafka.Required("orders_confirmed")},
		func(out *karafka.Output, args ...any) error {
			o := args[0].(Order)
			out.RespondTo("orders_confirmed", map[string]any{"order_id": o.ID, "status": "confirmed"})
			return nil
		})
}

// A complete program embedding karafka-actors without its CLI: as a
// program, this file is package main and this function is main. It reads
// orders_placed from the brokers in $BROKERS and answers on
// orders_confirmed until SIGTERM or Ctrl-C, with metrics and health endpoints.
func Example_program() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	cfg := karafka.DefaultConfig()
	cfg.Name = "orders"
	if b := os.Getenv("BROKERS"); b != "" {
		cfg.Kafka.Brokers = strings.Split(b, ",")
	}
	cfg.Topics.Create = true // create orders_placed, orders_confirmed and the dead letter topic if missing
	app, err := karafka.New(cfg, karafka.WithLogger(logger))
	if err != nil { // wraps karafka.ErrInvalidConfig, naming the key
		logger.Error("config", "err", err)
		os.Exit(2)
	}
	if err := app.Registry().Register("OrdersPlacedResponder", OrdersPlacedResponder); err != nil {
		logger.Error("responder", "err", err)
		os.Exit(2)
	}
	app.Route(karafka.Route{
		Topic:      "orders_placed",
		Controller: func() karafka.Controller { return OrdersPlacedController{} },
	})

	// /metrics, /healthz, /readyz and /api/ on a loopback port (package ops).
	surface := ops.New(app)
	defer surface.Close()
	go http.ListenAndServe("127.0.0.1:8080", surface)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	// Run validates the routes, connects and consumes until ctx ends, then
	// shuts down gracefully (drain, flush, commit).
	if err := app.Run(ctx); err != nil {
		if errors.Is(err, karafka.ErrUndone) {
			logger.Error("messages left uncommitted; they are consumed again on the next start", "err", err)
		} else {
			logger.Error("run", "err", err)
		}
		os.Exit(1)
	}
}
