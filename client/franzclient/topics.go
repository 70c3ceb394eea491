package franzclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/karafka-actors/karafka-actors/client"
)

const (
	// topicCheckGap is how often a Consume waiting for an assignment
	// checks that the group's topics exist.
	topicCheckGap = 3 * time.Second
	// goneCheckGap is the least time between two checks of topicGone.
	goneCheckGap = 5 * time.Second
	// goneCheckTimeout bounds one check of topicGone.
	goneCheckTimeout = 10 * time.Second
)

// metadata asks the cluster about topics: each broker kgo knows, then each
// seed broker, once, until one answers. Asking brokers directly (not
// through kgo's retrying request path) makes a cluster that cannot be
// reached fail fast, as sarama's client does.
func (g *group) metadata(ctx context.Context, cl *kgo.Client, topics []string) (*kmsg.MetadataResponse, error) {
	req := kmsg.NewPtrMetadataRequest()
	for _, t := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(t)
		req.Topics = append(req.Topics, rt)
	}
	req.AllowAutoTopicCreation = false
	var errs []error
	for _, b := range append(cl.DiscoveredBrokers(), cl.SeedBrokers()...) {
		resp, err := b.Request(ctx, req)
		if err == nil {
			return resp.(*kmsg.MetadataResponse), nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("franzclient: group %s: no broker answered %v: %w: %w",
		g.cfg.Group, g.cfg.Kafka.Brokers, client.ErrUnreachable, errors.Join(errs...))
}

// checkTopics asks the cluster whether the group's topics exist. A missing
// one makes an error matching client.ErrUnknownTopicOrPartition (and
// Missing names them), as a sarama join fails then; kgo would wait for it.
func (g *group) checkTopics(ctx context.Context, cl *kgo.Client) error {
	resp, err := g.metadata(ctx, cl, g.cfg.Topics)
	if err != nil {
		return err
	}
	codes := make(map[string]int16, len(resp.Topics))
	for _, t := range resp.Topics {
		if t.Topic != nil {
			codes[*t.Topic] = t.ErrorCode
		}
	}
	var missing []string
	for _, t := range g.cfg.Topics {
		code, ok := codes[t]
		switch {
		case !ok || code == kerr.UnknownTopicOrPartition.Code:
			missing = append(missing, t)
		case code != 0:
			if kerr.IsRetriable(kerr.ErrorForCode(code)) {
				continue // a topic just made, for instance: kgo waits for it
			}
			return coded(kerr.ErrorForCode(code), "franzclient: group %s: topic %s", g.cfg.Group, t)
		}
	}
	g.mu.Lock()
	g.missing = missing
	g.mu.Unlock()
	if len(missing) > 0 {
		return coded(kerr.UnknownTopicOrPartition, "franzclient: group %s: %s", g.cfg.Group, missingText(missing))
	}
	return nil
}

// topicGone checks, when fetching from topic failed with
// UNKNOWN_TOPIC_OR_PARTITION (or UNKNOWN_TOPIC_ID), whether the topic is
// gone (deleted while the group consumed it) rather than briefly unknown
// to a broker. If so, the session ends, and Consume returns an error
// matching client.ErrUnknownTopicOrPartition (Missing names the topic). It
// asks the cluster at most once per goneCheckGap, from a goroutine of its
// own (the poll goroutine must not wait for it).
func (g *group) topicGone(cl *kgo.Client, topic string) {
	g.mu.Lock()
	if g.cl != cl || g.closed || time.Since(g.goneAt) < goneCheckGap {
		g.mu.Unlock()
		return
	}
	g.goneAt = time.Now()
	base := g.base
	g.bg.Add(1)
	g.mu.Unlock()
	go func() {
		defer g.bg.Done()
		ctx, cancel := context.WithTimeout(base, goneCheckTimeout)
		defer cancel()
		resp, err := g.metadata(ctx, cl, []string{topic})
		if err != nil || len(resp.Topics) != 1 || resp.Topics[0].ErrorCode != kerr.UnknownTopicOrPartition.Code {
			return
		}
		gone := coded(kerr.UnknownTopicOrPartition, "franzclient: group %s: topic %s no longer exists (deleted?)", g.cfg.Group, topic)
		g.log.Warn(fmt.Sprintf("kafka client: topic %s no longer exists (deleted?): ending the session", topic), "group", g.cfg.Group, "topic", topic)
		g.mu.Lock()
		defer g.mu.Unlock()
		g.missing = []string{topic}
		if s := g.sess; g.cl == cl && s != nil && s.hasTopic(topic) {
			if s.state == pending {
				s.state = ended
			}
			s.cancel(gone)
		}
	}()
}

// missingText says that topics do not exist.
func missingText(topics []string) string {
	if len(topics) == 1 {
		return "topic " + topics[0] + " does not exist"
	}
	return "topics " + strings.Join(topics, ", ") + " do not exist"
}
