package ops

import (
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/events"
)

// BenchmarkStats_perMessage is what the metrics cost one message: the
// events of a message consumed, finished ok and with one response produced,
// through a bus to the stats subscriber.
func BenchmarkStats_perMessage(b *testing.B) {
	bus := events.NewBus(nil)
	s := newStats(map[string]routeInfo{"in": {group: "g", deadLetters: true}})
	defer bus.Subscribe(s.handle, subscribedKinds...)()
	now := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			bus.Publish(events.Event{Kind: events.MessageConsumed, Time: now, Topic: "in", Group: "g", Partition: 1, Offset: 7})
			bus.Publish(events.Event{Kind: events.MessageProcessed, Time: now, Topic: "in", Group: "g", Partition: 1, Offset: 7, Duration: time.Millisecond})
			bus.Publish(events.Event{Kind: events.ResponseProduced, Topic: "in", Group: "g", Partition: 1, Offset: 7, Destination: "out"})
		}
	})
}
