package responders

import "testing"

type benchEvent struct {
	ID     int64   `json:"id"`
	UserID int64   `json:"user_id"`
	Status string  `json:"status"`
	Total  float64 `json:"total"`
}

func BenchmarkDeliver(b *testing.B) {
	r := Func([]Topic{Required("orders_processed")}, func(out *Output, args ...any) error {
		out.RespondTo("orders_processed", args[0])
		return nil
	})
	ev := &benchEvent{ID: 1, UserID: 42, Status: "paid", Total: 29.49}
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := Deliver(r, ev)
		if err != nil || len(msgs) != 1 {
			b.Fatal(err)
		}
	}
}
