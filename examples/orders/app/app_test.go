package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/examples/orders/app"
	"github.com/karafka-actors/karafka-actors/karafkatest"
	"github.com/karafka-actors/karafka-actors/schemas"
)

func registry(t *testing.T) *schemas.Registry {
	t.Helper()
	fake := srfake.New()
	t.Cleanup(fake.Close)
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{fake.URL()}
	reg, err := schemas.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// An Avro order is confirmed in Avro (a coupon takes 10% off); a JSON
// record is dead-lettered with the reason.
func TestOrders(t *testing.T) {
	reg := registry(t)
	order, err := reg.Register(context.Background(), app.OrdersPlaced+"-value", schemas.Avro, app.OrderSchema)
	if err != nil {
		t.Fatal(err)
	}
	coupon := "WELCOME"
	in, err := order.Encode(app.Order{ID: 7, Total: 100, Coupon: &coupon})
	if err != nil {
		t.Fatal(err)
	}
	r := karafkatest.NewRoute(t, app.Route(reg))
	res := r.Feed(karafkatest.Record{Value: in}, karafkatest.Value(`{"id":8,"total":5}`))
	if res[0].Err != nil || len(res[0].Produced) != 1 {
		t.Fatalf("result %+v", res[0])
	}
	m := res[0].Produced[0]
	var c app.Confirmed
	if err := reg.Parser(schemas.Avro).Decode(m.Value, &c); err != nil {
		t.Fatal(err)
	}
	if m.Topic != app.OrdersConfirmed || string(m.Key) != "7" || c.OrderID != 7 || c.Total != 90 || c.Status != "confirmed" {
		t.Fatalf("produced %s key %s %+v", m.Topic, m.Key, c)
	}
	dl := res[1].DeadLetter
	if dl == nil {
		t.Fatalf("a JSON record was not dead-lettered: %+v", res[1])
	}
	if reason, _ := dl.Header(karafka.HeaderError); !strings.Contains(reason, "magic byte 0x7b") {
		t.Fatalf("dead letter reason %q", reason)
	}
}

// Without a registry the example leaves itself out instead of failing the
// app's validation.
func TestRegister_withoutARegistry(t *testing.T) {
	a, err := karafka.New(karafka.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Register(a); err != nil {
		t.Fatal(err)
	}
	if routes, _ := a.Routes(); len(routes) != 0 {
		t.Fatalf("routes %v, want none", routes)
	}
}
