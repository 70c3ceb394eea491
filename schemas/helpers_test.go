package schemas_test

import (
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/schemas/internal/testpb"
)

// newRegistry is a client of a fake registry that lives as long as t.
func newRegistry(t testing.TB) (*schemas.Registry, *srfake.Registry) {
	t.Helper()
	fake := srfake.New()
	t.Cleanup(fake.Close)
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{fake.URL()}
	cfg.Retries, cfg.Backoff, cfg.Timeout = 1, 10*time.Millisecond, time.Second
	reg, err := schemas.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return reg, fake
}

// protoOrder is the benchmarks' record as a generated message.
func protoOrder() *testpb.Order {
	return &testpb.Order{
		Id:   123456,
		User: &testpb.User{Id: 42, Name: "Ann Example", Email: "ann@example.com"},
		Items: []*testpb.Item{
			{Sku: "A-100", Qty: 2, Price: 9.99},
			{Sku: "B-200", Qty: 1, Price: 19.5},
		},
		CreatedAt: "2024-05-01T12:00:00Z",
		Paid:      true,
	}
}

// orderProtoText is testpb's .proto, as a producer would register it.
func orderProtoText(t testing.TB) string {
	t.Helper()
	text, err := os.ReadFile("internal/testpb/order.proto")
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}
