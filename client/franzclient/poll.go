package franzclient

import (
	"context"
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// poll is the one goroutine per client that polls kgo and routes the
// records, in order, to the claims of the current session.
//
// kgo runs with BlockRebalanceOnPoll: from a poll that returned records
// until AllowRebalance, no rebalance callback runs. Routing happens in
// between, so the session routed to is the one the records were fetched
// for: a poll that returns after a revoke never holds the revoked
// partitions' records (kgo guarantees it), and one that returned before it
// is routed before the revoke callback runs. Routing never blocks (claims
// queue, and pause their partition when full), so rebalances wait for it
// only briefly.
func (g *group) poll(ctx context.Context, cl *kgo.Client, done chan<- struct{}) {
	defer close(done)
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil || fs.IsClientClosed() {
			cl.AllowRebalance()
			return
		}
		g.route(cl, fs)
		cl.AllowRebalance()
	}
}

// route hands the records of fs to their claims. Records of a partition
// with no claim in the current session (none, or one that ended) are
// dropped: they are not committed, so whoever owns the partition next
// fetches them again.
func (g *group) route(cl *kgo.Client, fs kgo.Fetches) {
	fs.EachError(func(topic string, partition int32, err error) {
		g.fetchError(cl, topic, partition, err)
	})
	g.mu.Lock()
	s := g.sess
	if s != nil && s.state == ended {
		s = nil
	}
	g.mu.Unlock()
	if s == nil {
		return
	}
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		if p.Err != nil && len(p.Records) == 0 {
			return
		}
		if c := s.claims[tp{p.Topic, p.Partition}]; c != nil {
			c.push(p.Records, p.HighWatermark)
		}
	})
}

// fetchError handles an error a poll returned for a partition (or, with
// partition -1, a whole topic).
func (g *group) fetchError(cl *kgo.Client, topic string, partition int32, err error) {
	var gs *kgo.ErrGroupSession
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, kgo.ErrClientClosed):
	case errors.As(err, &gs):
		// The group management failed: HookGroupManageError has it.
	case errors.Is(err, kerr.UnknownTopicOrPartition), errors.Is(err, kerr.UnknownTopicID):
		g.topicGone(cl, topic)
	case kerr.IsRetriable(err):
		// kgo retries these itself (KeepRetryableFetchErrors only
		// shows them for the case above).
	default:
		g.log.Warn("kafka client: fetching failed", "group", g.cfg.Group, "topic", topic, "partition", partition, "error", err)
	}
}
