package actors

import (
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/producer"
)

// traceHeadersRoom is kept free in a dead letter cut to fit when tracing
// is on: the W3C trace context headers are added after it is built.
const traceHeadersRoom = 1024

// deadLetter produces w's original record to the dead letter topic with
// headers naming its origin and failure, through the partition's finisher:
// w is finished once the dead letter is written. Its input's karafka.*
// headers are renamed, and a dead letter larger than the producer's limit
// is cut to fit (pipeline.DeadLetter), so that it can always be sent.
func (p *partition) deadLetter(w *work, perr *ProcessingError) {
	m := w.msg
	in := make([]producer.Header, len(m.Headers))
	for i, h := range m.Headers {
		in[i] = producer.Header{Key: string(h.Key), Value: h.Value}
	}
	limit := p.d.maxMessageBytes
	if limit > 0 && p.d.trace != nil {
		limit = max(limit-traceHeadersRoom, 1)
	}
	dl := pipeline.DeadLetter(p.dlq, m.Key, m.Value, in, p.failure(w, perr), limit)
	msg := &dl
	if len(msg.Value) < len(m.Value) || len(msg.Headers) < len(in)+pipeline.DeadLetterHeaderCount {
		p.d.log.Warn("dead letter cut to fit producer.max_message_bytes; its karafka.truncated.* headers say what was left out",
			"topic", p.topic, "partition", p.id, "offset", m.Offset, "dead_letter_topic", p.dlq,
			"record_bytes", len(m.Key)+len(m.Value), "max_message_bytes", p.d.maxMessageBytes)
	}
	p.d.log.Warn("message dead-lettered", "topic", p.topic, "partition", p.id, "offset", m.Offset,
		"dead_letter_topic", p.dlq, "attempts", perr.Attempt, "error", perr.Err)
	w.params, w.responses = nil, nil
	w.failure = perr
	p.d.trace.deadLettered(p, w, msg, perr)
	w.entry.outcome = events.OutcomeDeadLettered
	p.fin.deadLetter(w, msg, func() {
		p.d.bus.Publish(events.Event{Kind: events.MessageDeadLettered, Topic: p.topic, Group: p.group, Partition: p.id,
			Offset: m.Offset, Attempt: perr.Attempt, Stage: perr.Stage, Destination: p.dlq, Err: perr, Operator: perr.Stage == OperatorStage})
	})
}

// failure names w, failed with perr, for its dead letter headers.
func (p *partition) failure(w *work, perr *ProcessingError) pipeline.Failure {
	m := w.msg
	return pipeline.Failure{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset,
		Stage: perr.Stage, Attempt: perr.Attempt, Err: perr.Err}
}

// marker is the record that stands for w's dead letter, which the cluster
// refused for good with refusal (pipeline.Marker).
func (p *partition) marker(w *work, refusal error) *producer.Message {
	m := w.msg
	mk := pipeline.Marker(p.dlq, m.Key, m.Value, len(m.Headers), p.failure(w, w.failure), refusal)
	return &mk
}
