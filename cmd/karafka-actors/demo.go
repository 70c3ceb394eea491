package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/spf13/cobra"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/events"
	orders "github.com/karafka-actors/karafka-actors/examples/orders/app"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topicsync"
	"github.com/karafka-actors/karafka-actors/topology"
)

type cobraCommand = cobra.Command

// demoInput is one sample message and how many things it causes: responses
// and dead letters, or a before-filter drop.
type demoInput struct {
	topic, key, value string
	note              string
	outputs           int
	filtered          bool
	// avro: value is JSON to send Avro-encoded with the orders example's
	// OrderSchema, through the schema registry.
	avro bool
}

var demoInputs = []demoInput{
	{topic: "repositories_created", value: `{"id":1}`, outputs: 1},
	{topic: "repositories_deleted", value: `{"id":2}`, outputs: 1},
	{topic: "repositories_updated", value: `{"id":3}`, outputs: 1},
	{topic: "sources_refresh", value: `{"id":4,"reachable":true}`, outputs: 1},
	{topic: "sources_refresh", value: `{"id":5,"reachable":false}`, outputs: 1},
	{topic: "users_create", key: "1", value: `{"id":1,"email":"ada@example.com","premium":true}`, note: "premium user", outputs: 2},
	{topic: "users_create", key: "2", value: `{"id":2,"email":"bob@example.com","premium":false}`, note: "regular user", outputs: 1},
	{topic: "users_create", key: "3", value: `{"id":3,"premium":true}`, note: "no email: the before-filter drops it", filtered: true},
	{topic: "users_create", key: "4", value: `{"id":4,"email":`, note: "malformed JSON: dead-lettered, the app keeps running", outputs: 1},
	{topic: "orders_placed", key: "7", value: `{"id":7,"total":40,"coupon":"WELCOME"}`, avro: true, note: "Avro through the schema registry; the coupon takes 10% off", outputs: 1},
	{topic: "orders_placed", key: "8", value: `{"id":8,"total":15.5}`, note: "JSON on an Avro topic: not in the wire format, dead-lettered", outputs: 1},
	{topic: "repositories_created", value: `{"id":6}`, note: "still running after the bad messages", outputs: 1},
}

