package producer

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/karafka-actors/karafka-actors/client"
)

// ErrReordered is wrapped by the Result error of a record the cluster took
// ahead of an earlier record of its topic-partition: the earlier one shared
// a batch the cluster refused (see below) and was being sent again alone.
// The record is written (Result.Partition and Offset say where), but after
// it the earlier one is too, so the order the producer was handed them is
// lost: a caller that keeps a partition's records in order sends this one,
// and those after it, again (a duplicate, as after any failure). It is not
// a refusal: sending again succeeds.
//
// Kafka refuses a whole batch when one record of it is too large for the
// topic (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE) or invalid
// (INVALID_RECORD), and both client libraries fail every record of the
// batch with that error. So a record whose batch was refused is not
// reported as refused at once: it is sent again alone, through a second
// client of the producer's that sends one record per request, one record
// at a time per topic-partition and in the order they failed, and the
// outcome of that probe is its Result. Only a record refused alone is
// refused for good ([Refused]). Meanwhile the first client goes on with
// the partition's later records, which may land before the probes: their
// Results wait behind the probes, and those that landed before a probe
// that was written are reported with ErrReordered.
var ErrReordered = errors.New("producer: record written ahead of an earlier record of its partition")

// batchRefusal reports whether Kafka answers code for a whole batch when
// one record of it is refused: MESSAGE_TOO_LARGE and RECORD_LIST_TOO_LARGE
// (a record, or the batch, over the topic's or broker's limit), and
// INVALID_RECORD, which KIP-467 brokers answer for the batch, naming the
// offending records in RecordErrors, which neither library passes on.
func batchRefusal(code client.Code) bool {
	switch code {
	case client.ErrMessageTooLarge, client.ErrRecordListTooLarge, client.ErrInvalidRecord:
		return true
	}
	return false
}

// prober sends the records of a refused batch again, one per request, to
// find which of them is refused for good (see ErrReordered). It belongs to
// a non-transactional backend: a record of a transaction cannot be sent
// again outside it, so the transactional producer reports the batch's
// refusal for each record, as the libraries do.
//
// Nothing of it runs, nor is allocated, until a batch is refused: its
// second client (open) is made by the first probe, and the first client's
// successes go through written only once active.
type prober struct {
	// open makes the second client: a backend of the same configuration
	// that sends one record per request, without a prober of its own.
	open func() (backend, error)
	log  *slog.Logger
	// active is set by the first probe: from then on the first client's
	// successes are checked against the probes (written).
	active atomic.Bool
	// pending counts records handed to probe or written whose callback has
	// not run.
	pending sync.WaitGroup

	mu    sync.Mutex
	cl    backend // made by the first probe; nil until then
	parts map[topicPartition]*probeQueue
}

type topicPartition struct {
	topic     string
	partition int32
}

// probeQueue holds a topic-partition's records to probe, in the order
// their batches failed, and the Results of the first client's records that
// came back meanwhile, in their order; items[0] is being handled while
// running.
type probeQueue struct {
	items   []probeItem
	running bool
	// last is the greatest offset a probe of the partition was written at
	// (-1: none yet).
	last int64
}

type probeItem struct {
	msg   *Message
	done  func(Result)
	cause error // the library's error for the refused batch
	// written: not a record to probe but the success of a later record
	// of the partition, whose Result waits for the probes before it.
	written bool
	result  Result
}

func newProber(open func() (backend, error), log *slog.Logger) *prober {
	return &prober{open: open, log: log}
}

// probe sends msg, which the first client assigned to partition and whose
// batch failed with cause (a batchRefusal), again alone, and calls done
// with that outcome. It returns at once: the probes of a partition run on a
// goroutine of their own, one at a time, in the order probe was called.
func (p *prober) probe(msg *Message, partition int32, cause error, done func(Result)) {
	p.pending.Add(1)
	p.active.Store(true)
	tp := topicPartition{msg.Topic, partition}
	p.mu.Lock()
	if p.parts == nil {
		p.parts = map[topicPartition]*probeQueue{}
	}
	q := p.parts[tp]
	if q == nil {
		q = &probeQueue{last: -1}
		p.parts[tp] = q
	}
	q.items = append(q.items, probeItem{msg: msg, done: done, cause: cause})
	start := !q.running
	q.running = true
	p.mu.Unlock()
	if start {
		go p.run(tp, q)
	}
}

