package actors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/topology"
)

// listener is the state of one route's listener; it outlives the listener
// actor's incarnations. The consume loop runs on its own goroutine (sarama's
// ConsumerGroup.Consume blocks) and asks the listener actor to spawn and stop
// the partition actors of the partitions it is assigned.
type listener struct {
	d       *deps
	route   *topology.Resolved
	cfg     ConsumerConfig
	brokers []string
	sarama  *sarama.Config
	pid     atomic.Pointer[actor.PID]
	started sync.Once
	done    chan struct{} // closed when the consume loop returned

	groupMu sync.Mutex
	group   sarama.ConsumerGroup

	parts map[*partition]struct{} // touched only by the listener actor
}

// messages to the listener actor
type (
	spawnPartition struct{ p *partition }
	stopPartition  struct{ p *partition }
)

func (l *listener) props() *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &listenerActor{l: l} },
		actor.WithSupervisor(routeStrategy(l.d, l.route)))
}

type listenerActor struct{ l *listener }

func (a *listenerActor) Receive(ctx actor.Context) {
	l := a.l
	switch m := ctx.Message().(type) {
	case *actor.Started:
		l.pid.Store(ctx.Self())
		// After a restart the partitions are still claimed: give each a new actor.
		for p := range l.parts {
			p.pid = ctx.SpawnPrefix(p.props(), fmt.Sprintf("%s-%d-", l.route.Topic, p.id))
		}
	case spawnPartition:
		m.p.pid = ctx.SpawnPrefix(m.p.props(), fmt.Sprintf("%s-%d-", l.route.Topic, m.p.id))
		l.parts[m.p] = struct{}{}
		ctx.Respond(m.p.pid)
	case stopPartition:
		delete(l.parts, m.p)
		if m.p.pid != nil {
			ctx.Stop(m.p.pid)
		}
		ctx.Respond(true)
	}
}

// run connects with backoff and consumes until ctx ends, then leaves the group.
func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	log := l.d.log.With("topic", l.route.Topic, "group", l.route.Group)
	var group sarama.ConsumerGroup
	for attempt := 1; group == nil; attempt++ {
		g, err := sarama.NewConsumerGroup(l.brokers, l.route.Group, l.sarama)
		if err == nil {
			group = g
			break
		}
		delay := l.cfg.ReconnectBackoff.Delay(attempt)
		log.Warn("cannot reach Kafka, retrying", "brokers", l.brokers, "attempt", attempt, "retry_in", delay, "error", err)
		l.d.bus.Publish(events.Event{Kind: events.BrokerUnreachable, Topic: l.route.Topic, Group: l.route.Group, Attempt: attempt, Delay: delay, Err: err})
		if !sleep(ctx, delay) {
			return
		}
	}
	l.groupMu.Lock()
	l.group = group
	l.groupMu.Unlock()
	var errs sync.WaitGroup
	errs.Go(func() {
		for err := range group.Errors() {
			log.Warn("consumer group error", "error", err)
		}
	})
	h := &handler{l: l}
	for attempt := 1; ctx.Err() == nil; {
		err := group.Consume(ctx, []string{l.route.Topic}, h)
		if ctx.Err() != nil || errors.Is(err, sarama.ErrClosedConsumerGroup) {
			break
		}
		if err == nil {
			attempt = 1
			continue // a rebalance ended the session: join again
		}
		delay := l.cfg.ReconnectBackoff.Delay(attempt)
		log.Warn("consuming failed, retrying", "attempt", attempt, "retry_in", delay, "error", err)
		l.d.bus.Publish(events.Event{Kind: events.BrokerUnreachable, Topic: l.route.Topic, Group: l.route.Group, Attempt: attempt, Delay: delay, Err: err})
		attempt++
		if !sleep(ctx, delay) {
			break
		}
	}
	if err := group.Close(); err != nil {
		log.Warn("leaving the consumer group failed", "error", err)
	}
	errs.Wait()
}

// pause stops fetching a partition while its in-flight work is full.
func (l *listener) pause(id int32, on bool) {
	l.groupMu.Lock()
	g := l.group
	l.groupMu.Unlock()
	if g == nil {
		return
	}
	ps := map[string][]int32{l.route.Topic: {id}}
	if on {
		g.Pause(ps)
	} else {
		g.Resume(ps)
	}
}

func (l *listener) request(msg any) (any, error) {
	pid := l.pid.Load()
	if pid == nil {
		return nil, errors.New("actors: listener not started")
	}
	return l.d.sys.Root.RequestFuture(pid, msg, 30*time.Second).Result()
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
