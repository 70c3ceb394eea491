package karafka

import (
	"context"
	"errors"
	"fmt"
	"github.com/karafka-actors/karafka-actors/kafka"
	"log/slog"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"

	"github.com/karafka-actors/karafka-actors/actors"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/wait"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/topology"
)

// Errors of the application life cycle.
var (
	ErrAlreadyRunning = errors.New("karafka: Run called more than once")
	ErrNotRunning     = errors.New("karafka: not running")
	// ErrUndone is wrapped by Run's and Shutdown's error when messages were
	// still undone at the end of shutdown (see UndoneError).
	ErrUndone = actors.ErrUndone
)

// App is a Kafka application: routes plus the runtime that runs them.
type App struct {
	cfg      Config
	logger   *slog.Logger
	registry *responders.Registry
	bus      *events.Bus
	tracer   trace.TracerProvider // nil: no tracing
	// extraTopics are topics the app needs beside its routes' (WithTopics).
	extraTopics []kafka.Topic

	mu       sync.Mutex
	routes   []topology.Route
	schemas  *schemas.Registry
	running  bool
	stop     chan struct{} // closed by Shutdown
	stopOnce sync.Once
	done     chan struct{} // closed when Run returned
	ready    chan struct{} // closed when consuming started
	runErr   error
	phase    atomic.Int32                   // a Phase
	rt       atomic.Pointer[actors.Runtime] // while it runs
}

// Option configures an App.
type Option func(*App)

// WithLogger sets the logger (default: slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(a *App) { a.logger = l } }

// WithRegistry sets where responders are found by naming convention.
func WithRegistry(r *Registry) Option { return func(a *App) { a.registry = r } }

// WithTopics declares topics the app needs beside its routes' (such as
// the console's reports topic): DeclaredTopics lists them after the
// routes' topics, so that `topics create` and the embedded broker make
// them. Their partitions and replication factor default as the routes'
// do; their configs are their own (Config.Topics.Configs is not added).
func WithTopics(topics ...kafka.Topic) Option {
	return func(a *App) { a.extraTopics = append(a.extraTopics, topics...) }
}

// WithRoutes adds routes.
func WithRoutes(routes ...Route) Option {
	return func(a *App) { a.routes = append(a.routes, routes...) }
}

// New validates cfg and returns an App. Routes are validated by Run (and by
// Validate), once they have all been added.
func New(cfg Config, opts ...Option) (*App, error) {
	cfg.Kafka = cfg.kafkaConfig()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, stop: make(chan struct{}), done: make(chan struct{}), ready: make(chan struct{})}
	for _, o := range opts {
		o(a)
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	if a.registry == nil {
		a.registry = responders.NewRegistry()
	}
	if cfg.SchemaRegistry.Enabled() {
		reg, err := schemas.New(cfg.SchemaRegistry, schemas.WithLogger(a.logger))
		if err != nil {
			return nil, invalidConfig{err}
		}
		a.schemas = reg
	} else {
		a.schemas = schemas.Unconfigured()
	}
	a.bus = events.NewBus(a.logger)
	return a, nil
}

// Schemas is the client of the schema registry schema_registry.* names
// (package schemas): its Parser reads a route's Avro, Protobuf or JSON
// Schema records, and its TopicName (and the other strategies) encodes and
// checks what a responder writes to a topic. Without schema_registry.urls
// it is schemas.Unconfigured, and routes that use it fail validation.
func (a *App) Schemas() *schemas.Registry { return a.schemas }

// Config returns the application's configuration.
func (a *App) Config() Config { return a.cfg }

// Registry is where responders are registered for the naming convention.
func (a *App) Registry() *Registry { return a.registry }

// Events is the instrumentation hook; subscribe before Run.
func (a *App) Events() *events.Bus { return a.bus }

// Route adds a route. Routes cannot change once Run started.
func (a *App) Route(routes ...Route) *App {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.routes = append(a.routes, routes...)
	return a
}

