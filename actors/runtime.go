package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.opentelemetry.io/otel/trace"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// Config is everything the runtime needs.
type Config struct {
	Kafka    kafka.Config
	Consumer ConsumerConfig
	// Supervision is the root supervisor's strategy for the listeners.
	// When its restart limit is reached the runtime fails (see Fatal).
	Supervision supervision.Config
	// ProduceBackoff spaces new sends of responses the broker refused.
	ProduceBackoff supervision.Backoff
	// Transactions configures the groups of exactly-once routes; required
	// (NewProducer set) when a route is exactly-once.
	Transactions TransactionConfig
	Routes       []topology.Resolved
	// MaxMessageBytes is the producer's limit (producer.max_message_bytes;
	// 0: none): dead letters are cut to fit it, and a larger response
	// fails its message for good instead of being sent.
	MaxMessageBytes int
	// Client makes the consumer group members: the Kafka client library
	// the runtime consumes with (clients.For). Required.
	Client client.Factory
	// TracerProvider, when not nil, traces every message: a process span
	// per message, a send span per record produced, W3C trace context in
	// the records' headers (see tracing.go). Nil: no tracing, at no cost.
	TracerProvider trace.TracerProvider
}

// stopGrace bounds the wait for consume loops once shutdown gave up draining.
const stopGrace = 10 * time.Second

// Runtime is a running actor tree. Start it once, Stop it once.
type Runtime struct {
	cfg       Config
	d         *deps
	pool      *pool // dispatcher of every actor, closed by Stop
	listeners []*listener
	groups    []*membership
	root      *actor.PID
	cancel    context.CancelFunc // stops fetching
	hardStop  context.CancelFunc // stops waiting for in-flight work
	haltStop  context.CancelFunc // the give-up: stops in-flight work (see deps.halt)
	fatal     chan error
	fatalOnce sync.Once
	stopOnce  sync.Once
	stopErr   error
}

