package actors

import (
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/producer"
)

// Headers added to a dead-lettered message, next to its original headers.
const (
	HeaderOriginTopic     = pipeline.HeaderOriginTopic
	HeaderOriginPartition = pipeline.HeaderOriginPartition
	HeaderOriginOffset    = pipeline.HeaderOriginOffset
	HeaderError           = pipeline.HeaderError
	HeaderAttempts        = pipeline.HeaderAttempts
	HeaderStage           = pipeline.HeaderStage
)

// deadLetter produces w's original record to the dead letter topic with
// headers naming its origin and failure, through the partition's finisher:
// w is finished once the dead letter is written.
func (p *partition) deadLetter(w *work, perr *ProcessingError) {
	m := w.msg
	headers := make([]producer.Header, 0, len(m.Headers)+pipeline.DeadLetterHeaderCount)
	for _, h := range m.Headers {
		headers = append(headers, producer.Header{Key: string(h.Key), Value: h.Value})
	}
	headers = pipeline.AppendDeadLetterHeaders(headers, pipeline.Failure{Topic: m.Topic, Partition: m.Partition,
		Offset: m.Offset, Stage: perr.Stage, Attempt: perr.Attempt, Err: perr.Err})
	msg := &producer.Message{Topic: p.dlq, Key: m.Key, Value: m.Value, Headers: headers}
	p.d.log.Warn("message dead-lettered", "topic", p.topic, "partition", p.id, "offset", m.Offset,
		"dead_letter_topic", p.dlq, "attempts", perr.Attempt, "error", perr.Err)
	w.params, w.responses = nil, nil
	p.d.trace.deadLettered(p, w, msg, perr)
	w.entry.outcome = events.OutcomeDeadLettered
	p.fin.deadLetter(w, msg, func() {
		p.d.bus.Publish(events.Event{Kind: events.MessageDeadLettered, Topic: p.topic, Group: p.group, Partition: p.id,
			Offset: m.Offset, Attempt: perr.Attempt, Stage: perr.Stage, Destination: p.dlq, Err: perr})
	})
}
