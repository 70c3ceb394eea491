package actors

import (
	"context"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/producer"
)

// This file is the one seam through which a finished message leaves its
// partition: its responses and dead letter are sent, its offset is marked
// once it and every message before it are finished, and marks are
// committed. The stages, the claim loop and shutdown talk only to these two
// interfaces; how a message is finished is decided by one implementation:
//
//   - at-least-once (finish_atleastonce.go): responses and dead letters go
//     through the shared producer, a message is finished when the broker
//     acknowledged every record it produced, offsets are marked in order and
//     committed soon after.
//   - exactly-once (finish_exactlyonce.go): one transactional producer per
//     session; a message's records and its offset go into the session's
//     open transaction, in offset order, and are committed together.
//
// membership.finishing chooses between them by the group's guarantee;
// nothing else changes.

// sessionFinisher finishes the messages of one consumer-group session. It
// is made when the session starts (the handler's Setup) and owns committing.
type sessionFinisher interface {
	// partition makes the finisher of p, a partition claimed in this
	// session, before p takes any message.
	partition(p *partition) finisher
	// end is called once every claim of the session returned (the
	// handler's Cleanup): what was marked is committed before the session
	// ends.
	end()
}

// finisher finishes the messages of one claimed partition. The claim loop
// registers each consumed message in offset order (consumed); each message
// is then finished exactly once, by one of respond, deadLetter or done.
// Every method may be called from any goroutine.
//
// Messages may finish in any order (acknowledgements come back out of
// order; a partition worked by several actors finishes them out of order
// too): the offset committed is only ever the one after the longest run of
// finished messages from the oldest, so nothing is committed past the
// lowest unfinished offset.
//
// A batch of messages answered together attaches its records to the
// batch's first message (respond) and finishes the others with done: since
// offsets advance in order, none of the batch is committed before those
// records are.
type finisher interface {
	// consumed registers w, the next message of the partition, as unfinished.
	consumed(w *work)
	// respond sends out, the responses of w (possibly none), in order after
	// every response handed before; w is finished once they are written.
	respond(w *work, out []producer.Message)
	// deadLetter sends msg, the dead letter of w; w is finished once it is
	// written, after acked (when not nil) was called.
	deadLetter(w *work, msg *producer.Message, acked func())
	// done finishes w, which has nothing to send (filtered, or no responses).
	done(w *work)
	// outstanding is the number of consumed messages from the lowest
	// unfinished one on: those whose offset cannot be committed yet.
	outstanding() int
	// counts returns the number of messages finished since the partition
	// was claimed, and outstanding (for State).
	counts() (finished int64, outstanding int)
	// waitBelow blocks until fewer than limit messages are outstanding, or
	// ctx ends (its error is returned then).
	waitBelow(ctx context.Context, limit int) error
	// handBack is called when the partition is handed back (after its
	// drain): from then on nothing more of it is committed, and it returns
	// how many messages stay unfinished, hence uncommitted. Messages still
	// finish afterwards, so waits see them go.
	handBack() int
}

// uncommitter is implemented by finishers whose finished messages wait
// for a commit of their own (at-least-once: offsets are committed after
// they are marked, see atLeastOnceSession), so that the claim loop bounds
// those too: a crash replays what is unfinished and what is finished but
// not committed. Exactly-once commits offsets with the records.
type uncommitter interface {
	// uncommitted is the number of consumed messages not covered by a
	// commit: outstanding ones and finished ones whose mark no commit
	// sent yet.
	uncommitted() int
	// waitUncommittedBelow blocks until fewer than limit messages are
	// uncommitted, or ctx ends (its error is returned then).
	waitUncommittedBelow(ctx context.Context, limit int) error
}

// finishing makes the finisher of a new session of m: at-least-once, or
// exactly-once with the member's transactional producer (made for the
// first session, and again after one that could not go on: making it may
// fail).
func (m *membership) finishing(sess client.Session) (sessionFinisher, error) {
	if m.txn == nil {
		return newAtLeastOnceSession(sess, m.cfg.CommitInterval, m.d.bus, m.group), nil
	}
	prod, err := m.txnProducer(sess.Context())
	if err != nil {
		return nil, err
	}
	return newExactlyOnceSession(m, prod, sess.Member(), m.txn.MaxMessages, m.txn.Interval), nil
}
