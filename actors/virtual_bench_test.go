package actors

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/controllers"
)

// BenchmarkVirtualPartitions runs one partition through the claim loop,
// the stages, the at-least-once finisher and the committer, with a
// controller that sleeps 1 ms per message and a producer that acknowledges
// at once: "off" is a route without virtual partitions, "max=8" the same
// route with 8 virtual actors. Keys are 1000 users, in turn. The order of
// each key's messages in the controller is checked (a benchmark fails on a
// violation). msg/s is b.N messages over the time from the first message to
// the last offset marked.
//
//	go test -run '^$' -bench BenchmarkVirtualPartitions -benchtime 4000x ./actors/
func BenchmarkVirtualPartitions(b *testing.B) {
	for _, max := range []int{0, 8} {
		name := "off"
		if max > 0 {
			name = "max=" + strconv.Itoa(max)
		}
		b.Run(name, func(b *testing.B) {
			var (
				mu   sync.Mutex
				last = map[string]int64{}
				bad  error
			)
			route := virtualRoute(max, nil, "", func(_ *controllers.Context, id int64, k string) error {
				mu.Lock()
				if prev, ok := last[k]; ok && prev >= id && bad == nil {
					bad = fmt.Errorf("key %s: offset %d after %d", k, id, prev)
				}
				last[k] = id
				mu.Unlock()
				time.Sleep(time.Millisecond)
				return nil
			})
			if max == 0 {
				route.VirtualPartitions = nil
			}
			cfg := testConsumerConfig()
			cfg.MaxInFlight, cfg.BatchSize = 2000, 500 // the defaults
			c := newClaimTest(b, &heldSender{auto: true}, route, cfg)
			keys := make([]string, b.N)
			for i := range keys {
				keys[i] = "user-" + strconv.Itoa(i%1000)
			}
			b.ResetTimer()
			msgs, returned := c.consumeKeyed(b, keys)
			for c.sess.last() < int64(b.N) {
				time.Sleep(100 * time.Microsecond)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
			close(msgs)
			waitReturned(b, returned)
			c.end(b)
			mu.Lock()
			defer mu.Unlock()
			if bad != nil {
				b.Fatal(bad)
			}
		})
	}
}
