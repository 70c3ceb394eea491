package actors

import (
	"errors"
	"fmt"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// ErrRecordTooLarge is wrapped by the error of a consumed record larger than
// consumer.max_record_bytes (ConsumerConfig.MaxRecordBytes).
var ErrRecordTooLarge = errors.New("actors: record too large")

// recordSize is what m counts for against consumer.max_record_bytes.
func recordSize(m *client.Record) int {
	n := len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// maxKeptKey is the longest key a record too large to process keeps.
const maxKeptKey = 1024

// bound checks w's record against limit (0: none). A larger one is let go
// of at once (its value, its headers and a long key), and w fails at its
// controller stage with tooLarge (see params).
func bound(w *work, limit int) {
	m := &w.msg
	if limit <= 0 {
		return
	}
	size := recordSize(m)
	if size <= limit {
		return
	}
	w.tooLarge = supervision.Permanent(fmt.Errorf("%w: %s/%d@%d is %d bytes (key %d, value %d, %d headers), more than consumer.max_record_bytes (%d): not processed; its value and headers are left out of its dead letter",
		ErrRecordTooLarge, m.Topic, m.Partition, m.Offset, size, len(m.Key), len(m.Value), len(m.Headers), limit))
	m.Value, m.Headers = nil, nil
	if len(m.Key) > maxKeptKey {
		m.Key = nil
	}
}

// params makes w's params for the route's parser; those of a record too
// large to process report its error as their rejection, which the
// controller stage (or a batch's) fails for good.
func (p *partition) params(w *work) *params.Params {
	if w.tooLarge != nil {
		return params.RejectedAt(&w.paramsVal, metadata(&w.msg), w.tooLarge)
	}
	return params.LazyAt(&w.paramsVal, metadata(&w.msg), w.msg.Value, p.route.Parser)
}
