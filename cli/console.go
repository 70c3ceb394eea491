package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/console"
	"github.com/karafka-actors/karafka-actors/deadletters"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/ops"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/topology"
)

// consolePath is where the server serves the console, next to the ops
// handler's endpoints.
const consolePath = "/console/"

// reportsTopic is the console's reports topic as `topics create` makes it.
func reportsTopic(s Settings) kafka.Topic {
	return kafka.Topic{Name: s.Console.ReportsTopic, Configs: console.ReportsTopicConfigs()}
}

// consoleRun is the console of one process (or of the standalone
// `console` command): its collector fed by the process's own reports and
// the reports topic, its explorer, and what it must stop.
type consoleRun struct {
	handler *console.Handler
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	pub     *console.Publisher // nil standalone
	prod    *lazyProducer      // nil without reports
	// pubCancel ends the publisher's Run, which closes pubDone.
	pubCancel context.CancelFunc
	pubDone   chan struct{}
	reader    *lazyReader
	unsub     func()
	log       *slog.Logger
}

// startConsole starts the console. app and state are nil for the
// standalone console (no process of its own); url is where the console
// is served ("" unknown).
func startConsole(s Settings, app *karafka.App, state func() ops.State, routes []topology.Resolved, url string, logger *slog.Logger) (*consoleRun, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cr := &consoleRun{cancel: cancel, log: logger, unsub: func() {}}
	collector := console.NewCollector(logger)
	cr.reader = newLazyReader(ctx, s.ProducerConfig().Kafka, logger) // the client id defaulted
	hc := console.HandlerConfig{Config: s.Console, Collector: collector, Path: consolePath, Log: logger,
		Explorer: console.NewExplorer(cr.reader, routes),
		Replay: func(ctx context.Context, topic string, partition int32, from, to int64) (string, error) {
			res, err := deadletters.Replay(ctx, s.ProducerConfig().Kafka, deadletters.Request{Topic: topic, Partition: partition, From: from, To: to})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("replayed %d and skipped %d dead letter(s) of %s (karafka-actors replay %s --dry-run lists why each was skipped)",
				res.Replayed, res.Skipped, topic, topic), nil
		}}
	for _, r := range routes {
		if r.DeadLetter != "" && !slices.Contains(hc.ReplayTopics, r.DeadLetter) {
			hc.ReplayTopics = append(hc.ReplayTopics, r.DeadLetter)
		}
	}
	if app != nil {
		errs := console.NewErrorLog()
		cr.unsub = errs.Subscribe(app.Events())
		if s.Console.URL != "" {
			url = s.Console.URL
		}
		proc := console.NewProcess(s.Consumer.InstanceID, url)
		pc := console.PublisherConfig{App: s.Name, Guarantee: string(s.Processing.Guarantee), Process: proc,
			Interval: s.Console.ReportInterval, State: state, Errors: errs, Local: collector, Log: logger}
		if s.Console.Reports {
			cr.prod = newLazyProducer(ctx, s.ProducerConfig(), logger)
			pc.Send = cr.prod.send(s.Console.ReportsTopic)
		}
		cr.pub = console.NewPublisher(pc)
		hc.Self, hc.Actions = proc.ID, app
		// Its own context: stop ends it before the final report, which
		// must be the process's last.
		pubCtx, pubCancel := context.WithCancel(ctx)
		cr.pubCancel, cr.pubDone = pubCancel, make(chan struct{})
		go func() {
			defer close(cr.pubDone)
			cr.pub.Run(pubCtx)
		}()
	}
	if s.Console.Reports || app == nil {
		cr.wg.Go(func() {
			r, err := cr.reader.wait(ctx)
			if err != nil {
				return // ctx ended
			}
			collector.Run(ctx, r, s.Console.ReportsTopic, time.Second)
		})
	}
	if topics := topology.Topics(routes); len(topics) > 0 {
		names := make([]string, len(topics))
		for i, t := range topics {
			names[i] = t.Name
		}
		hc.Txn = console.NewTxnWatch()
		cr.wg.Go(func() { cr.watchTransactions(ctx, s.ProducerConfig().Kafka, hc.Txn, names) })
	}
	cr.handler = console.NewHandler(hc)
	return cr, nil
}

