package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill"
	wkafka "github.com/ThreeDotsLabs/watermill-kafka/v3/pkg/kafka"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/lovoo/goka"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/ops"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/topology"
)

// workerSpec is what a worker child process runs.
type workerSpec struct {
	Impl    string
	Brokers []string
	In      []string // topics consumed (one route each for karafka)
	Out     string
	Group   string // consumer group (karafka: application name prefix / shared group)
	Shared  bool   // karafka: one shared consumer group for every route
	Status  bool   // print status lines (assigned partitions, goroutines) on stdout
	metrics bool   // karafka: the ops handler subscribed and scraped (karafka-metrics)
	// exactlyOnce runs karafka with processing.guarantee exactly_once;
	// txnInterval, when set, is its transaction.interval.
	exactlyOnce bool
	txnInterval time.Duration
	// client is karafka's kafka.client ("" : the default, sarama).
	client string
	// Registry is the schema registry's URL; format, when set, is what
	// karafka reads and writes through it (schemaImpls) instead of JSON.
	Registry string
	format   schemas.Format
}

var impls = map[string]func(ctx context.Context, s workerSpec) error{
	"karafka":       runKarafka,
	"karafka-batch": runKarafkaBatch,
	// karafka with the ops handler subscribed to its events (metrics on),
	// scraped once a second: side by side with karafka, the cost of metrics.
	"karafka-metrics": runKarafkaMetrics,
	"karafka-eos":     runKarafkaEOS,
	// exactly-once with transaction.interval 10ms instead of the default
	// 100ms: latency against more transactions.
	"karafka-eos-10ms": runKarafkaEOS10ms,
	// karafka and its batch and exactly-once twins on franz-go
	// (kafka.client: franz): side by side with karafka, what the client
	// library costs.
	"karafka-franz":       onFranz(runKarafka),
	"karafka-franz-batch": onFranz(runKarafkaBatch),
	"karafka-franz-eos":   onFranz(runKarafkaEOS),
	// karafka with Avro, Protobuf or JSON Schema in and out through the
	// registry (schemaImpls): side by side with karafka, what the schemas
	// cost.
	"karafka-avro":       runKarafka,
	"karafka-protobuf":   runKarafka,
	"karafka-jsonschema": runKarafka,
	"sarama":             runSaramaLoop,
	"franz":              runFranzLoop,
	"goka":               runGoka,
	"watermill":          runWatermill,
}

// onFranz runs run with kafka.client franz.
func onFranz(run func(context.Context, workerSpec) error) func(context.Context, workerSpec) error {
	return func(ctx context.Context, s workerSpec) error {
		s.client = "franz"
		return run(ctx, s)
	}
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// ---- karafka-actors: a route with a controller and a responder ----

func runKarafka(ctx context.Context, s workerSpec) error { return runKarafkaRoutes(ctx, s, false) }

func runKarafkaMetrics(ctx context.Context, s workerSpec) error {
	s.metrics = true
	return runKarafkaRoutes(ctx, s, false)
}

// scrapeEverySecond serves GET /metrics of h into a discarded response once
// a second until ctx ends, as a Prometheus server scraping faster than usual.
func scrapeEverySecond(ctx context.Context, h http.Handler) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/metrics", nil))
		}
	}
}

// runKarafkaEOS is runKarafka with processing.guarantee exactly_once and the
// default transaction settings: the same work, each response and its input
// offset in one Kafka transaction.
func runKarafkaEOS(ctx context.Context, s workerSpec) error {
	s.exactlyOnce = true
	return runKarafkaRoutes(ctx, s, false)
}

// runKarafkaEOS10ms is runKarafkaEOS with transaction.interval 10ms.
func runKarafkaEOS10ms(ctx context.Context, s workerSpec) error {
	s.txnInterval = 10 * time.Millisecond
	return runKarafkaEOS(ctx, s)
}

// runKarafkaBatch is runKarafka with a batch controller doing the same work
// per message (decode, stamp, respond), in batches of up to
// consumer.batch_size.
func runKarafkaBatch(ctx context.Context, s workerSpec) error { return runKarafkaRoutes(ctx, s, true) }

