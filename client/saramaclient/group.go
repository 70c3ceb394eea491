package saramaclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
)

// group is a consumer group member on one sarama client and ConsumerGroup,
// both made on the first Consume (closed by Close).
type group struct {
	cfg    client.GroupConfig
	sarama *sarama.Config
	conns  *groupConns // the connections of the client, see groupConns
	log    *slog.Logger

	mu      sync.Mutex
	client  sarama.Client
	cg      sarama.ConsumerGroup
	closed  bool
	cancel  context.CancelCauseFunc // ends the current session (topicGone)
	missing []string                // the group's topics the last failed join found missing
	errs    sync.WaitGroup          // the loop of cg.Errors()
}

var _ client.Group = (*group)(nil)

// connected returns the ConsumerGroup, connecting first if there is none.
func (g *group) connected() (sarama.ConsumerGroup, error) {
	g.mu.Lock()
	cg, closed := g.cg, g.closed
	g.mu.Unlock()
	switch {
	case closed:
		return nil, fmt.Errorf("group %s: %w", g.cfg.Group, client.ErrClosed)
	case cg != nil:
		return cg, nil
	}
	c, err := sarama.NewClient(g.cfg.Kafka.Brokers, g.sarama)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", client.ErrUnreachable, g.cfg.Kafka.Brokers, coded(err))
	}
	cg, err = sarama.NewConsumerGroupFromClient(g.cfg.Group, c)
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("%w: %q: %w", client.ErrUnreachable, g.cfg.Kafka.Brokers, coded(err))
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed { // Close ran meanwhile
		_ = cg.Close()
		_ = c.Close()
		return nil, fmt.Errorf("group %s: %w", g.cfg.Group, client.ErrClosed)
	}
	g.client, g.cg = c, cg
	g.errs.Go(func() {
		var checked time.Time
		for err := range cg.Errors() {
			g.log.Warn("consumer group error", "error", err)
			g.topicGone(c, err, &checked)
		}
	})
	return cg, nil
}

// Consume runs one sarama session.
func (g *group) Consume(ctx context.Context, h client.Handler) error {
	cg, err := g.connected()
	if err != nil {
		return err
	}
	sessCtx, cancel := context.WithCancelCause(ctx)
	g.mu.Lock()
	g.cancel = cancel
	g.mu.Unlock()
	err = cg.Consume(sessCtx, g.cfg.Topics, &handler{g: g, h: h})
	cancel(nil)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sarama.ErrClosedConsumerGroup):
		return fmt.Errorf("group %s: %w: %w", g.cfg.Group, client.ErrClosed, err)
	case errors.Is(err, sarama.ErrUnknownTopicOrPartition):
		g.noteMissing()
	}
	return coded(err)
}

// noteMissing notes which of the group's topics a join that failed with
// UNKNOWN_TOPIC_OR_PARTITION found missing: those the client's metadata,
// just refreshed for them by the join, lacks.
func (g *group) noteMissing() {
	g.mu.Lock()
	c := g.client
	g.mu.Unlock()
	var missing []string
	if known, err := c.Topics(); err == nil {
		for _, t := range g.cfg.Topics {
			if !slices.Contains(known, t) {
				missing = append(missing, t)
			}
		}
	}
	g.mu.Lock()
	g.missing = missing
	g.mu.Unlock()
}

func (g *group) Connected() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cg != nil && !g.closed
}

func (g *group) Missing() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.missing)
}

// goneCheckGap is the least time between two checks of topicGone.
const goneCheckGap = 5 * time.Second

// topicGone checks, when fetching from a topic of the session failed with
// UNKNOWN_TOPIC_OR_PARTITION, whether the topic is gone (deleted while the
// group consumed it) rather than briefly unknown to a broker. If it is, the
// session ends, and the next join says which topics are missing instead of
// fetching in vain. checked is when it last asked the cluster: it asks at
// most once per goneCheckGap.
func (g *group) topicGone(c sarama.Client, err error, checked *time.Time) {
	ce, ok := errors.AsType[*sarama.ConsumerError](err)
	if !ok || !errors.Is(err, sarama.ErrUnknownTopicOrPartition) || time.Since(*checked) < goneCheckGap {
		return
	}
	*checked = time.Now()
	if err := c.RefreshMetadata(ce.Topic); !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
		return
	}
	g.log.Warn(fmt.Sprintf("topic %s no longer exists (deleted?): ending the session", ce.Topic), "topic", ce.Topic)
	g.mu.Lock()
	cancel := g.cancel
	g.mu.Unlock()
	if cancel != nil {
		cancel(fmt.Errorf("topic %s no longer exists: %w", ce.Topic, coded(sarama.ErrUnknownTopicOrPartition)))
	}
}

func (g *group) Pause(topic string, partition int32) {
	if cg := g.consumerGroup(); cg != nil {
		cg.Pause(map[string][]int32{topic: {partition}})
	}
}

func (g *group) Resume(topic string, partition int32) {
	if cg := g.consumerGroup(); cg != nil {
		cg.Resume(map[string][]int32{topic: {partition}})
	}
}

func (g *group) consumerGroup() sarama.ConsumerGroup {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cg
}

func (g *group) CutJoin(at time.Time) {
	if g.conns.joining.Load() {
		g.conns.capReads(at)
	}
}

func (g *group) Cut(at time.Time) { g.conns.capReads(at) }

// Close leaves the group, then closes the client.
func (g *group) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	cg, c := g.cg, g.client
	g.mu.Unlock()
	if cg == nil {
		return nil
	}
	var errs []error
	if err := cg.Close(); err != nil {
		errs = append(errs, fmt.Errorf("leaving consumer group %s: %w", g.cfg.Group, err))
	}
	g.errs.Wait()
	if err := c.Close(); err != nil && !errors.Is(err, sarama.ErrClosedClient) {
		errs = append(errs, fmt.Errorf("closing the client of consumer group %s: %w", g.cfg.Group, err))
	}
	return errors.Join(errs...)
}