// Routes resolves the routes: every default filled in, every problem
// reported at once (see topology.Resolve).
func (a *App) Routes() ([]topology.Resolved, error) {
	a.mu.Lock()
	routes := append([]topology.Route(nil), a.routes...)
	a.mu.Unlock()
	return topology.Resolve(routes, topology.Defaults{
		AppName:            a.cfg.Name,
		Group:              a.cfg.ConsumerGroup,
		StartFromBeginning: a.cfg.StartFromBeginning,
		Retry:              a.cfg.Retry,
		Supervision:        a.cfg.Supervision,
		DeadLetterPattern:  a.cfg.deadLetterPattern(),
		Registry:           a.registry,
		BatchSize:          a.cfg.Consumer.BatchSize,
		Guarantee:          a.cfg.Processing.Guarantee,
	})
}

// Validate checks the routes without connecting to anything.
func (a *App) Validate() error {
	_, err := a.Routes()
	return err
}

// Topics lists every topic the application reads or may write: route topics,
// responder topics and dead letter topics, without duplicates, in route order.
func (a *App) Topics() ([]string, error) {
	routes, err := a.Routes()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, r := range routes {
		add(r.Topic)
		for _, t := range r.ResponderTopics {
			add(t.Name)
		}
		add(r.DeadLetter)
	}
	return out, nil
}

// Ready is closed once the producer is connected and the actor tree runs.
func (a *App) Ready() <-chan struct{} { return a.ready }

// Run validates the routes, connects (retrying with backoff while Kafka is
// unreachable) and consumes until ctx ends or Shutdown is called, then shuts
// down gracefully. It returns nil after a clean shutdown, and an error for
// what cannot heal (invalid routes, the root supervisor giving up) and when
// shutdown ended with messages undone: an error wrapping ErrUndone (an
// *UndoneError names how many messages of which partitions), whose
// offsets stay uncommitted so that they are consumed again on the next start.
// Run may be called once.
func (a *App) Run(ctx context.Context) error {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return ErrAlreadyRunning
	}
	a.running = true
	a.mu.Unlock()
	a.setPhase(PhaseStarting)
	defer close(a.done)
	defer a.schemas.Close() // idle registry connections
	a.runErr = a.run(ctx)
	a.setPhase(PhaseStopped)
	return a.runErr
}

func (a *App) run(ctx context.Context) error {
	routes, err := a.Routes()
	if err != nil {
		return err
	}
	if a.logger.Enabled(ctx, slog.LevelDebug) {
		defer a.bus.Subscribe(logEvent(a.logger))()
	}

	// stopped ends when Shutdown is called or ctx ends.
	stopped, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-a.stop:
			cancel()
		case <-stopped.Done():
		}
		a.setPhase(PhaseStopping)
	}()

	if a.cfg.Topics.Create {
		plan, err := a.EnsureTopics(stopped)
		if stopped.Err() != nil {
			return nil // stopped before the topics were ready: nothing to drain
		}
		if err != nil {
			return fmt.Errorf("karafka: %w", err)
		}
		var created []string
		for _, c := range plan.Changes {
			if c.Create {
				created = append(created, c.Topic.Name)
			}
		}
		if len(created) > 0 {
			a.logger.Info("created missing topics", "topics", created)
		}
	}
	txns, err := a.transactions(routes)
	if err != nil {
		return err
	}
	prod, err := a.connectProducer(stopped)
	if err != nil {
		return nil // stopped before Kafka could be reached: nothing to drain
	}
	lib, err := clients.For(a.cfg.Kafka.Client)
	if err != nil {
		_ = prod.Close()
		return err
	}
	rt, err := actors.New(actors.Config{
		Client: lib, Kafka: a.cfg.Kafka, Consumer: a.cfg.Consumer, Supervision: a.cfg.Supervision,
		ProduceBackoff: a.cfg.ProduceBackoff, Transactions: txns, Routes: routes, TracerProvider: a.tracer,
		MaxMessageBytes: a.cfg.Producer.MaxMessageBytes,
	}, prod, a.bus, a.logger)
	if err != nil {
		_ = prod.Close()
		return err
	}
	a.rt.Store(rt)
	if err := rt.Start(); err != nil {
		_ = rt.Stop(context.Background())
		_ = prod.Close()
		return err
	}
	logGroups(a.logger, routes)
	a.logger.Info("karafka-actors running", "app", a.cfg.Name, "client", a.cfg.Kafka.Client, "routes", len(routes), "brokers", a.cfg.Kafka.Brokers)
	a.phase.CompareAndSwap(int32(PhaseStarting), int32(PhaseRunning))
	close(a.ready)

	var fatal error
	select {
	case <-stopped.Done():
	case fatal = <-rt.Fatal():
		a.logger.Error("supervision gave up, shutting down", "error", fatal)
	}
	a.setPhase(PhaseStopping)
	drainCtx, drainCancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer drainCancel()
	stopErr := rt.Stop(drainCtx)
	closeErr := prod.Close()
	if fatal != nil {
		if stopErr != nil {
			a.logger.Error("after giving up, undone messages stay uncommitted and will be consumed again", "error", stopErr)
		}
		return fmt.Errorf("karafka: %w", fatal)
	}
	if closeErr != nil {
		a.logger.Warn("closing the producer failed", "error", closeErr)
	}
	if errors.Is(stopErr, ErrUndone) {
		a.logger.Error("shutdown incomplete; undone messages stay uncommitted and will be consumed again", "error", stopErr)
		return fmt.Errorf("karafka: %w", stopErr)
	}
	if stopErr != nil {
		a.logger.Warn("shutdown gave up waiting; every message was done, but the last offsets may not be committed", "error", stopErr)
	}
	a.logger.Info("karafka-actors stopped", "app", a.cfg.Name)
	return nil
}

