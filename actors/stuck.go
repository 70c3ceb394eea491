package actors

import (
	"fmt"
	"time"
)

// stuckAfter is how many failed sends of one record in a row make its
// partition count as stuck: the first few ride out a leader change.
const stuckAfter = 3

// stuck says why a partition cannot move on: its commit point cannot
// advance until an operator acts (or the cause goes away).
type stuck struct {
	since  time.Time
	reason string
}

// stick records why p cannot move on, keeping the time it first could not.
func (p *partition) stick(reason string) {
	since := time.Now()
	if old := p.stuck.Load(); old != nil {
		since = old.since
	}
	p.stuck.Store(&stuck{since: since, reason: reason})
}

// unstick is called when p moved on: a message of it was finished in order.
func (p *partition) unstick() {
	if p.stuck.Load() != nil {
		p.stuck.Store(nil)
	}
}

// blocked records that the message at offset failed for good with no dead
// letter topic: p waits on it.
func (p *partition) blocked(offset int64, err error) {
	p.stick(fmt.Sprintf("offset %d blocks the partition: its retries ran out and there is no dead letter topic: %v", offset, err))
}

// waiting records that the message at offset failed attempt times in a row
// for an outage of something it needs (supervision.Outage): p waits on it.
func (p *partition) waiting(offset int64, attempt int, err error) {
	if attempt >= stuckAfter {
		p.stick(fmt.Sprintf("offset %d waits: a service it needs is unavailable (%d tries so far): %v", offset, attempt, err))
	}
}

// sendFailing records that sending a record of p failed attempt times.
func (p *partition) sendFailing(role, topic string, attempt int, err error) {
	if attempt >= stuckAfter {
		p.stick(fmt.Sprintf("sending a %s to %q failed %d times in a row: %v", role, topic, attempt, err))
	}
}
