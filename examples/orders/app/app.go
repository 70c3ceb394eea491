package app

import (
	_ "embed"
	"fmt"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// Topics of this example.
const (
	OrdersPlaced    = "orders_placed"
	OrdersConfirmed = "orders_confirmed"
)

// OrderSchema is the Avro schema of orders_placed's records (order.avsc:
// `produce orders_placed --schema examples/orders/app/order.avsc`).
//
//go:embed order.avsc
var OrderSchema string

// ConfirmedSchema is the Avro schema of orders_confirmed's records
// (confirmed.avsc).
//
//go:embed confirmed.avsc
var ConfirmedSchema string

// Order is an input, as hamba/avro decodes it.
type Order struct {
	ID     int64   `avro:"id"`
	Total  float64 `avro:"total"`
	Coupon *string `avro:"coupon"`
}

// Confirmed is the response.
type Confirmed struct {
	OrderID int64   `avro:"order_id"`
	Total   float64 `avro:"total"`
	Status  string  `avro:"status"`
}

// OrdersPlacedController confirms an order, with 10% off for a coupon.
type OrdersPlacedController struct{}

// Perform decodes the order and responds with its confirmation.
func (OrdersPlacedController) Perform(ctx *karafka.Context) error {
	var o Order
	if err := ctx.Params.Decode(&o); err != nil {
		return err
	}
	total := o.Total
	if o.Coupon != nil {
		total *= 0.9
	}
	ctx.RespondWith(Confirmed{OrderID: o.ID, Total: total, Status: "confirmed"})
	return nil
}

// Responder sends the confirmation on orders_confirmed, keyed by the order
// id, encoded with ConfirmedSchema through reg.
func Responder(reg *schemas.Registry) func() karafka.Responder {
	topic := karafka.Required(OrdersConfirmed).WithSchema(reg.TopicName().Register(schemas.Avro, ConfirmedSchema))
	return func() karafka.Responder {
		return karafka.NewNamedResponder("OrdersPlacedResponder", []karafka.Topic{topic}, func(out *karafka.Output, args ...any) error {
			c, ok := args[0].(Confirmed)
			if !ok || len(args) != 1 {
				return fmt.Errorf("want one Confirmed, got %v", args)
			}
			out.RespondTo(OrdersConfirmed, c, karafka.Key(fmt.Sprint(c.OrderID)))
			return nil
		})
	}
}

// Route is the example's route, reading and writing through reg.
func Route(reg *schemas.Registry) karafka.Route {
	return karafka.Route{
		Topic:      OrdersPlaced,
		Parser:     reg.Parser(schemas.Avro),
		Controller: func() karafka.Controller { return OrdersPlacedController{} },
		Responder:  Responder(reg),
	}
}

// Register adds the route when the app has a schema registry, and
// nothing otherwise.
func Register(app *karafka.App) error {
	if app.Schemas().Usable() != nil {
		return nil
	}
	app.Route(Route(app.Schemas()))
	return nil
}