func demoCmd() *cobra.Command {
	var listen, logLevel string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run both examples on the embedded broker and show inputs and responses",
		Long: `Start the embedded broker (a free loopback port by default) and an in-memory
schema registry next to it (a free port on the broker's host; the app's
schema_registry.urls), run the repositories, users and orders examples, produce
sample inputs for every example topic (a premium and a regular user, one without
email, one malformed JSON, an Avro order and a JSON one on the Avro topic), print
each input going in and
each response coming out, then shut down cleanly. Exits 0 when every expected
response arrived, 1 otherwise. Of the configuration it reads kafka.client only
(--set kafka.client=franz or KARAFKA_KAFKA_CLIENT); the rest is the demo's own.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, err := demoClient(cmd)
			if err != nil {
				return err
			}
			return runDemo(cmd.OutOrStdout(), cmd.ErrOrStderr(), listen, logLevel, wait, client)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "embedded broker address (port 0: a free one)")
	cmd.Flags().StringVar(&logLevel, "demo-log-level", "warn", "runtime log level on stderr (debug, info, warn, error)")
	cmd.Flags().DurationVar(&wait, "wait", 15*time.Second, "how long to wait for the responses of one input")
	return cmd
}

// demoClient is the kafka.client the demo runs on: the --set or
// KARAFKA_KAFKA_CLIENT value, checked as every command checks it; the
// demo's other settings are its own, so no other key is read.
func demoClient(cmd *cobra.Command) (string, error) {
	const key = "kafka.client"
	var src cli.Sources
	sets, _ := cmd.Flags().GetStringArray("set")
	for _, kv := range sets {
		if k, _, _ := strings.Cut(kv, "="); strings.TrimSpace(k) == key {
			src.Set = append(src.Set, kv)
		}
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "KARAFKA_KAFKA_CLIENT=") {
			src.Env = append(src.Env, kv)
		}
	}
	s, err := cli.Load("karafka_demo", src)
	if err != nil {
		return "", cli.Exit(cli.ExitUsage, err)
	}
	return s.Kafka.Client, nil
}

type output struct {
	topic, key, value string
	headers           []*sarama.RecordHeader
}

func runDemo(out, errOut io.Writer, listen, logLevel string, wait time.Duration, client string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return cli.Exit(cli.ExitUsage, fmt.Errorf("--demo-log-level %q (allowed: debug, info, warn, error)", logLevel))
	}
	logger := slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: level}))

	broker, err := embedded.Start(embedded.Addr(listen))
	if err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}
	defer broker.Close()
	// The registry listens where the broker does, on a port of its own.
	host, _, err := net.SplitHostPort(broker.Addrs()[0])
	if err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}
	registry, err := embedded.StartRegistry(net.JoinHostPort(host, "0"))
	if err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}
	defer registry.Close()

	cfg := karafka.DefaultConfig()
	cfg.Name = "karafka_demo"
	cfg.Kafka.Brokers = broker.Addrs()
	cfg.Kafka.ClientID = "karafka_demo"
	cfg.Kafka.Client = client
	cfg.SchemaRegistry.URLs = []string{registry.URL()}
	cfg.Retry = supervision.RetryPolicy{Attempts: 3, Backoff: supervision.Backoff{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, Multiplier: 2}}
	cfg.Consumer.CommitInterval = 100 * time.Millisecond
	cfg.ShutdownTimeout = 10 * time.Second
	app, err := karafka.New(cfg, karafka.WithLogger(logger))
	if err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}
	if err := register(app); err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}
	routes, err := app.Routes()
	if err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}
	topics, err := app.Topics()
	if err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := topicsync.EnsureTopics(ctx, cfg.Kafka, 1, topics...); err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}

	fmt.Fprintf(out, "karafka-actors demo: embedded broker on %s, schema registry on %s, %d routes, kafka client %s\n\n",
		strings.Join(broker.Addrs(), ","), strings.Join(app.Schemas().URLs(), ","), len(routes), client)
	fmt.Fprintln(out, "$ karafka-actors flow")
	_ = topology.WriteFlow(out, routes)
	fmt.Fprintln(out)

	// Watch every response and dead letter topic.
	inputs := map[string]bool{}
	for _, r := range routes {
		inputs[r.Topic] = true
	}
	order := outputOrder(routes)
	var watched []string
	for _, t := range topics {
		if !inputs[t] {
			watched = append(watched, t)
		}
	}
	outputs := make(chan output, 64)
	stopWatch, err := watch(cfg.Kafka, watched, outputs)
	if err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}
	defer stopWatch()
	filtered := make(chan events.Event, 16)
	defer app.Events().Subscribe(func(e events.Event) { filtered <- e }, events.MessageFiltered)()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	runErr := make(chan error, 1)
	go func() { runErr <- app.Run(ctx) }()
	select {
	case <-app.Ready():
	case err := <-runErr:
		return cli.Exit(cli.ExitFailure, fmt.Errorf("the app stopped at start: %v", err))
	case <-time.After(30 * time.Second):
		return cli.Exit(cli.ExitFailure, errors.New("the app was not ready in 30s"))
	}

	pcfg := producer.DefaultConfig()
	pcfg.Kafka = cfg.Kafka
	prod, err := producer.New(pcfg)
	if err != nil {
		return cli.Exit(cli.ExitFailure, err)
	}
	defer prod.Close()

	failures := 0
	answered := 0
	for _, in := range demoInputs {
		fmt.Fprintf(out, "-> %-22s %s%s\n", in.topic, keyText(in.key), in.value)
		if in.note != "" {
			fmt.Fprintf(out, "   (%s)\n", in.note)
		}
		value := []byte(in.value)
		if in.avro {
			if value, err = encodeOrder(ctx, app, in.value); err != nil {
				return cli.Exit(cli.ExitFailure, err)
			}
		}
		m := &producer.Message{Topic: in.topic, Value: value}
		if in.key != "" {
			m.Key = []byte(in.key)
		}
		if _, err := prod.Send(ctx, m); err != nil {
			return cli.Exit(cli.ExitFailure, err)
		}
		timeout := time.After(wait)
		// An input's responses arrive from one consumer per topic, in any
		// order: they are printed once all are in, in the order their
		// responder declares its topics.
		var got []output
		timedOut := false
	collect:
		for len(got) < in.outputs || in.filtered {
			select {
			case o := <-outputs:
				got = append(got, o)
			case e := <-filtered:
				fmt.Fprintf(out, "   x  dropped by the before-filter (%s partition %d offset %d): nothing produced\n", e.Topic, e.Partition, e.Offset)
				in.filtered = false
			case <-timeout:
				timedOut = true
				break collect
			case sig := <-sigs:
				fmt.Fprintf(out, "interrupted (%s)\n", sig)
				_ = app.Shutdown(context.Background())
				return cli.Exit(cli.ExitFailure, nil)
			}
		}
		printOutputs(out, readable(ctx, app, got), order)
		if timedOut {
			fmt.Fprintf(out, "   !! timeout: %d of %d expected message(s) after %v\n", len(got), in.outputs, wait)
			failures++
		}
		answered++
		fmt.Fprintln(out)
	}

	sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer scancel()
	if err := app.Shutdown(sctx); err != nil {
		return cli.Exit(cli.ExitFailure, fmt.Errorf("shutdown: %w", err))
	}
	if failures > 0 {
		return cli.Exit(cli.ExitFailure, fmt.Errorf("%d input(s) did not get their expected messages", failures))
	}
	fmt.Fprintf(out, "done: %d inputs, every expected response arrived; shut down cleanly\n", answered)
	return nil
}

// outputOrder ranks the output topics of routes: each route's responder
// topics in the order it declares them, then its dead letter topic.
func outputOrder(routes []topology.Resolved) map[string]int {
	order := map[string]int{}
	add := func(topic string) {
		if _, ok := order[topic]; !ok && topic != "" {
			order[topic] = len(order)
		}
	}
	for _, r := range routes {
		for _, t := range r.ResponderTopics {
			add(t.Name)
		}
		add(r.DeadLetter)
	}
	return order
}

// printOutputs prints outs in the order of their topics' ranks (topics
// without one last), records of one topic in the order they arrived.
func printOutputs(out io.Writer, outs []output, order map[string]int) {
	rank := func(o output) int {
		if r, ok := order[o.topic]; ok {
			return r
		}
		return len(order)
	}
	slices.SortStableFunc(outs, func(a, b output) int { return cmp.Compare(rank(a), rank(b)) })
	for _, o := range outs {
		fmt.Fprintf(out, "   <- %-22s %s%s\n", o.topic, keyText(o.key), o.value)
		for _, h := range o.headers {
			if strings.HasPrefix(string(h.Key), "karafka.") {
				fmt.Fprintf(out, "        %s: %s\n", h.Key, h.Value)
			}
		}
	}
}

func keyText(k string) string {
	if k == "" {
		return ""
	}
	return "key=" + k + " "
}

// watch prints nothing itself: it sends every record of topics to ch.
func watch(kc kafka.Config, topics []string, ch chan<- output) (func(), error) {
	sc, err := kc.Sarama()
	if err != nil {
		return nil, err
	}
	c, err := sarama.NewConsumer(kc.Brokers, sc)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, t := range topics {
		pc, err := c.ConsumePartition(t, 0, sarama.OffsetOldest)
		if err != nil {
			close(done)
			wg.Wait()
			c.Close()
			return nil, fmt.Errorf("watching %s: %w", t, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer pc.AsyncClose()
			for {
				select {
				case <-done:
					return
				case m, ok := <-pc.Messages():
					if !ok {
						return
					}
					select {
					case ch <- output{topic: m.Topic, key: string(m.Key), value: string(m.Value), headers: m.Headers}:
					case <-done:
						return
					}
				}
			}
		}()
	}
	return func() {
		close(done)
		wg.Wait()
		c.Close()
	}, nil
}

// encodeOrder encodes the JSON order doc with the orders example's schema,
// registered under orders_placed-value as a producer would.
func encodeOrder(ctx context.Context, app *karafka.App, doc string) ([]byte, error) {
	s, err := app.Schemas().Register(ctx, orders.OrdersPlaced+"-value", schemas.Avro, orders.OrderSchema)
	if err != nil {
		return nil, err
	}
	return s.EncodeJSON([]byte(doc))
}

// readable shows records in the registry's wire format as their JSON and
// schema, as `consume --schema` does.
func readable(ctx context.Context, app *karafka.App, outs []output) []output {
	for i, o := range outs {
		if len(o.value) < 5 || o.value[0] != 0 {
			continue
		}
		v, s, err := app.Schemas().Decode(ctx, []byte(o.value))
		if err != nil {
			continue
		}
		j, err := schemas.MarshalJSON(v)
		if err != nil {
			continue
		}
		outs[i].value = fmt.Sprintf("%s (%s, schema id %d)", j, s.Format, s.ID)
	}
	return outs
}