// transactions is the runtime's transaction configuration: exactly-once
// routes get a transactional producer per consumer-group member. A route
// that asks for exactly-once while the application's default is
// at-least-once is checked here.
func (a *App) transactions(routes []topology.Resolved) (actors.TransactionConfig, error) {
	t := a.cfg.transactions()
	for _, r := range routes {
		if r.Guarantee != topology.ExactlyOnce {
			continue
		}
		if err := a.cfg.checkExactlyOnce(); err != nil {
			return t, fmt.Errorf("route %q: %w", r.Topic, err)
		}
		cfg, logger, timeout := a.cfg.producerConfig(), a.logger, t.Timeout
		t.NewProducer = func(id string) (actors.TxnProducer, error) {
			return producer.NewTransactional(cfg, id, producer.WithLogger(logger), producer.WithTransactionTimeout(timeout))
		}
		break
	}
	return t, nil
}

// connectProducer creates the shared producer, retrying with backoff until
// the brokers answer or ctx ends.
func (a *App) connectProducer(ctx context.Context) (*producer.Producer, error) {
	for attempt := 1; ; attempt++ {
		p, err := producer.New(a.cfg.producerConfig(), producer.WithLogger(a.logger))
		if err == nil {
			return p, nil
		}
		delay := a.cfg.Consumer.ReconnectBackoff.Delay(attempt)
		a.logger.Warn("cannot reach Kafka, retrying", "brokers", a.cfg.Kafka.Brokers, "attempt", attempt, "retry_in", delay, "error", err)
		a.bus.Publish(events.Event{Kind: events.BrokerUnreachable, Attempt: attempt, Delay: delay, Err: err})
		if !wait.Sleep(ctx, delay) {
			return nil, ctx.Err()
		}
	}
}

// Shutdown stops a running App gracefully: it stops fetching, drains
// in-flight messages, flushes the producer, commits, leaves the consumer
// groups and stops the actors, then returns Run's result. It waits at most
// until ctx ends (the drain itself is bounded by Config.ShutdownTimeout).
// It is idempotent; on an App that never ran it returns ErrNotRunning.
func (a *App) Shutdown(ctx context.Context) error {
	a.mu.Lock()
	running := a.running
	a.mu.Unlock()
	if !running {
		return ErrNotRunning
	}
	a.setPhase(PhaseStopping)
	a.stopOnce.Do(func() { close(a.stop) })
	select {
	case <-a.done:
		return a.runErr
	case <-ctx.Done():
		return fmt.Errorf("karafka: shutdown: %w", ctx.Err())
	}
}
