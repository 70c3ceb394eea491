package actors

import (
	"fmt"

	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// Exactly-once sends a message's records in a transaction: a record the
// cluster refuses for good (producer.Refused: over a topic's
// max.message.bytes, keyless on a compacted topic) fails the transaction,
// which is aborted, and the session's partitions are consumed again. The
// same message would be refused again, for ever. So the refusal is
// remembered, by input message, and when the message is consumed again it
// fails at once (a refused response: dead-lettered with the refusal) or its
// dead letter is replaced by its marker (a refused dead letter).

// refusalKey names an input message of a consumer group.
type refusalKey struct {
	group, topic string
	partition    int32
	offset       int64
}

// refusal is what the cluster refused of one input message.
type refusal struct {
	err  error
	dead bool // its dead letter, not a response
}

// remember records that the cluster refused, with err, a record of the
// message at offset of p (dead: its dead letter).
func (d *deps) remember(p *partition, offset int64, dead bool, err error) {
	d.refusals.Store(refusalKey{p.group, p.topic, p.id, offset}, refusal{err: err, dead: dead})
	what := "a response"
	if dead {
		what = "its dead letter"
	}
	d.log.Error("the cluster refused "+what+" for good; the transaction is aborted, and the message fails at once when consumed again",
		"topic", p.topic, "partition", p.id, "offset", offset, "error", err)
}

// refusedBefore marks w, just consumed, when the cluster refused a record
// of it before: a response (w fails at its controller stage, dead-lettered
// with the refusal) or its dead letter (its marker goes instead).
func (p *partition) refusedBefore(w *work) {
	v, ok := p.d.refusals.LoadAndDelete(refusalKey{p.group, p.topic, p.id, w.msg.Offset})
	if !ok {
		return
	}
	r := v.(refusal)
	if r.dead {
		w.deadRefused = r.err
		return
	}
	if w.rejected == nil {
		w.rejected = supervision.Permanent(fmt.Errorf("a response of this message was refused for good, which aborted its transaction: %w", r.err))
	}
}

// sentRecord is a message whose records the open transaction sent.
type sentRecord struct {
	p  *partition
	it *txnItem
}

// refused finds, among sent, the message msg (a record refused for good)
// belongs to, and remembers it (exactly-once: see above).
func (d *deps) refused(sent []sentRecord, msg *producer.Message, err error) {
	for _, sr := range sent {
		if sr.it.dead == msg {
			d.remember(sr.p, sr.it.offset, true, err)
			return
		}
		for i := range sr.it.out {
			if &sr.it.out[i] == msg {
				d.remember(sr.p, sr.it.offset, false, err)
				return
			}
		}
	}
}