// batchEcho is the batch twin of runKarafka's controller.
func batchEcho() controllers.BatchController {
	return controllers.BatchFunc(func(c *controllers.BatchContext) error {
		vs := make([]record, c.Len())
		for i, m := range c.Messages {
			v := &vs[i]
			if err := m.Decode(v); err != nil {
				return err
			}
			if v.TS > 0 {
				v.Seen = time.Now().UnixNano()
			}
			c.RespondTo(i, v)
		}
		return nil
	})
}

func runKarafkaRoutes(ctx context.Context, s workerSpec, batch bool) error {
	cfg := karafka.DefaultConfig()
	cfg.Name = s.Group
	cfg.Kafka.Brokers = s.Brokers
	cfg.Kafka.ClientID = s.Group
	if s.client != "" {
		cfg.Kafka.Client = s.client
	}
	if s.Shared {
		cfg.ConsumerGroup = s.Group + "_shared"
	}
	cfg.DeadLetter.Enabled = false
	if s.exactlyOnce {
		cfg.Processing.Guarantee = topology.ExactlyOnce
		if s.txnInterval > 0 {
			cfg.Transaction.Interval = s.txnInterval
		}
	}
	cfg.Producer.FlushFrequency, cfg.Producer.FlushMessages = flushOverride(cfg.Producer.FlushFrequency, cfg.Producer.FlushMessages)
	if s.format != 0 {
		cfg.SchemaRegistry.URLs = []string{s.Registry}
	}
	app, err := karafka.New(cfg, karafka.WithLogger(quietLogger()))
	if err != nil {
		return err
	}
	for _, t := range s.In {
		out := s.Out
		topic := responders.Required(out)
		route := topology.Route{
			Topic: t,
			Controller: func() controllers.Controller {
				return controllers.Func(func(c *controllers.Context) error {
					var v record
					if err := c.Params.Decode(&v); err != nil {
						return err
					}
					if v.TS > 0 {
						v.Seen = time.Now().UnixNano()
					}
					c.RespondWith(&v)
					return nil
				})
			},
			Responder: func() responders.Responder {
				return responders.Func([]responders.Topic{topic}, func(o *responders.Output, args ...any) error {
					o.RespondTo(out, args[0])
					return nil
				})
			},
		}
		if batch {
			route.Controller, route.BatchController = nil, batchEcho
		}
		if s.format != 0 {
			// The input's schema is looked up by the id in each record's
			// header (once); the responses are encoded with the same
			// record schema, registered under "<out>-value".
			route.Parser = app.Schemas().Parser(s.format)
			if s.format == schemas.Protobuf && !batch {
				route.Controller = protoEcho
			}
			topic = topic.WithSchema(app.Schemas().TopicName().Register(s.format, schemaText(s.format)))
		}
		app.Route(route)
	}
	if s.metrics {
		h := ops.New(app)
		defer h.Close()
		go scrapeEverySecond(ctx, h)
	}
	if s.Status {
		// Partition assignment is not a per-message event: subscribing is cheap.
		// A set, not a counter: a revocation may be reported after the
		// next session's assignment of the same partition. The line is
		// printed under the lock: claims start on goroutines of their own
		// (all at once on franz-go), and a count printed after the lock
		// could be overtaken by a later one, leaving a stale last line.
		var mu sync.Mutex
		owned := map[string]bool{}
		app.Events().Subscribe(func(e events.Event) {
			key := fmt.Sprintf("%s/%d", e.Topic, e.Partition)
			mu.Lock()
			defer mu.Unlock()
			if e.Kind == events.PartitionAssigned {
				owned[key] = true
			} else {
				delete(owned, key)
			}
			statusLine(map[string]any{"assigned": len(owned)})
		}, events.PartitionAssigned, events.PartitionRevoked)
	}
	return app.Run(ctx)
}

// ---- plain sarama: ConsumerGroup → AsyncProducer, in-order marking ----

type slot struct {
	t    *ptracker
	off  int64
	done bool
}

type ptracker struct {
	mu      sync.Mutex
	sess    sarama.ConsumerGroupSession
	topic   string
	part    int32
	pending []*slot // in offset order
	sem     chan struct{}
}

