package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/karafka-actors/karafka-actors/internal/browsertest"
	"github.com/karafka-actors/karafka-actors/ops/web"
	"github.com/karafka-actors/karafka-actors/topology"
)

// fakeOps serves the page with an /api/topology and an /api/state of its
// own whose numbers grow at every poll; bumpRestart makes a partition's
// actor restart, down makes /api/state fail.
type fakeOps struct {
	mu       sync.Mutex
	polls    int64
	restarts int64
	down     bool
}

func (f *fakeOps) bumpRestart()   { f.mu.Lock(); f.restarts++; f.mu.Unlock() }
func (f *fakeOps) setDown(v bool) { f.mu.Lock(); f.down = v; f.mu.Unlock() }

var fakeGraph = func() topology.Graph {
	sup := topology.Supervisor{Strategy: "one_for_one", MaxRestarts: 10, Within: "1m0s"}
	retry := topology.Retry{Attempts: 3}
	responder := &topology.Responder{Name: "OrdersResponder", Topics: []topology.ResponderTopic{{Name: "orders_confirmed", Required: true}}}
	return topology.Graph{FormatVersion: topology.GraphFormatVersion, App: "shop", Supervisor: sup, Listeners: []topology.Listener{
		{Topic: "orders", Group: "shop_orders", Controller: "OrdersController", Parser: "json", StartFrom: "beginning",
			Partitions: topology.PartitionActor{Cardinality: "one per claimed partition", Supervisor: sup, Retry: retry,
				DeadLetter: "orders_dlq", Responder: responder}},
		{Topic: "payments", Group: "shop_payments", Controller: "PaymentsController", Parser: "json", StartFrom: "beginning",
			Batch:      &topology.Batch{MaxSize: 500},
			Partitions: topology.PartitionActor{Cardinality: "one per claimed partition", Supervisor: sup, Retry: retry}},
		{Topic: "clicks", Group: "shop_clicks", Controller: "ClicksController", Parser: "json", StartFrom: "end",
			Partitions: topology.PartitionActor{Cardinality: "one per claimed partition", Supervisor: sup, Retry: retry,
				Virtual: &topology.Virtual{Max: 4, Key: "record key"}}},
	}}
}()

func (f *fakeOps) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /", web.Handler())
	mux.HandleFunc("GET /api/topology", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = topology.WriteJSON(w, fakeGraph)
	})
	mux.HandleFunc("GET /api/state", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		f.polls++
		n, restarts, down := f.polls, f.restarts, f.down
		f.mu.Unlock()
		if down {
			http.Error(w, "down for the test", http.StatusServiceUnavailable)
			return
		}
		if n == 1 {
			// The page draws the tree from the topology before the first
			// state arrives; the test must wait for the state.
			time.Sleep(300 * time.Millisecond)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(fakeState(n, restarts))
	})
	return mux
}

type (
	jsonObject = map[string]any
	jsonList   = []any
)

// fakeState is an /api/state document (the ops package's field names) at
// poll n: orders' partition 0 commits 10 messages a poll and has restarted
// restarts times.
func fakeState(n, restarts int64) jsonObject {
	part := func(topic, group string, p int, committed, hw, inFlight, restarts int64, paused, assigned bool, lastErr string) jsonObject {
		return jsonObject{"topic": topic, "partition": p, "group": group, "committed": committed,
			"high_watermark": hw, "lag": hw - max(committed, 0), "in_flight": inFlight, "paused": paused,
			"processed": max(committed, 0), "failed": restarts, "dead_letters": 0, "restarts": restarts,
			"last_error": lastErr, "assigned": assigned}
	}
	lastErr := ""
	if restarts > 0 {
		lastErr = "orders: controller OrdersController: panic: boom #" + strconv.FormatInt(restarts, 10)
	}
	return jsonObject{
		"app": "shop", "client": "franz", "time": time.Now().UTC().Format(time.RFC3339Nano), "phase": "running", "alive": true, "ready": true,
		"routes": jsonList{
			jsonObject{"topic": "orders", "group": "shop_orders", "dead_letter_topic": "orders_dlq",
				"dead_letters": n / 5, "processed": 10*n + 40, "ok": 10*n + 37 - n/5, "filtered": 3, "failed": restarts},
			jsonObject{"topic": "payments", "group": "shop_payments", "dead_letter_topic": "",
				"dead_letters": 0, "processed": 500 * n, "ok": 500 * n, "filtered": 0, "failed": 0},
			jsonObject{"topic": "clicks", "group": "shop_clicks", "dead_letter_topic": "clicks_dlq",
				"dead_letters": 0, "processed": 0, "ok": 0, "filtered": 0, "failed": 0},
		},
		"groups": jsonList{
			jsonObject{"group": "shop_orders", "topics": jsonList{"orders"}, "connected": true, "joined": true},
			jsonObject{"group": "shop_payments", "topics": jsonList{"payments"}, "connected": true, "joined": true},
			jsonObject{"group": "shop_clicks", "topics": jsonList{"clicks"}, "connected": true, "joined": false},
		},
		"partitions": jsonList{
			part("clicks", "shop_clicks", 0, -1, 0, 0, 0, false, true, ""),
			part("orders", "shop_orders", 0, 10*n, 10*n+7, 7, restarts, false, true, lastErr),
			part("orders", "shop_orders", 1, 40, 40, 0, 0, false, true, ""),
			part("orders", "shop_orders", 2, 12, 15, 0, 0, false, false, ""),
			part("payments", "shop_payments", 0, 500*n, 500*n+1000, 1000, 0, true, true, ""),
		},
	}
}

