package ops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/ops"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// opsApp is an App with one route on a test broker, its Handler served by
// an httptest server, and a gate its controller waits on for "hold" messages.
type opsApp struct {
	app          *karafka.App
	srv          *httptest.Server
	brokers      []string
	in, out, dlq string
	gate         chan struct{}
	runErr       chan error
}

func newOpsApp(t *testing.T, configure ...func(*karafka.Config)) *opsApp {
	t.Helper()
	a := &opsApp{brokers: testkafka.Brokers(t), in: testkafka.Name(t, "in"), out: testkafka.Name(t, "out"),
		gate: make(chan struct{}), runErr: make(chan error, 1)}
	a.dlq = a.in + "_dlq"
	testkafka.CreateTopics(t, a.brokers, 1, a.in, a.out, a.dlq)
	cfg := karafka.DefaultConfig()
	cfg.Name = testkafka.Name(t, "ops")
	cfg.Kafka.Brokers = a.brokers
	cfg.Kafka.Client = testkafka.Client()
	cfg.Consumer.CommitInterval = 100 * time.Millisecond
	cfg.Consumer.ReconnectBackoff = supervision.Backoff{Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond, Multiplier: 2}
	cfg.Retry = supervision.RetryPolicy{Attempts: 3, Backoff: supervision.Backoff{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Multiplier: 2}}
	cfg.Supervision.MaxRestarts = 1000
	for _, f := range configure {
		f(&cfg)
	}
	app, err := karafka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := a.out
	app.Route(topology.Route{
		Topic: a.in,
		Controller: func() controllers.Controller {
			return controllers.Func(func(c *controllers.Context) error {
				switch v := string(c.Params.Raw()); v {
				case `"bad"`:
					return errors.New("bad input")
				case `"hold"`:
					<-a.gate
				}
				c.RespondWith(string(c.Params.Raw()))
				return nil
			})
		},
		Responder: func() responders.Responder {
			return responders.Func([]responders.Topic{responders.Required(out)}, func(o *responders.Output, args ...any) error {
				o.RespondTo(out, args[0])
				return nil
			})
		},
		BeforeFilters: []controllers.BeforeFilter{func(p *params.Params) bool { return string(p.Raw()) != `"skip"` }},
	})
	a.app = app
	h := ops.New(app)
	t.Cleanup(h.Close)
	a.srv = httptest.NewServer(h)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *opsApp) run(t *testing.T) {
	t.Helper()
	go func() { a.runErr <- a.app.Run(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = a.app.Shutdown(ctx)
	})
}

func (a *opsApp) produce(t *testing.T, values ...string) {
	t.Helper()
	recs := make([]testkafka.Record, len(values))
	for i, v := range values {
		recs[i] = testkafka.Record{Value: `"` + v + `"`}
	}
	testkafka.Produce(t, a.brokers, a.in, recs...)
}

