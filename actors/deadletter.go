package actors

import (
	"strconv"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/producer"
)

// Headers added to a dead-lettered message, next to its original headers.
const (
	HeaderOriginTopic     = "karafka.origin.topic"
	HeaderOriginPartition = "karafka.origin.partition"
	HeaderOriginOffset    = "karafka.origin.offset"
	HeaderError           = "karafka.error"
	HeaderAttempts        = "karafka.attempts"
	HeaderStage           = "karafka.stage"
)

// deadLetter produces w's original record to the dead letter topic with
// headers naming its origin and failure. The offset advances once the dead
// letter record is acknowledged.
func (p *partition) deadLetter(w *work, perr *ProcessingError) {
	m := w.msg
	headers := make([]producer.Header, 0, len(m.Headers)+6)
	for _, h := range m.Headers {
		headers = append(headers, producer.Header{Key: string(h.Key), Value: h.Value})
	}
	headers = append(headers,
		producer.Header{Key: HeaderOriginTopic, Value: []byte(m.Topic)},
		producer.Header{Key: HeaderOriginPartition, Value: strconv.AppendInt(nil, int64(m.Partition), 10)},
		producer.Header{Key: HeaderOriginOffset, Value: strconv.AppendInt(nil, m.Offset, 10)},
		producer.Header{Key: HeaderError, Value: []byte(perr.Err.Error())},
		producer.Header{Key: HeaderAttempts, Value: strconv.AppendInt(nil, int64(perr.Attempt), 10)},
		producer.Header{Key: HeaderStage, Value: []byte(perr.Stage)},
	)
	msg := &producer.Message{Topic: p.dlq, Key: m.Key, Value: m.Value, Headers: headers}
	p.d.log.Warn("message dead-lettered", "topic", p.topic, "partition", p.id, "offset", m.Offset,
		"dead_letter_topic", p.dlq, "attempts", perr.Attempt, "error", perr.Err)
	e := &w.entry
	w.params, w.responses = nil, nil
	e.hold(1)
	p.d.send(p, msg, e, func() {
		p.d.bus.Publish(events.Event{Kind: events.MessageDeadLettered, Topic: p.topic, Group: p.group, Partition: p.id,
			Offset: m.Offset, Attempt: perr.Attempt, Err: perr})
	})
	e.release()
}
