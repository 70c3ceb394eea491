package producer_test

import (
	"sync"
	"testing"

	"github.com/karafka-actors/karafka-actors/producer"
)

func BenchmarkProducer_SendAsync(b *testing.B) {
	cfg := newCluster(b, 4)
	p := newProducer(b, cfg)
	value := make([]byte, 200)
	msg := producer.Message{Topic: "t", Key: []byte("key"), Value: value, Headers: []producer.Header{{Key: "h", Value: []byte("v")}}}
	var wg sync.WaitGroup
	done := func(r producer.Result) {
		if r.Err != nil {
			b.Error(r.Err)
		}
		wg.Done()
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(value)))
	for b.Loop() {
		wg.Add(1)
		p.SendAsync(&msg, done)
	}
	wg.Wait()
}
