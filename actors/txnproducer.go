package actors

import "fmt"

// txnProducer returns the group member's transactional producer, making it
// when there is none: before the first exactly-once session, and after a
// session whose producer could not go on (readyProducer). One producer per member, not per
// session, spares every rebalance an InitProducerId (which, on Kafka,
// waits for the coordinator to settle the transactional id).
func (m *membership) txnProducer() (TxnProducer, error) {
	if m.prod != nil {
		return m.prod, nil
	}
	prod, err := m.txn.NewProducer(m.txnID)
	if err != nil {
		return nil, fmt.Errorf("actors: group %s: transactional producer %q: %w", m.group, m.txnID, err)
	}
	m.prod = prod
	return prod, nil
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
func (m *membership) readyProducer() error {
	if m.txn == nil {
		return nil
	}
	_, err := m.txnProducer()
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
