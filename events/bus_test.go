package events_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/karafka-actors/karafka-actors/events"
)

func TestBus_deliversByKind(t *testing.T) {
	b := events.NewBus(nil)
	var all, failed atomic.Int32
	b.Subscribe(func(events.Event) { all.Add(1) })
	unsub := b.Subscribe(func(e events.Event) {
		if e.Kind != events.MessageFailed {
			t.Errorf("got %v, want only message.failed", e.Kind)
		}
		failed.Add(1)
	}, events.MessageFailed)

	b.Publish(events.Event{Kind: events.MessageConsumed})
	b.Publish(events.Event{Kind: events.MessageFailed})
	unsub()
	unsub() // idempotent
	b.Publish(events.Event{Kind: events.MessageFailed})

	if all.Load() != 3 || failed.Load() != 1 {
		t.Fatalf("all=%d failed=%d, want 3 and 1", all.Load(), failed.Load())
	}
	if b.Active(events.MessageFailed) != true {
		t.Fatal("catch-all subscriber must make every kind active")
	}
}

func TestBus_panickingSubscriberDoesNotStopDelivery(t *testing.T) {
	b := events.NewBus(nil)
	var got atomic.Int32
	b.Subscribe(func(events.Event) { panic("boom") })
	b.Subscribe(func(events.Event) { got.Add(1) })
	b.Publish(events.Event{Kind: events.ActorRestarted})
	if got.Load() != 1 {
		t.Fatal("second subscriber did not receive the event")
	}
}

func TestBus_activeOnlyForSubscribedKinds(t *testing.T) {
	b := events.NewBus(nil)
	if b.Active(events.MessageConsumed) {
		t.Fatal("empty bus reports active")
	}
	b.Subscribe(func(events.Event) {}, events.MessageDeadLettered)
	if b.Active(events.MessageConsumed) || !b.Active(events.MessageDeadLettered) {
		t.Fatal("Active does not follow the subscribed kinds")
	}
}

func ExampleBus() {
	b := events.NewBus(nil)
	b.Subscribe(func(e events.Event) {
		fmt.Println(e.Kind, e.Topic, e.Offset)
	}, events.MessageDeadLettered)
	b.Publish(events.Event{Kind: events.MessageConsumed, Topic: "users_create"})
	b.Publish(events.Event{Kind: events.MessageDeadLettered, Topic: "users_create", Offset: 7})
	// Output: message.dead_lettered users_create 7
}