func (a *opsApp) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(a.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (a *opsApp) state(t *testing.T) ops.State {
	t.Helper()
	code, body := a.get(t, "/api/state")
	var st ops.State
	if err := json.Unmarshal([]byte(body), &st); code != 200 || err != nil {
		t.Fatalf("/api/state: %d %v\n%s", code, err, body)
	}
	return st
}

// waitState polls /api/state until ok accepts it.
func (a *opsApp) waitState(t *testing.T, what string, ok func(ops.State) bool) ops.State {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := a.state(t)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			js, _ := json.MarshalIndent(st, "", "  ")
			t.Fatalf("timed out waiting for %s; state:\n%s", what, js)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (a *opsApp) waitStatus(t *testing.T, path string, code int) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, body := a.get(t, path)
		if got == code {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d %q, want %d", path, got, body, code)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// scrape returns the value of each series of /metrics, keyed by name and
// labels ("name{a=\"x\",b=\"y\"}" with labels sorted, the way Prometheus
// writes them), histograms by their _count.
func (a *opsApp) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	code, body := a.get(t, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v", err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.Metric {
			k := name + labels(m.Label)
			switch {
			case m.Counter != nil:
				out[k] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[k] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[name+"_count"+labels(m.Label)] = float64(m.Histogram.GetSampleCount())
			case m.Untyped != nil:
				out[k] = m.Untyped.GetValue()
			}
		}
	}
	return out
}

func labels(ls []*dto.LabelPair) string {
	if len(ls) == 0 {
		return ""
	}
	var parts []string
	for _, l := range ls {
		parts = append(parts, l.GetName()+`="`+l.GetValue()+`"`)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestHandler_metricsMoveWithMessages produces messages through an App and
// checks that the counters, the lag and the state follow them.
func TestHandler_metricsMoveWithMessages(t *testing.T) {
	a := newOpsApp(t)
	a.run(t)
	a.waitStatus(t, "/readyz", 200)
	group := a.app.Config().Name + "_" + a.in

	// A held message keeps the partition's offset where it is: the lag is
	// what was produced.
	a.produce(t, "hold", "a", "b", "c")
	st := a.waitState(t, "lag 4", func(s ops.State) bool {
		return len(s.Partitions) == 1 && s.Partitions[0].HighWatermark == 4 && s.Partitions[0].Lag == 4
	})
	if p := st.Partitions[0]; !p.Assigned || p.InFlight != 4 || p.Group != group {
		t.Errorf("partition while held: %+v, want assigned, 4 in flight, group %s", p, group)
	}
	pl := `{group="` + group + `",partition="0",topic="` + a.in + `"}`
	if m := a.scrape(t); m["karafka_consumer_lag"+pl] != 4 || m["karafka_partition_in_flight_messages"+pl] != 4 {
		t.Errorf("lag %v, in flight %v; want 4 and 4", m["karafka_consumer_lag"+pl], m["karafka_partition_in_flight_messages"+pl])
	}
	close(a.gate)
	a.produce(t, "skip", "bad")
	st = a.waitState(t, "6 processed and committed", func(s ops.State) bool {
		return len(s.Routes) == 1 && s.Routes[0].Processed == 6 && s.Partitions[0].Committed == 6
	})
	r, p := st.Routes[0], st.Partitions[0]
	if r.DeadLetters != 1 || r.Failed != 3 || r.DeadLetterTopic != a.dlq || r.Group != group {
		t.Errorf("route %+v, want 1 dead letter to %s, 3 failed tries", r, a.dlq)
	}
	if p.Lag != 0 || p.InFlight != 0 || p.HighWatermark != 6 || !strings.Contains(p.LastError, "bad input") || p.Restarts < 2 {
		t.Errorf("partition %+v, want lag 0, nothing in flight, last error bad input, 2 restarts", p)
	}

	m := a.scrape(t)
	ol := func(outcome string) string {
		return `{group="` + group + `",outcome="` + outcome + `",partition="0",topic="` + a.in + `"}`
	}
	want := map[string]float64{
		"karafka_messages_consumed_total" + pl:                                                               6,
		"karafka_messages_processed_total" + ol("ok"):                                                        4,
		"karafka_messages_processed_total" + ol("filtered"):                                                  1,
		"karafka_messages_processed_total" + ol("dead_lettered"):                                             1,
		"karafka_messages_processed_total" + ol("failed"):                                                    3,
		"karafka_messages_processed_total" + ol("retried"):                                                   2,
		`karafka_processing_duration_seconds_count{group="` + group + `",topic="` + a.in + `"}`:              4,
		`karafka_responses_produced_total{group="` + group + `",route="` + a.in + `",topic="` + a.out + `"}`: 4,
		`karafka_dead_letters_total{group="` + group + `",route="` + a.in + `",topic="` + a.dlq + `"}`:       1,
		`karafka_partitions_assigned{group="` + group + `",topic="` + a.in + `"}`:                            1,
		"karafka_consumer_lag" + pl:                                                                          0,
		"karafka_committed_offset" + pl:                                                                      6,
		"karafka_high_watermark_offset" + pl:                                                                 6,
		"karafka_ready":                                                                                      1,
		`karafka_actor_restarts_total{kind="partition"}`:                                                     2,
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	for _, k := range []string{`karafka_offset_commits_total{group="` + group + `"}`, `karafka_rebalances_total{group="` + group + `"}`, "go_goroutines"} {
		if m[k] < 1 {
			t.Errorf("%s = %v, want at least 1", k, m[k])
		}
	}

	code, body := a.get(t, "/api/topology")
	if code != 200 || !strings.Contains(body, `"format_version": 1`) || !strings.Contains(body, a.in) {
		t.Errorf("/api/topology: %d\n%s", code, body)
	}
}

// TestHandler_readinessFollowsTheLifeCycle: 503 before Run, 200 once every
// group joined, 503 from the moment shutdown starts while /healthz stays 200
// during the drain, and /healthz 503 once Run returned.
func TestHandler_readinessFollowsTheLifeCycle(t *testing.T) {
	a := newOpsApp(t)
	if code, body := a.get(t, "/readyz"); code != 503 || !strings.Contains(body, "new") {
		t.Errorf("/readyz before Run: %d %q, want 503 new", code, body)
	}
	if code, _ := a.get(t, "/healthz"); code != 200 {
		t.Errorf("/healthz before Run: %d, want 200", code)
	}
	a.run(t)
	a.waitStatus(t, "/readyz", 200)

	a.produce(t, "hold")
	a.waitState(t, "held message in flight", func(s ops.State) bool { return len(s.Partitions) == 1 && s.Partitions[0].InFlight == 1 })
	shut := make(chan error, 1)
	go func() { shut <- a.app.Shutdown(context.Background()) }()
	if body := a.waitStatus(t, "/readyz", 503); !strings.Contains(body, "stopping") {
		t.Errorf("/readyz while draining says %q, want stopping", body)
	}
	if code, body := a.get(t, "/healthz"); code != 200 {
		t.Errorf("/healthz while draining: %d %q, want 200", code, body)
	}
	if st := a.state(t); st.Ready || st.Phase != "stopping" {
		t.Errorf("state while draining: ready %v phase %s", st.Ready, st.Phase)
	}
	close(a.gate)
	if err := <-shut; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if code, body := a.get(t, "/healthz"); code != 503 {
		t.Errorf("/healthz after Run returned: %d %q, want 503", code, body)
	}
	if code, _ := a.get(t, "/readyz"); code != 503 {
		t.Errorf("/readyz after Run returned: %d, want 503", code)
	}
}

// TestHandler_exactlyOnceOffsetsFollowTransactions: with exactly-once
// processing the group's offsets move with each committed transaction, and
// /api/state, karafka_committed_offset and karafka_consumer_lag follow
// them (they stayed at their values from assignment).
func TestHandler_exactlyOnceOffsetsFollowTransactions(t *testing.T) {
	t.Parallel()
	a := newOpsApp(t, func(c *karafka.Config) {
		c.Processing.Guarantee = topology.ExactlyOnce
		c.Transaction.Interval = 100 * time.Millisecond
	})
	a.run(t)
	a.waitStatus(t, "/readyz", 200)
	a.produce(t, "a", "b", "c")
	a.waitState(t, "3 processed, committed at 3, lag 0", func(s ops.State) bool {
		return len(s.Partitions) == 1 && s.Partitions[0].Processed == 3 && s.Partitions[0].HighWatermark >= 3 &&
			s.Partitions[0].Committed == s.Partitions[0].HighWatermark && s.Partitions[0].Lag == 0
	})
	a.produce(t, "d")
	st := a.waitState(t, "4 processed, lag 0", func(s ops.State) bool {
		return len(s.Partitions) == 1 && s.Partitions[0].Processed == 4 && s.Partitions[0].Lag == 0 &&
			s.Partitions[0].Committed > 3
	})
	group := a.app.Config().Name + "_" + a.in
	pl := `{group="` + group + `",partition="0",topic="` + a.in + `"}`
	m := a.scrape(t)
	if got := m["karafka_committed_offset"+pl]; got < float64(st.Partitions[0].Committed) {
		t.Errorf("karafka_committed_offset = %v, want at least %d", got, st.Partitions[0].Committed)
	}
	if got, ok := m["karafka_consumer_lag"+pl]; !ok || got != 0 {
		t.Errorf("karafka_consumer_lag = %v (present %v), want 0", got, ok)
	}
}

// TestHandler_missingTopicsNamed: a route whose topic does not exist keeps
// its group from joining. The log, /readyz and /api/state name the topic
// and say how to create it; once it exists, the group joins and the app is
// ready.
func TestHandler_missingTopicsNamed(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	in := testkafka.Name(t, "missing")
	cfg := karafka.DefaultConfig()
	cfg.Name = testkafka.Name(t, "ops")
	cfg.Kafka.Brokers = brokers
	cfg.Consumer.ReconnectBackoff = supervision.Backoff{Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond, Multiplier: 2}
	var logs lockedBuffer
	app, err := karafka.New(cfg, karafka.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), karafka.WithRoutes(topology.Route{
		Topic: in, Controller: func() controllers.Controller {
			return controllers.Func(func(*controllers.Context) error { return nil })
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	h := ops.New(app)
	t.Cleanup(h.Close)
	a := &opsApp{app: app, srv: httptest.NewServer(h), brokers: brokers, in: in, runErr: make(chan error, 1)}
	t.Cleanup(a.srv.Close)
	a.run(t)

	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := a.get(t, "/readyz")
		if code == 503 && strings.Contains(body, "topic "+in+" does not exist") {
			if !strings.Contains(body, "topics create") || !strings.Contains(body, "kafka.create_topics") {
				t.Errorf("/readyz %q does not say how to create the topic", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz: %d %q, want 503 naming the missing topic %s", code, body, in)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := a.state(t); len(st.Groups) != 1 || len(st.Groups[0].MissingTopics) != 1 || st.Groups[0].MissingTopics[0] != in {
		t.Errorf("/api/state groups %+v, want missing_topics [%s]", st.Groups, in)
	}
	if text := logs.String(); !strings.Contains(text, "topic "+in+" does not exist") || !strings.Contains(text, "topics create") ||
		!strings.Contains(text, "kafka.create_topics") {
		t.Errorf("the log does not name the missing topic and how to create it:\n%s", text)
	}

	testkafka.CreateTopics(t, brokers, 1, in)
	a.waitStatus(t, "/readyz", 200)
	if st := a.state(t); len(st.Groups) != 1 || len(st.Groups[0].MissingTopics) != 0 {
		t.Errorf("/api/state groups %+v once the topic exists, want no missing topics", st.Groups)
	}
}

// TestHandler_deletedTopicNamed: a route's topic deleted while its group
// consumes it ends the session, and /readyz and /api/state name it as
// missing (they said ready while the fetches failed).
func TestHandler_deletedTopicNamed(t *testing.T) {
	t.Parallel()
	a := newOpsApp(t)
	a.run(t)
	a.waitStatus(t, "/readyz", 200)
	a.produce(t, "a")
	a.waitState(t, "1 processed", func(s ops.State) bool { return len(s.Routes) == 1 && s.Routes[0].Processed == 1 })
	sc, err := testkafka.Config(a.brokers).Sarama()
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sarama.NewClusterAdmin(a.brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.DeleteTopic(a.in); err != nil {
		t.Fatalf("delete %s: %v", a.in, err)
	}
	a.waitState(t, "the deleted topic named missing", func(s ops.State) bool {
		return len(s.Groups) == 1 && len(s.Groups[0].MissingTopics) == 1 && s.Groups[0].MissingTopics[0] == a.in
	})
	if code, body := a.get(t, "/readyz"); code != 503 || !strings.Contains(body, "topic "+a.in+" does not exist") {
		t.Errorf("/readyz: %d %q, want 503 naming the deleted topic", code, body)
	}
}

// lockedBuffer is a bytes.Buffer the app's goroutines may write at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