// field is the JavaScript expression for the text of a field of a
// partition (partition >= 0) or of a route (partition < 0).
func field(topic string, partition int, name string) string {
	sel := `li.listener[data-topic="` + topic + `"] > .stats [data-field="` + name + `"]`
	if partition >= 0 {
		sel = `li.partition[data-topic="` + topic + `"][data-partition="` + strconv.Itoa(partition) + `"] > .stats [data-field="` + name + `"]`
	}
	return `(document.querySelector('` + sel + `')?.textContent ?? null)`
}

func TestPage_showsTheTreeAndFollowsTheState(t *testing.T) {
	ctx := browsertest.New(t, 1280, 1000)
	exceptions := browsertest.WatchExceptions(ctx)
	fake := &fakeOps{}
	srv := httptest.NewServer(fake.handler())
	defer srv.Close()

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}

	// Every route's listener shows its topic, with the actors the topology
	// says it has.
	for _, l := range fakeGraph.Listeners {
		got, err := chromedp.Run(ctx, chromedp.Poll[string](
			`document.querySelector('li.listener[data-topic="`+l.Topic+`"] .topic')?.textContent`,
			chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil || got != l.Topic {
			t.Fatalf("listener of %s: topic %q, %v", l.Topic, got, err)
		}
	}
	// Then the first state: a partition actor per partition in it.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("li.partition").length === 5`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the partitions of the first state are not shown: %v", err)
	}
	checks := []struct{ name, expr, want string }{
		{"app name", `document.getElementById("app-name").textContent`, "shop"},
		{"kafka client", `document.getElementById("client").textContent`, "kafka client franz"},
		{"batch controller", `document.querySelector('li.listener[data-topic="payments"] [data-field="controller"]').textContent`,
			"batch controller PaymentsController (batch of ≤500)"},
		{"responder under each partition of orders", `String(document.querySelectorAll('li.partition[data-topic="orders"] .responder').length)`, "3"},
		{"virtual actors", `document.querySelector('li.partition[data-topic="clicks"] .virtual').textContent`, "virtual actors ×4, by record key"},
		{"partitions in order", `[...document.querySelectorAll('li.partition[data-topic="orders"]')].map(e => e.dataset.partition).join(",")`, "0,1,2"},
		{"dead letters", `document.querySelector('li.listener[data-topic="orders"] > .stats [data-field="dead_letters"]').previousSibling.textContent`, "dead letters → orders_dlq"},
		{"dead letters off", field("payments", -1, "dead_letters"), "off"},
		{"nothing committed yet", field("clicks", 0, "committed"), "none"},
		{"paused", field("payments", 0, "paused"), "yes"},
		{"lag", field("payments", 0, "lag"), "1000"},
		{"in flight", field("orders", 0, "in_flight"), "7"},
		{"partition not held", `document.querySelector('li.partition[data-topic="orders"][data-partition="2"]').dataset.assigned`, "false"},
		{"group joining", `document.querySelector('li.listener[data-topic="clicks"] [data-field="group_state"]').textContent`, "joining"},
		{"no error yet", `document.querySelector('li.partition[data-topic="orders"][data-partition="0"] [data-field="last_error"]').hidden ? "hidden" : "shown"`, "hidden"},
		{"no bump yet", `document.querySelector('li.partition[data-topic="orders"][data-partition="0"]').dataset.bumps`, "0"},
	}
	for _, c := range checks {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](c.expr))
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}

	// The numbers move without a reload: orders' partition 0 commits ten
	// more messages a poll.
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](field("orders", 0, "committed")))
	if err != nil {
		t.Fatal(err)
	}
	firstN, err := strconv.Atoi(first)
	if err != nil {
		t.Fatalf("committed offset %q: %v", first, err)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`)); err != nil {
		t.Fatal(err)
	}
	later, err := chromedp.Run(ctx, chromedp.Poll[string](
		field("orders", 0, "committed")+` !== "`+first+`" && `+field("orders", 0, "committed"),
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Fatalf("orders[0] committed stayed at %s: %v", first, err)
	}
	if laterN, err := strconv.Atoi(later); err != nil || laterN <= firstN {
		t.Fatalf("orders[0] committed went from %s to %q", first, later)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.sameDocument === true`)); err != nil || !same {
		t.Fatalf("the page reloaded (%v)", err)
	}

	// A restart bumps the count visibly, and the last error shows.
	fake.bumpRestart()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`document.querySelector('li.partition[data-topic="orders"][data-partition="0"]').dataset.bumped === "true" &&
		 document.querySelector('li.partition[data-topic="orders"][data-partition="0"] [data-field="restarts"]').classList.contains("bump")`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no restart bump shown: %v", err)
	}
	bumpChecks := []struct{ name, expr, want string }{
		{"restarts", field("orders", 0, "restarts"), "1"},
		{"bumps", `document.querySelector('li.partition[data-topic="orders"][data-partition="0"]').dataset.bumps`, "1"},
		{"last error", `document.querySelector('li.partition[data-topic="orders"][data-partition="0"] [data-field="last_error"]').textContent`,
			"last error: orders: controller OrdersController: panic: boom #1"},
		{"other partitions not bumped", `String(document.querySelectorAll('li.partition[data-bumped]').length)`, "1"},
	}
	for _, c := range bumpChecks {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](c.expr))
		if err != nil || got != c.want {
			t.Errorf("after a restart, %s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	browsertest.SaveScreenshot(t, shot, "web-view-fake.png")

	// When the state cannot be read the page says so, and recovers.
	fake.setDown(true)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("error").hidden`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no error shown while /api/state fails: %v", err)
	}
	fake.setDown(false)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("error").hidden`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the error stayed after /api/state recovered: %v", err)
	}

	for _, e := range exceptions.All() {
		t.Errorf("the page threw: %s", e)
	}
}