func (t *ptracker) ack(s *slot) {
	t.mu.Lock()
	s.done = true
	var mark int64 = -1
	i := 0
	for ; i < len(t.pending) && t.pending[i].done; i++ {
		mark = t.pending[i].off
	}
	if i > 0 {
		clear(t.pending[:i])
		t.pending = t.pending[i:]
	}
	t.mu.Unlock()
	for range i {
		<-t.sem
	}
	if mark >= 0 {
		t.sess.MarkOffset(t.topic, t.part, mark+1, "")
	}
}

type saramaHandler struct {
	prod sarama.AsyncProducer
	out  string
}

func (h *saramaHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *saramaHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *saramaHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	t := &ptracker{sess: sess, topic: claim.Topic(), part: claim.Partition(), sem: make(chan struct{}, 2000)}
	for {
		select {
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			var v record
			if err := json.Unmarshal(m.Value, &v); err != nil {
				return err
			}
			if v.TS > 0 {
				v.Seen = time.Now().UnixNano()
			}
			b, err := json.Marshal(&v)
			if err != nil {
				return err
			}
			t.sem <- struct{}{}
			s := &slot{t: t, off: m.Offset}
			t.mu.Lock()
			t.pending = append(t.pending, s)
			t.mu.Unlock()
			h.prod.Input() <- &sarama.ProducerMessage{Topic: h.out, Key: sarama.ByteEncoder(m.Key), Value: sarama.ByteEncoder(b), Metadata: s}
		case <-sess.Context().Done():
			return nil
		}
	}
}

func runSaramaLoop(ctx context.Context, s workerSpec) error {
	// Producer tuned exactly like karafka-actors' defaults (producer.DefaultConfig).
	pc := baseSarama(s.Brokers)
	pc.Producer.Return.Successes = true
	pc.Producer.RequiredAcks = sarama.WaitForAll
	pc.Producer.Idempotent = true
	pc.Net.MaxOpenRequests = 1
	pc.Producer.Retry.Max = 10
	pc.Producer.Retry.Backoff = 100 * time.Millisecond
	pc.Producer.Flush.Frequency, pc.Producer.Flush.Messages = flushOverride(0, 0) // no linger; sarama/5ms: the default before issue 11
	pc.ChannelBufferSize = 1024
	prod, err := sarama.NewAsyncProducer(s.Brokers, pc)
	if err != nil {
		return err
	}
	var acks sync.WaitGroup
	acks.Add(2)
	go func() {
		defer acks.Done()
		for m := range prod.Successes() {
			sl := m.Metadata.(*slot)
			sl.t.ack(sl)
		}
	}()
	go func() {
		defer acks.Done()
		for e := range prod.Errors() {
			fmt.Fprintln(os.Stderr, "sarama loop: produce failed:", e.Err)
			os.Exit(3)
		}
	}()
	cc := baseSarama(s.Brokers)
	cc.Consumer.Return.Errors = true
	cc.Consumer.Offsets.Initial = sarama.OffsetOldest
	cc.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRoundRobin()}
	cg, err := sarama.NewConsumerGroup(s.Brokers, s.Group+"_"+s.In[0], cc)
	if err != nil {
		return err
	}
	go func() {
		for e := range cg.Errors() {
			fmt.Fprintln(os.Stderr, "sarama loop: consumer:", e)
		}
	}()
	h := &saramaHandler{prod: prod, out: s.Out}
	for ctx.Err() == nil {
		if err := cg.Consume(ctx, s.In, h); err != nil && ctx.Err() == nil {
			fmt.Fprintln(os.Stderr, "sarama loop: consume:", err)
			time.Sleep(100 * time.Millisecond)
		}
	}
	_ = prod.Close() // flushes and waits for the acks of in-flight messages
	acks.Wait()
	return cg.Close() // commits marked offsets
}

// ---- goka: a processor with an input stream and an output stream ----

type jsonCodec struct{}

func (jsonCodec) Encode(v any) ([]byte, error) { return json.Marshal(v) }
func (jsonCodec) Decode(b []byte) (any, error) {
	var r record
	err := json.Unmarshal(b, &r)
	return &r, err
}

