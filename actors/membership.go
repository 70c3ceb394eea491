package actors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/wait"
)

// membership is one consumer-group membership: one member of the client
// seam (client.Group) for every route of that group. By default each route
// has a group of its own ("<app>_<topic>"); routes that name the same group
// share one membership, which is what lets one process run a thousand
// routes without a thousand Kafka clients.
type membership struct {
	d         *deps
	group     string
	cfg       ConsumerConfig
	gcfg      client.GroupConfig
	member    client.Group
	listeners map[string]*listener // by topic
	topics    []string
	done      chan struct{} // closed when the consume loop returned
	// txn is set when the group's routes are exactly-once: each session
	// then finishes messages in transactions of a producer with
	// transactional id txnID (finishing).
	txn   *TransactionConfig
	txnID string
	// prod is the member's transactional producer, kept from one session to
	// the next while it can go on (txnProducer, releaseProducer); only the
	// consume loop's goroutine touches it.
	prod TxnProducer

	joined atomic.Bool // a session is under way (handler's Setup to Cleanup)

	mu      sync.Mutex
	leaving bool // the consume loop ended; guarded by mu
	// cancel ends the current session (endSession); aborts counts the
	// sessions ended by a failed transaction since the last commit, to back
	// off before joining again. Guarded by mu.
	cancel context.CancelCauseFunc
	aborts int
	// missing are the routes' topics the last join found missing, nil once
	// a session began (missingTopics). Guarded by mu.
	missing []string
}

// leaveTimeout bounds leaving the group and closing the client at shutdown.
const leaveTimeout = 5 * time.Second

// run consumes until ctx ends, then leaves the group. The member connects
// on its first session; reaching no broker, failing to join, and sessions
// ended by a failed transaction are retried with backoff.
func (m *membership) run(ctx context.Context) {
	defer close(m.done)
	looped := make(chan struct{})
	defer close(looped)
	go m.guard(ctx, looped)
	log := m.d.log.With("group", m.group)
	h := newHandler(m)
	for attempt := 1; ctx.Err() == nil; {
		// An exactly-once member makes its producer before it joins (see
		// readyProducer); failing that is retried like a failed join.
		err := m.readyProducer(ctx)
		if err == nil {
			sessCtx, cancel := context.WithCancelCause(ctx)
			m.mu.Lock()
			m.cancel = cancel
			m.mu.Unlock()
			err = m.member.Consume(sessCtx, h)
			if err != nil && ctx.Err() == nil && sessCtx.Err() != nil {
				err = nil // ended by endSession: consume again below
			}
			cancel(nil)
		}
		if ctx.Err() != nil || errors.Is(err, client.ErrClosed) {
			break
		}
		if err == nil {
			attempt = 1
			if n := m.abortedSessions(); n > 0 {
				// A failed transaction ended the session: consume again from
				// the committed offsets, after a backoff in case it fails again.
				delay := m.d.backoff.Delay(n)
				log.Warn("consuming again from the last committed offsets after an aborted transaction", "aborts", n, "retry_in", delay)
				if !wait.Sleep(ctx, delay) {
					break
				}
			}
			continue // a rebalance ended the session: join again
		}
		delay := m.cfg.ReconnectBackoff.Delay(attempt)
		missing := m.missingTopics(err)
		switch {
		case errors.Is(err, client.ErrUnreachable):
			log.Warn("cannot reach Kafka, retrying", "brokers", m.gcfg.Kafka.Brokers, "attempt", attempt, "retry_in", delay, "error", err)
		case len(missing) > 0:
			log.Error(fmt.Sprintf("%s (UNKNOWN_TOPIC_OR_PARTITION), so the group cannot join; "+
				"create the app's topics (the topics create command, or kafka.create_topics: true) or correct the routes; retrying",
				missingText(missing)),
				"missing_topics", missing, "topics", m.topics, "attempt", attempt, "retry_in", delay, "error", err)
		case refusedSetting(err) != "":
			log.Error("the broker refuses these settings, retrying: "+refusedSetting(err), "topics", m.topics, "attempt", attempt, "retry_in", delay, "error", err)
		case errors.Is(err, client.ErrUnstableOffsetCommit):
			log.Warn("consuming waits for a transaction that holds this group's offsets, retrying: it ends when its producer's transactional id "+
				"is used again (a restarted member with the same consumer.instance_id) or at its transaction timeout",
				"topics", m.topics, "attempt", attempt, "retry_in", delay, "error", err)
		default:
			log.Warn("consuming failed, retrying", "topics", m.topics, "attempt", attempt, "retry_in", delay, "error", err)
		}
		m.d.bus.Publish(events.Event{Kind: events.BrokerUnreachable, Group: m.group, Attempt: attempt, Delay: delay, Err: err})
		attempt++
		if !wait.Sleep(ctx, delay) {
			break
		}
	}
	m.mu.Lock()
	m.leaving = true
	m.member.Cut(time.Now().Add(leaveTimeout))
	m.mu.Unlock()
	if err := m.member.Close(); err != nil {
		log.Warn("leaving the consumer group failed", "error", err)
	}
	m.releaseProducer(false)
}

