package params

import "testing"

// A ~200 byte JSON payload, the size the design notes measure with.
var benchPayload = []byte(`{"id":123456,"user":{"id":42,"name":"Ann Example","email":"ann@example.com"},` +
	`"items":[{"sku":"A-100","qty":2,"price":9.99},{"sku":"B-200","qty":1,"price":19.5}],` +
	`"created_at":"2024-05-01T12:00:00Z","paid":true}`)

type benchOrder struct {
	ID   int64 `json:"id"`
	User struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"user"`
	Items []struct {
		SKU   string  `json:"sku"`
		Qty   int     `json:"qty"`
		Price float64 `json:"price"`
	} `json:"items"`
	CreatedAt string `json:"created_at"`
	Paid      bool   `json:"paid"`
}

func BenchmarkParams_NewAndDecode(b *testing.B) {
	md := Metadata{Topic: "orders", Partition: 3, Offset: 1}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPayload)))
	for b.Loop() {
		p, err := New(md, benchPayload, JSON)
		if err != nil {
			b.Fatal(err)
		}
		var o benchOrder
		if err := p.Decode(&o); err != nil {
			b.Fatal(err)
		}
	}
}

// The runtime's hot path: LazyAt into per-message state, the controller's
// Decode, then Valid (free after the Decode, for JSON).
func BenchmarkParams_LazyAtDecodeValid(b *testing.B) {
	md := Metadata{Topic: "orders", Partition: 3, Offset: 1}
	var dst Params
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPayload)))
	for b.Loop() {
		p := LazyAt(&dst, md, benchPayload, JSON)
		var o benchOrder
		if err := p.Decode(&o); err != nil {
			b.Fatal(err)
		}
		if err := p.Valid(); err != nil {
			b.Fatal(err)
		}
	}
}