func runGoka(ctx context.Context, s workerSpec) error {
	cfg := goka.DefaultConfig()
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest // the input is pre-filled
	goka.ReplaceGlobalConfig(cfg)
	out := goka.Stream(s.Out)
	g := goka.DefineGroup(goka.Group(s.Group+"_"+s.In[0]),
		goka.Input(goka.Stream(s.In[0]), jsonCodec{}, func(c goka.Context, msg any) {
			c.Emit(out, c.Key(), msg)
		}),
		goka.Output(out, jsonCodec{}),
	)
	p, err := goka.NewProcessor(s.Brokers, g, goka.WithLogger(gokaQuiet{}))
	if err != nil {
		return err
	}
	return p.Run(ctx)
}

type gokaQuiet struct{}

func (gokaQuiet) Print(...any)                     {}
func (gokaQuiet) Println(...any)                   {}
func (gokaQuiet) Printf(string, ...any)            {}
func (gokaQuiet) Debugf(string, ...any)            {}
func (gokaQuiet) Panicf(f string, a ...any)        { panic(fmt.Sprintf(f, a...)) }
func (g gokaQuiet) Prefix(string) goka.Logger      { return g }
func (g gokaQuiet) PrefixDebug(string) goka.Logger { return g }
func (g gokaQuiet) StackPrefix(string) goka.Logger { return g }
func (g gokaQuiet) CurrentPrefix() string          { return "" }
func (g gokaQuiet) Debug(bool, bool)               {}

// ---- watermill: Router with the watermill-kafka defaults ----

func runWatermill(ctx context.Context, s workerSpec) error {
	logger := watermill.NopLogger{}
	sc := wkafka.DefaultSaramaSubscriberConfig()
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest // the input is pre-filled
	sub, err := wkafka.NewSubscriber(wkafka.SubscriberConfig{
		Brokers: s.Brokers, Unmarshaler: wkafka.DefaultMarshaler{}, OverwriteSaramaConfig: sc,
		ConsumerGroup: s.Group + "_" + s.In[0],
	}, logger)
	if err != nil {
		return err
	}
	pub, err := wkafka.NewPublisher(wkafka.PublisherConfig{Brokers: s.Brokers, Marshaler: wkafka.DefaultMarshaler{}}, logger)
	if err != nil {
		return err
	}
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	if err != nil {
		return err
	}
	router.AddHandler("bench", s.In[0], sub, s.Out, pub, func(m *message.Message) ([]*message.Message, error) {
		var v record
		if err := json.Unmarshal(m.Payload, &v); err != nil {
			return nil, err
		}
		b, err := json.Marshal(&v)
		if err != nil {
			return nil, err
		}
		return []*message.Message{message.NewMessage(watermill.NewUUID(), b)}, nil
	})
	return router.Run(ctx)
}

// lingerOverride is KB_FLUSH_FREQUENCY (a Go duration), which an impl
// variant like karafka/1ms sets: the producer linger of karafka-actors and
// the plain sarama and franz-go loops. ok is false when it is unset (or not
// a duration); 0 is a setting of its own, no linger.
func lingerOverride() (d time.Duration, ok bool) {
	v, set := os.LookupEnv("KB_FLUSH_FREQUENCY")
	if !set {
		return 0, false
	}
	d, err := time.ParseDuration(v)
	return d, err == nil
}

// flushOverride applies lingerOverride to a sarama-style flush setting
// (linger freq, flush after msgs records). Unset: unchanged. 0: no linger
// at all, Frequency and Messages 0, the only combination in which sarama
// sends as soon as it can (produceSet.readyToFlush; with Messages > 0 and
// no Frequency it would wait for msgs records). d > 0: linger d with a
// 500-record trigger (the trigger of the 5 ms default before issue 11) if
// msgs is 0, so that karafka/5ms is that old default.
func flushOverride(freq time.Duration, msgs int) (time.Duration, int) {
	d, ok := lingerOverride()
	switch {
	case !ok:
		return freq, msgs
	case d <= 0:
		return 0, 0
	case msgs == 0:
		return d, 500
	default:
		return d, msgs
	}
}