// txnWatchInterval is how often the console lists the app's topics'
// stable offsets.
const txnWatchInterval = 10 * time.Second

// watchTransactions feeds w with the stable offsets of topics until ctx
// ends, connecting an admin when Kafka can be reached.
func (cr *consoleRun) watchTransactions(ctx context.Context, k kafka.Config, w *console.TxnWatch, topics []string) {
	if _, err := cr.reader.wait(ctx); err != nil {
		return // stopped before Kafka could be reached
	}
	admin, err := clients.NewAdmin(ctx, k)
	if err != nil {
		cr.log.Warn("console: no check of open transactions", "error", err)
		return
	}
	defer admin.Close()
	w.Run(ctx, admin, topics, txnWatchInterval, cr.log)
}

// stop publishes the final report (the app stopped) and stops the rest.
func (cr *consoleRun) stop(ctx context.Context) error {
	var err error
	if cr.pub != nil {
		cr.pubCancel()
		<-cr.pubDone
		if cr.prod != nil {
			err = cr.pub.Final(ctx)
		}
	}
	cr.cancel()
	cr.wg.Wait()
	cr.unsub()
	if cr.prod != nil {
		err = errors.Join(err, cr.prod.Close())
	}
	return errors.Join(err, cr.reader.Close())
}

// lazyReader is a client.Reader connected in the background: a console
// started while Kafka cannot be reached serves its page at once, and its
// explorer says it is connecting until it is.
type lazyReader struct{ *lazy[client.Reader] }

func newLazyReader(ctx context.Context, cfg kafka.Config, logger *slog.Logger) *lazyReader {
	return &lazyReader{connectLazily(ctx, "Kafka (the console's reader)",
		func(ctx context.Context) (client.Reader, error) { return clients.NewReader(ctx, cfg) },
		client.Reader.Close, logger)}
}

func (l *lazyReader) Partitions(ctx context.Context, topic string) ([]int32, error) {
	r, err := l.now()
	if err != nil {
		return nil, err
	}
	return r.Partitions(ctx, topic)
}

func (l *lazyReader) Bounds(ctx context.Context, topic string, partition int32) (int64, int64, error) {
	r, err := l.now()
	if err != nil {
		return 0, 0, err
	}
	return r.Bounds(ctx, topic, partition)
}

func (l *lazyReader) Read(ctx context.Context, topic string, partition int32, offset int64, max int) ([]client.Record, error) {
	r, err := l.now()
	if err != nil {
		return nil, err
	}
	return r.Read(ctx, topic, partition, offset, max)
}

func (l *lazyReader) OffsetAt(ctx context.Context, topic string, partition int32, t time.Time) (int64, error) {
	r, err := l.now()
	if err != nil {
		return 0, err
	}
	return r.OffsetAt(ctx, topic, partition, t)
}

// withConsole serves the console at consolePath beside h.
func withConsole(h http.Handler, c *console.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(consolePath, http.StripPrefix("/console", c))
	mux.Handle("/", h)
	return mux
}

// lazyProducer is the reports' producer, connected in the background: a
// server started while Kafka cannot be reached runs (its App waits for
// Kafka as it does), and its reports start once the producer connects.
type lazyProducer struct{ *lazy[*producer.Producer] }

func newLazyProducer(ctx context.Context, cfg producer.Config, logger *slog.Logger) *lazyProducer {
	return &lazyProducer{connectLazily(ctx, "Kafka (the console's reports producer)",
		func(context.Context) (*producer.Producer, error) { return producer.New(cfg) },
		(*producer.Producer).Close, logger)}
}

// send is the Sender of topic: it waits for the producer to connect
// (within ctx: the publisher's bound on one report).
func (l *lazyProducer) send(topic string) console.Sender {
	return func(ctx context.Context, key, value []byte) error {
		p, err := l.wait(ctx)
		if err != nil {
			return err
		}
		return console.ProducerSender(p, topic)(ctx, key, value)
	}
}

// publishedURL is the base URL other consoles link to for a console
// listening on addr: the address itself, or this host's name (a pod's,
// on Kubernetes) when it listens on every interface, whose address
// (0.0.0.0, [::]) no browser can open.
func publishedURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil && h != "" {
			host = h
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}