// The page comes with its first state (web.NewHandler) and shows it as it
// loads: a screenshot taken at load shows the App, not "connecting…" and
// dashes, even while api/ does not answer yet. The three outcomes of a
// message show apart.
func TestPage_showsTheFirstStateAtLoad(t *testing.T) {
	ctx := browsertest.New(t, 1280, 1000)
	exceptions := browsertest.WatchExceptions(ctx)
	release := make(chan struct{})
	var graph bytes.Buffer
	if err := topology.WriteJSON(&graph, fakeGraph); err != nil {
		t.Fatal(err)
	}
	state, err := json.Marshal(fakeState(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", web.NewHandler(func() ([]byte, []byte) { return graph.Bytes(), state }))
	// api/ answers only once the test has looked: what the page shows at
	// load comes from the page itself.
	hold := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.Error(w, "the test is over", http.StatusServiceUnavailable)
	}
	mux.HandleFunc("GET /api/topology", hold)
	mux.HandleFunc("GET /api/state", hold)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)

	// Navigate returns at the load event.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	browsertest.SaveScreenshot(t, shot, "web-view-at-load.png")
	checks := []struct{ name, expr, want string }{
		{"phase", `document.getElementById("phase").textContent`, "running"},
		{"ready", `document.getElementById("ready").textContent`, "ready"},
		{"app name", `document.getElementById("app-name").textContent`, "shop"},
		{"kafka client", `document.getElementById("client").textContent`, "kafka client franz"},
		{"shown", `document.documentElement.classList.contains("loading") ? "hidden" : "shown"`, "shown"},
		{"listeners", `String(document.querySelectorAll("li.listener").length)`, "3"},
		{"partitions", `String(document.querySelectorAll("li.partition").length)`, "5"},
		{"batch controller", `document.querySelector('li.listener[data-topic="payments"] [data-field="controller"]')?.textContent`,
			"batch controller PaymentsController (batch of ≤500)"},
		{"ok", field("orders", -1, "ok"), "47"},
		{"filtered", field("orders", -1, "filtered"), "3"},
		{"dead letters", field("orders", -1, "dead_letters"), "0"},
		{"finished", field("orders", -1, "processed"), "50"},
		{"committed", field("orders", 0, "committed"), "10"},
		{"no dashes", `String([...document.querySelectorAll("[data-field]")].filter(e => e.textContent === "–").length)`, "0"},
	}
	for _, c := range checks {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](c.expr))
		if err != nil || got != c.want {
			t.Errorf("at load, %s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	for _, e := range exceptions.All() {
		t.Errorf("the page threw: %s", e)
	}
}