// run probes q's records one at a time until none is left.
func (p *prober) run(tp topicPartition, q *probeQueue) {
	for {
		p.mu.Lock()
		if len(q.items) == 0 {
			q.running = false
			q.items = nil
			p.mu.Unlock()
			return
		}
		it := q.items[0]
		p.mu.Unlock()

		var r Result
		if !it.written {
			r = p.send(it, tp.partition)
		}

		p.mu.Lock()
		q.items[0] = probeItem{}
		q.items = q.items[1:]
		switch {
		case it.written:
			r = it.result
			r.Err = q.reordered(tp, r.Offset)
		case r.Err == nil:
			q.last = max(q.last, r.Offset)
		}
		p.mu.Unlock()
		it.done(r)
		p.pending.Done()
	}
}

// send sends it alone to partition through the second client and waits
// for the outcome.
func (p *prober) send(it probeItem, partition int32) Result {
	cl, err := p.client()
	if err != nil {
		return Result{Message: it.msg, Partition: -1, Offset: -1, Err: &topicError{
			msg: fmt.Sprintf("producer: a record to topic %q partition %d shared a batch the cluster refused (%v), and could not be sent again alone: %v",
				it.msg.Topic, partition, it.cause, err),
			errs: []error{err, client.Coded(it.cause, int16(codeOf(it.cause)))},
		}}
	}
	alone := *it.msg // the caller's Message is not ours to change
	alone.Partition, alone.ExplicitPartition = partition, true
	ch := make(chan Result, 1)
	p.log.Debug("sending a record of a refused batch again alone", "topic", it.msg.Topic, "partition", partition, "cause", it.cause)
	cl.send(&alone, func(r Result) { ch <- r })
	r := <-ch
	r.Message = it.msg
	return r
}

// client returns the second client, made on first use.
func (p *prober) client() (backend, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cl == nil {
		cl, err := p.open()
		if err != nil {
			return nil, err // the next probe tries again
		}
		p.cl = cl
	}
	return p.cl, nil
}

// written takes r, the success of a record the first client wrote, and
// calls done with it when it has to wait for, or is out of order with, the
// probes of its partition, and reports whether it did. A partition reports
// its results in the order it was handed the records, so every record of
// it queued to probe was handed before r's. r waits for them, and is
// reported with ErrReordered if one of them, or of an earlier probe, was
// written after it. Free, and false, until the first probe.
func (p *prober) written(r Result, done func(Result)) bool {
	if p == nil || !p.active.Load() {
		return false
	}
	return p.writtenSlow(r, done)
}

func (p *prober) writtenSlow(r Result, done func(Result)) bool {
	tp := topicPartition{r.Message.Topic, r.Partition}
	p.mu.Lock()
	q := p.parts[tp]
	switch {
	case q == nil:
		p.mu.Unlock()
		return false
	case len(q.items) > 0 || q.running:
		// Also while the last probe's callback runs (run took it off the
		// queue): r is reported after it, by run.
		p.pending.Add(1)
		q.items = append(q.items, probeItem{done: done, written: true, result: r})
		p.mu.Unlock()
		return true
	}
	r.Err = q.reordered(tp, r.Offset)
	p.mu.Unlock()
	if r.Err == nil {
		return false
	}
	done(r)
	return true
}

// reordered returns the Result error of a record written at offset before
// a probe of the partition that was written (ErrReordered), or nil.
func (q *probeQueue) reordered(tp topicPartition, offset int64) error {
	if offset >= q.last {
		return nil
	}
	return fmt.Errorf("producer: deliver to topic %q partition %d: %w (at offset %d: an earlier record of the partition shared a refused batch and was sent again alone, at offset %d)",
		tp.topic, tp.partition, ErrReordered, offset, q.last)
}

// close waits until every probe's callback ran, then closes the second
// client. No probe starts once the first client is closed.
func (p *prober) close() {
	if p == nil {
		return
	}
	p.pending.Wait()
	p.mu.Lock()
	cl := p.cl
	p.cl = nil
	p.mu.Unlock()
	if cl != nil {
		cl.close()
	}
}
