package actors

import (
	"context"
	"fmt"
)

// txnProducer returns the group member's transactional producer, making it
// when there is none: before the first exactly-once session, and after a
// session whose producer could not go on (readyProducer). One producer per
// member, not per session, spares every rebalance an InitProducerId (which,
// on Kafka, waits for the coordinator to settle the transactional id).
//
// Making it takes no context and may take long against a broker that
// accepts connections but does not answer (sarama retries InitProducerId
// up to Producer.Transaction.Retry.Max times, each with its read timeout):
// it runs aside, and txnProducer returns ctx's error as soon as ctx ends,
// so shutdown never waits for it; a producer made after that is closed.
func (m *membership) txnProducer(ctx context.Context) (TxnProducer, error) {
	if m.prod != nil {
		return m.prod, nil
	}
	type made struct {
		prod TxnProducer
		err  error
	}
	ch := make(chan made, 1)
	newProducer, id := m.txn.NewProducer, m.txnID
	go func() {
		prod, err := newProducer(id)
		ch <- made{prod, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("actors: group %s: making transactional producer %q: %w", m.group, m.txnID, r.err)
		}
		m.prod = r.prod
		return r.prod, nil
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.err == nil {
				_ = r.prod.Close()
			}
		}()
		return nil, fmt.Errorf("actors: group %s: making transactional producer %q: %w", m.group, m.txnID, context.Cause(ctx))
	}
}

// readyProducer makes the member's transactional producer, when its
// groups are exactly-once and it has none, before the member joins the
// group. Its InitProducerId fences the previous producer with the same
// transactional id (a predecessor with the same consumer.instance_id, or
// this member's own producer closed after a failure) and aborts what that
// one left open. It must come first: a transaction that died holding the
// group's offsets (between TxnOffsetCommit and EndTxn) makes the broker
// refuse the read_committed offset fetch of the next session
// (UNSTABLE_OFFSET_COMMIT) until that transaction ends, so a member that
// made its producer only once its session started would wait for the
// transaction to time out.
func (m *membership) readyProducer(ctx context.Context) error {
	if m.txn == nil {
		return nil
	}
	_, err := m.txnProducer(ctx)
	return err
}

// releaseProducer is called when a session ended (and when the member
// leaves, with keep false): a producer left with no transaction open and
// able to go on is kept for the next session; any other is closed, so the
// next session makes a new one, whose InitProducerId fences the old one
// and aborts what it left open.
func (m *membership) releaseProducer(keep bool) {
	if m.prod == nil || keep {
		return
	}
	if err := m.prod.Close(); err != nil {
		m.d.log.Warn("closing the transactional producer failed", "group", m.group, "error", err)
	}
	m.prod = nil
}