// guard bounds how long a stopping membership waits for the broker. When
// ctx ends outside a session (joining: nothing to drain or commit), pending
// reads are cut at once, so a join the coordinator holds for up to the
// rebalance timeout never delays shutdown. In a session, draining and the
// last commit may take until shutdown stops waiting for in-flight work
// (deps.hard); then every read is cut.
func (m *membership) guard(ctx context.Context, looped <-chan struct{}) {
	select {
	case <-looped:
		return
	case <-ctx.Done():
	}
	m.mu.Lock()
	if !m.leaving {
		m.member.CutJoin(time.Now())
	}
	m.mu.Unlock()
	select {
	case <-looped:
	case <-m.d.hard.Done():
		m.member.Cut(time.Now())
	}
}

// endSession ends the current session because of cause (a failed
// transaction): its claims drain and return, and the consume loop joins
// again after a backoff, to consume from the last committed offsets.
func (m *membership) endSession(cause error) {
	m.mu.Lock()
	m.aborts++
	cancel := m.cancel
	m.mu.Unlock()
	if cancel != nil {
		cancel(cause)
	}
}

// committed notes a committed transaction: the backoff after aborts starts over.
func (m *membership) committed() {
	m.mu.Lock()
	m.aborts = 0
	m.mu.Unlock()
}

// abortedSessions is the number of sessions ended by failed transactions
// since the last commit.
func (m *membership) abortedSessions() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.aborts
}

// missingTopics notes which of the routes' topics a join that failed with
// err found missing (none when err is not UNKNOWN_TOPIC_OR_PARTITION).
func (m *membership) missingTopics(err error) []string {
	var missing []string
	if errors.Is(err, client.ErrUnknownTopicOrPartition) {
		missing = m.member.Missing()
	}
	m.setMissing(missing)
	return missing
}

// missingText says that topics do not exist: "topic a does not exist",
// "topics a, b do not exist".
func missingText(topics []string) string {
	if len(topics) == 1 {
		return "topic " + topics[0] + " does not exist"
	}
	return "topics " + strings.Join(topics, ", ") + " do not exist"
}

// setMissing records the routes' topics found missing (nil: none).
func (m *membership) setMissing(topics []string) {
	m.mu.Lock()
	m.missing = topics
	m.mu.Unlock()
}

// pause stops (or resumes) fetching a partition while its in-flight work is full.
func (m *membership) pause(topic string, id int32, on bool) {
	if on {
		m.member.Pause(topic, id)
	} else {
		m.member.Resume(topic, id)
	}
}

// refusedSetting names the setting behind a join the broker refuses for
// good, or returns "" for errors that retrying may heal.
func refusedSetting(err error) string {
	switch {
	case errors.Is(err, client.ErrInvalidSessionTimeout):
		return "consumer.session_timeout is outside the broker's group.min.session.timeout.ms..group.max.session.timeout.ms (6s..30m by default)"
	case errors.Is(err, client.ErrInvalidTransactionTimeout):
		return "transaction.timeout is above the broker's transaction.max.timeout.ms (15m by default)"
	case errors.Is(err, client.ErrFencedInstanceID):
		return "another running process uses the same consumer.instance_id; give every process its own"
	case errors.Is(err, client.ErrGroupAuthorizationFailed), errors.Is(err, client.ErrTopicAuthorizationFailed):
		return "the Kafka user may not read this group or topic (ACLs)"
	}
	return ""
}