// New builds a runtime; nothing connects before Start.
func New(cfg Config, sender Sender, bus *events.Bus, logger *slog.Logger) (*Runtime, error) {
	if err := cfg.Consumer.Validate(); err != nil {
		return nil, err
	}
	if len(cfg.Routes) == 0 {
		return nil, fmt.Errorf("%w: no routes", errInvalidConfig)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if bus == nil {
		bus = events.NewBus(logger)
	}
	hard, hardStop := context.WithCancel(context.Background())
	halt, haltStop := context.WithCancel(hard)
	sys := newSystem(logger)
	r := &Runtime{cfg: cfg, hardStop: hardStop, haltStop: haltStop, fatal: make(chan error, 1)}
	r.pool = newPool(poolIdle, poolMaxIdle, poolThroughput)
	r.d = &deps{sys: sys, dispatch: r.pool, sender: sender, bus: bus, log: logger, hard: hard, halt: halt, backoff: cfg.ProduceBackoff,
		maxMessageBytes: cfg.MaxMessageBytes, maxRecordBytes: cfg.Consumer.MaxRecordBytes}
	r.d.trace = newTracing(cfg.TracerProvider)
	r.d.sender = r.d.trace.sender(sender)
	byGroup := map[string]*membership{}
	for i := range cfg.Routes {
		route := &cfg.Routes[i]
		m := byGroup[route.Group]
		if m == nil {
			m = &membership{d: r.d, group: route.Group, cfg: cfg.Consumer, gcfg: groupConfig(cfg.Kafka, cfg.Consumer, route, logger),
				listeners: map[string]*listener{}, done: make(chan struct{})}
			if route.Guarantee == topology.ExactlyOnce {
				if err := transactional(&cfg.Transactions, cfg.Kafka); err != nil {
					hardStop()
					return nil, err
				}
				m.txn = &cfg.Transactions
				m.txnID = transactionalID(cfg.Transactions.IDPrefix, route.Group, cfg.Consumer.InstanceID)
			}
			byGroup[route.Group] = m
			r.groups = append(r.groups, m)
		} else if (m.txn != nil) != (route.Guarantee == topology.ExactlyOnce) {
			hardStop()
			return nil, fmt.Errorf("%w: routes %q and %q share group %q but not processing.guarantee",
				errInvalidConfig, m.topics[0], route.Topic, route.Group)
		} else if route.StartFromBeginning != m.gcfg.FromBeginning {
			hardStop()
			return nil, fmt.Errorf("%w: routes %q and %q share group %q but not where they start (start_from_beginning)",
				errInvalidConfig, m.topics[0], route.Topic, route.Group)
		}
		l := &listener{d: r.d, route: route, cfg: cfg.Consumer, m: m, parts: make(map[*partition]struct{})}
		m.listeners[route.Topic] = l
		m.topics = append(m.topics, route.Topic)
		r.listeners = append(r.listeners, l)
	}
	if cfg.Client == nil {
		hardStop()
		return nil, fmt.Errorf("%w: Config.Client is required (clients.For(kafka.client))", errInvalidConfig)
	}
	for _, m := range r.groups {
		m.gcfg.Topics = m.topics
		member, err := cfg.Client.NewGroup(m.gcfg)
		if err != nil {
			hardStop()
			return nil, err // wraps kafka.ErrInvalidConfig, naming the key
		}
		m.member = member
	}
	return r, nil
}

// groupConfig is the client's configuration of route's group member.
func groupConfig(k kafka.Config, c ConsumerConfig, r *topology.Resolved, log *slog.Logger) client.GroupConfig {
	return client.GroupConfig{
		Kafka: k, Group: r.Group, InstanceID: c.InstanceID,
		SessionTimeout: c.SessionTimeout, HeartbeatInterval: c.HeartbeatInterval, RebalanceTimeout: c.RebalanceTimeout,
		FromBeginning: r.StartFromBeginning, ReadCommitted: r.Guarantee == topology.ExactlyOnce,
		FetchMaxWait: c.FetchMaxWait, FetchBytes: c.FetchBytes, FetchMaxBytes: c.FetchMaxBytes, Buffer: c.BatchSize,
		Logger: log,
	}
}

// Start spawns the tree; listeners connect in the background with backoff.
func (r *Runtime) Start() error {
	strategy := strategyFor(r.d, r.cfg.Supervision, "", r.fail)
	// The root's own guardian stops it when it escalates (gives up) or
	// fails itself: protoactor's default guardian would restart the tree.
	guardian := supervision.Stopping(func(_ *actor.PID, reason any) {
		r.fail(fmt.Errorf("actor root supervisor stopped: %w", asError(reason)))
	})
	props := actor.PropsFromProducer(func() actor.Actor { return &rootActor{listeners: r.listeners} },
		actor.WithSupervisor(strategy), actor.WithGuardian(guardian), actor.WithDispatcher(r.d.dispatch))
	root, err := r.d.sys.Root.SpawnNamed(props, "karafka")
	if err != nil {
		return fmt.Errorf("actors: spawn root supervisor: %w", err)
	}
	r.root = root
	// Wait until every listener actor is up before their loops need them.
	deadline := time.Now().Add(10 * time.Second)
	for _, l := range r.listeners {
		for l.pid.Load() == nil {
			if time.Now().After(deadline) {
				return errors.New("actors: listeners did not start")
			}
			time.Sleep(time.Millisecond)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	for _, m := range r.groups {
		go m.run(ctx)
	}
	return nil
}

// fail is the give-up: the stages take no more work, and controllers and
// waits for in-flight work end at once (it cannot finish: the tree is being
// stopped). What is done is still committed; what is not stays uncommitted
// and is consumed again.
func (r *Runtime) fail(err error) {
	r.fatalOnce.Do(func() {
		r.d.halted.Store(true)
		r.haltStop()
		r.fatal <- err
	})
}

// Fatal delivers the error that made the root supervisor give up. From then
// on nothing more is processed; Stop returns without draining.
func (r *Runtime) Fatal() <-chan error { return r.fatal }

// Stop stops fetching, drains in-flight messages (their responses
// acknowledged and offsets committed) until ctx ends, leaves the consumer
// groups and stops every actor. Work not done when ctx ends stays
// uncommitted: Stop then returns an *UndoneError (wrapping ErrUndone and
// ctx's error) naming how many messages of which partitions. Calling Stop
// again returns the first result.
func (r *Runtime) Stop(ctx context.Context) error {
	r.stopOnce.Do(func() {
		r.d.claims.stopping.Store(true)
		if r.cancel != nil {
			r.cancel()
		}
		done := make(chan struct{})
		go func() {
			if r.cancel != nil { // started: wait for every consume loop
				for _, m := range r.groups {
					<-m.done
				}
			}
			close(done)
		}()
		var gaveUp error
		select {
		case <-done:
		case <-ctx.Done():
			gaveUp = fmt.Errorf("shutdown gave up waiting for in-flight messages: %w", ctx.Err())
			r.hardStop()
			// Drains now end at once; only a consume loop stuck in sarama
			// (brokers gone) can keep us, and it must not keep us forever.
			select {
			case <-done:
			case <-time.After(stopGrace):
				r.d.log.Error("consumer group loops did not stop; leaving them behind", "grace", stopGrace)
			}
		}
		r.hardStop()
		r.stopErr = r.d.claims.report(gaveUp)
		if r.stopErr == nil && gaveUp != nil {
			// Every message was done, but a consume loop was slow to end:
			// the last marked offsets may not be committed.
			r.stopErr = fmt.Errorf("actors: %w", gaveUp)
		}
		if r.root != nil {
			_ = r.d.sys.Root.StopFuture(r.root).Wait()
		}
		r.d.sys.Shutdown()
		r.pool.close()
	})
	return r.stopErr
}

// transactional checks what an exactly-once group needs. Its consumer
// reads committed records only (groupConfig): outputs of aborted
// transactions upstream are skipped, and committed offsets are fetched
// stable (a pending transactional commit is waited for, KIP-447).
func transactional(t *TransactionConfig, k kafka.Config) error {
	if t.NewProducer == nil {
		return fmt.Errorf("%w: exactly-once routes need Transactions.NewProducer", errInvalidConfig)
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if ok, err := k.AtLeast("2.5.0"); err != nil {
		return fmt.Errorf("%w: %w", errInvalidConfig, err)
	} else if !ok {
		return fmt.Errorf("%w: kafka.version: exactly-once needs >= 2.5.0, got %s", errInvalidConfig, k.Version)
	}
	return nil
}

// transactionalID is "<prefix>.<group>.<member>": unique per group member,
// and stable across restarts when the process has a consumer.instance_id.
func transactionalID(prefix, group, instance string) string {
	member := instance
	if member == "" {
		host, _ := os.Hostname()
		member = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if prefix == "" {
		return group + "." + member
	}
	return prefix + "." + group + "." + member
}
