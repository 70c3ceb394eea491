package karafkatest

import (
	"encoding/json"
	"testing"

	"github.com/karafka-actors/karafka-actors/producer"
)

// Message is one record a route would produce: a response, or a dead
// letter. It is the producer's message, as the runtime hands it over.
type Message struct {
	producer.Message
}

// JSON decodes the message's value into v; it fails t when it cannot.
func (m Message) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(m.Value, v); err != nil {
		t.Fatalf("karafkatest: decode %s message %q: %v", m.Topic, m.Value, err)
	}
}

// Header returns the value of the last header named key, as Kafka clients
// conventionally resolve duplicates, and whether there was one.
func (m Message) Header(key string) (string, bool) {
	for i := len(m.Headers) - 1; i >= 0; i-- {
		if m.Headers[i].Key == key {
			return string(m.Headers[i].Value), true
		}
	}
	return "", false
}

// String returns the topic, key and value, for failure messages.
func (m Message) String() string {
	return m.Topic + " key=" + string(m.Key) + " value=" + string(m.Value)
}
