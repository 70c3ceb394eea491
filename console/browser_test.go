package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/karafka-actors/karafka-actors/internal/browsertest"
)

// The fake API's fixture: three processes of the app orders (web-1 serves
// the console, web-3 is stale), four partitions, two errors, two findings,
// two topics (orders and its dead letter topic).
const (
	pageSelf      = "web-1-4242-1a2b"
	pageOther     = "web-2-5151-3c4d"
	pageStale     = "web-3-6161-5e6f"
	pageToken     = "s3cret"
	pageCSRF      = "csrf-7f3a9c"
	pageHostile   = `<img src=x onerror=alert(1)>`
	pageBinaryKey = "AAEC/w=="
	page401       = "authentication required: missing or wrong token"
)

// pageAction is an action request the fake received.
type pageAction struct {
	Name, Authorization, CSRF, Cookie string
	Body                              map[string]any
}

// pageFake serves the console's page under /console/ with a fake of every
// api/ endpoint of the console's HTTP API, and records what the page asks.
type pageFake struct {
	mu      sync.Mutex
	actions bool // api/session's actions
	acted   []pageAction
	queries map[string][]string // endpoint -> its query strings, in order
}

func newPageFake(actions bool) *pageFake {
	return &pageFake{actions: actions, queries: map[string][]string{}}
}

func (f *pageFake) saw(endpoint, query string) {
	f.mu.Lock()
	f.queries[endpoint] = append(f.queries[endpoint], query)
	f.mu.Unlock()
}

// queried returns whether endpoint was asked with a query containing each
// of parts.
func (f *pageFake) queried(endpoint string, parts ...string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
next:
	for _, q := range f.queries[endpoint] {
		for _, p := range parts {
			if !strings.Contains(q, p) {
				continue next
			}
		}
		return true
	}
	return false
}

func (f *pageFake) lastAction() (pageAction, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.acted) == 0 {
		return pageAction{}, 0
	}
	return f.acted[len(f.acted)-1], len(f.acted)
}

func pageJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type (
	pageObject = map[string]any
	pageList   = []any
)

func (f *pageFake) handler() http.Handler {
	api := http.NewServeMux()
	api.Handle("GET /", pageHandler())
	api.HandleFunc("GET /api/deployment", func(w http.ResponseWriter, _ *http.Request) {
		pageJSON(w, http.StatusOK, pageDeployment(time.Now().UTC()))
	})
	api.HandleFunc("GET /api/history", func(w http.ResponseWriter, r *http.Request) {
		f.saw("history", r.URL.RawQuery)
		pageJSON(w, http.StatusOK, pageHistory(time.Now().UTC(), r.URL.Query().Get("topic"), r.URL.Query().Get("group")))
	})
	api.HandleFunc("GET /api/errors", func(w http.ResponseWriter, _ *http.Request) {
		now := time.Now().UTC()
		pageJSON(w, http.StatusOK, pageList{
			pageObject{"process": pageStale, "time": now.Add(-20 * time.Second).Format(time.RFC3339), "topic": "orders",
				"partition": 2, "offset": 7, "key": "k7", "error": "controller: <script>boom</script>", "attempt": 3,
				"stage": "controller", "group": "orders_orders"},
			pageObject{"process": pageSelf, "time": now.Add(-90 * time.Second).Format(time.RFC3339), "topic": "orders",
				"partition": 0, "offset": 6, "key": nil, "error": "parser json: invalid character '<'", "attempt": 1,
				"stage": "parser", "group": "orders_orders"},
		})
	})
	api.HandleFunc("GET /api/health", func(w http.ResponseWriter, _ *http.Request) {
		// The warning comes first: the page shows the critical one first.
		pageJSON(w, http.StatusOK, pageList{
			pageObject{"kind": "lag_growing", "severity": "warning", "process": pageOther, "topic": "orders", "partition": 1,
				"message": "lag grew from 10 to 40 in the last 5 minutes"},
			pageObject{"kind": "stale_process", "severity": "critical", "process": pageStale, "topic": "", "partition": -1,
				"message": "no report for 45 s (interval 5 s): <b>gone?</b>"},
		})
	})
	api.HandleFunc("GET /api/topics", func(w http.ResponseWriter, _ *http.Request) {
		pageJSON(w, http.StatusOK, pageList{
			pageObject{"name": "orders", "route": true, "dead_letter": false, "parser": "json", "partitions": pageList{
				pageObject{"partition": 0, "start": 0, "end": 50},
				pageObject{"partition": 1, "start": 0, "end": 40},
				pageObject{"partition": 2, "start": 0, "end": 12},
			}},
			pageObject{"name": "orders_dlq", "route": false, "dead_letter": true, "parser": "", "partitions": pageList{
				pageObject{"partition": 0, "start": 0, "end": 3},
			}},
		})
	})
	api.HandleFunc("GET /api/records", func(w http.ResponseWriter, r *http.Request) {
		f.saw("records", r.URL.RawQuery)
		pageRecords(w, r)
	})
	api.HandleFunc("GET /api/session", func(w http.ResponseWriter, _ *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "karafka_csrf", Value: pageCSRF, Path: "/console/",
			HttpOnly: true, SameSite: http.SameSiteStrictMode})
		f.mu.Lock()
		on := f.actions
		f.mu.Unlock()
		pageJSON(w, http.StatusOK, pageObject{"actions": on, "authenticated": false, "csrf": pageCSRF})
	})
	api.HandleFunc("POST /api/actions/{name}", func(w http.ResponseWriter, r *http.Request) {
		a := pageAction{Name: r.PathValue("name"), Authorization: r.Header.Get("Authorization"),
			CSRF: r.Header.Get("X-CSRF-Token"), Cookie: r.Header.Get("Cookie")}
		if err := json.NewDecoder(r.Body).Decode(&a.Body); err != nil {
			pageJSON(w, http.StatusBadRequest, pageObject{"error": "bad body: " + err.Error()})
			return
		}
		f.mu.Lock()
		f.acted = append(f.acted, a)
		on := f.actions
		f.mu.Unlock()
		cookie, _ := r.Cookie("karafka_csrf")
		switch {
		case !on:
			pageJSON(w, http.StatusForbidden, pageObject{"error": "actions are off"})
		case a.Authorization != "Bearer "+pageToken:
			pageJSON(w, http.StatusUnauthorized, pageObject{"error": page401})
		case cookie == nil || a.CSRF != cookie.Value:
			pageJSON(w, http.StatusForbidden, pageObject{"error": "CSRF token mismatch"})
		default:
			pageJSON(w, http.StatusOK, pageObject{"ok": true,
				"message": a.Name + " " + a.Body["topic"].(string) + "/" + strconv.FormatFloat(a.Body["partition"].(float64), 'f', -1, 64) + ": done"})
		}
	})
	// Mounted at /console/, as in ops: the page's URLs must be relative.
	root := http.NewServeMux()
	root.Handle("/console/", http.StripPrefix("/console", api))
	return root
}

func pageDeployment(now time.Time) pageObject {
	ts := func(ago time.Duration) string { return now.Add(-ago).Format(time.RFC3339Nano) }
	route := func(topic, group, dlq string) pageObject {
		return pageObject{"topic": topic, "group": group, "dead_letter_topic": dlq, "dead_letters": 1,
			"processed": 100, "ok": 98, "filtered": 1, "failed": 3}
	}
	process := func(id, host string, pid int, status, client, guarantee, url string, seen time.Duration, ready bool, errors int) pageObject {
		return pageObject{"id": id, "app": "orders", "host": host, "pid": pid, "instance_id": "", "started": ts(time.Hour),
			"last_seen": ts(seen), "status": status, "client": client, "phase": "running", "ready": ready,
			"guarantee": guarantee, "console_url": url, "errors": errors,
			"routes":     pageList{route("orders", "orders_orders", "orders_dlq"), route("payments", "payments_payments", "")},
			"partitions": pageList{}}
	}
	part := func(topic string, p int, group, holder string, committed, hw, inFlight int, paused, opPaused bool, failed int, lastErr, stuck string) pageObject {
		return pageObject{"topic": topic, "partition": p, "group": group, "holder": holder, "lag": hw - committed,
			"committed": committed, "high_watermark": hw, "paused": paused, "operator_paused": opPaused, "in_flight": inFlight,
			"processed": committed, "failed": failed, "dead_letters": 0, "restarts": failed, "last_error": lastErr, "stuck": stuck}
	}
	return pageObject{
		"time": ts(0), "reports_topic": "karafka_actors_reports", "interval_ms": 5000, "apps": pageList{"orders"},
		"processes": pageList{
			process(pageSelf, "web-1", 4242, "running", "sarama", "at_least_once", "http://web-1:9100/console/", time.Second, true, 1),
			process(pageOther, "web-2", 5151, "running", "franz", "exactly_once", "http://web-2:9100/console/", 2*time.Second, true, 0),
			// A hostile console URL is no link.
			process(pageStale, "web-3", 6161, "stale", "franz", "at_least_once", "javascript:alert(1)", 45*time.Second, false, 1),
		},
		"partitions": pageList{
			part("orders", 0, "orders_orders", pageSelf, 10, 12, 1, false, false, 0, "", ""),
			part("orders", 1, "orders_orders", pageOther, 0, 40, 0, true, true, 0, "", ""),
			part("orders", 2, "orders_orders", pageStale, 7, 12, 1, false, false, 3,
				"controller: <b>boom</b>", "retrying offset 7 (attempt 3 of 3)"),
			part("payments", 0, "payments_payments", pageSelf, 500, 500, 0, false, false, 0, "", ""),
		},
		"self": pageSelf,
	}
}

// pageHistory is the last minute in 12 points of 5 s: 11 with data for all
// routes, 6 for one.
func pageHistory(now time.Time, topic, group string) pageObject {
	const n = 12
	end := now.Truncate(5 * time.Second).Unix()
	times := make(pageList, n)
	processed, failed, dead, lag := make(pageList, n), make(pageList, n), make(pageList, n), make(pageList, n)
	from := 1
	if topic != "" {
		from = n - 6
	}
	for i := range n {
		times[i] = end - int64(5*(n-1-i))
		if i < from {
			continue // null: no data
		}
		processed[i] = 40 + 3*i
		failed[i] = i % 3
		dead[i] = 0.2 * float64(i%2)
		lag[i] = 100 - 7*i
	}
	return pageObject{"topic": topic, "group": group, "step_ms": 5000, "time": times,
		"processed": processed, "failed": failed, "dead_letters": dead, "lag": lag}
}

// pageRecords serves api/records: orders' offset 5 has a binary key, 6 a
// hostile value that is not JSON, 7 a hostile header; orders_dlq's records
// are dead letters of orders. time=… reads from offset 10.
func pageRecords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	topic := q.Get("topic")
	partition, _ := strconv.Atoi(q.Get("partition"))
	ends := map[string]int64{"orders/0": 50, "orders/1": 40, "orders/2": 12, "orders_dlq/0": 3}
	end, ok := ends[topic+"/"+strconv.Itoa(partition)]
	if !ok {
		pageJSON(w, http.StatusNotFound, pageObject{"error": "unknown topic or partition " + topic + "/" + q.Get("partition")})
		return
	}
	limit := 20
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 {
		limit = min(l, 100)
	}
	offset := int64(10)
	if q.Get("time") == "" {
		o, err := strconv.ParseInt(q.Get("offset"), 10, 64)
		if err != nil {
			pageJSON(w, http.StatusBadRequest, pageObject{"error": "offset or time wanted"})
			return
		}
		offset = max(o, 0)
	}
	records := pageList{}
	o := offset
	for ; o < end && len(records) < limit; o++ {
		rec := pageObject{"offset": o, "time": time.Now().UTC().Add(-time.Duration(end-o) * time.Minute).Format(time.RFC3339),
			"key": "k" + strconv.FormatInt(o, 10), "key_base64": false, "headers": pageList{},
			"value": `{"id":` + strconv.FormatInt(o, 10) + `}`, "value_base64": false,
			"decoded": pageObject{"id": o}, "decode_error": "", "parser": "json"}
		switch {
		case topic == "orders_dlq":
			rec["parser"] = ""
			rec["decoded"] = nil
			rec["headers"] = pageList{
				pageObject{"key": "karafka.error", "value": "controller: boom"},
				pageObject{"key": "karafka.origin.topic", "value": "orders"},
				pageObject{"key": "karafka.origin.offset", "value": strconv.FormatInt(o+5, 10)},
				pageObject{"key": "trace-id", "value": "abc"},
			}
		case o == 5:
			rec["key"] = pageBinaryKey
			rec["key_base64"] = true
		case o == 6:
			rec["value"] = pageHostile
			rec["decoded"] = nil
			rec["decode_error"] = "invalid character '<' looking for beginning of value"
		case o == 7:
			rec["headers"] = pageList{pageObject{"key": "trace-id", "value": `<img src=x onerror="window.pwned=1">`}}
		}
		records = append(records, rec)
	}
	pageJSON(w, http.StatusOK, pageObject{"topic": topic, "partition": partition, "start": 0, "end": end, "next": o, "records": records})
}

// pageBrowser drives the page in a headless Chromium.
type pageBrowser struct {
	t   *testing.T
	ctx context.Context
}

func newPageBrowser(t *testing.T) *pageBrowser {
	return &pageBrowser{t: t, ctx: browsertest.New(t, 1280, 900)}
}

// wait polls the JavaScript expression until it is true.
func (b *pageBrowser) wait(what, expr string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.t.Fatalf("%s: %v (waited for %s)", what, err, expr)
	}
}

func (b *pageBrowser) eval(expr string) string {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	return got
}

func (b *pageBrowser) do(expr string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](expr)); err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
}

// check compares the string each expression evaluates to with its want.
func (b *pageBrowser) check(page string, checks [][3]string) {
	b.t.Helper()
	for _, c := range checks {
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](c[1]))
		if err != nil || got != c[2] {
			b.t.Errorf("%s: %s: %q, %v; want %q", page, c[0], got, err, c[2])
		}
	}
}

// screenshot keeps a PNG of the page (of the window only when !full) as the
// test's artifact (go test -artifacts). The screenshots of the docs come
// from the console of three real processes (cmd/karafka-actors,
// TestConsole_threeProcesses -update), not from this fixture.
func (b *pageBrowser) screenshot(name string, full bool) {
	b.t.Helper()
	take := chromedp.CaptureScreenshot()
	if full {
		take = chromedp.FullScreenshot(100)
	}
	shot, err := chromedp.Run(b.ctx, take)
	if err != nil {
		b.t.Fatal(err)
	}
	browsertest.SaveScreenshot(b.t, shot, "console-"+name+".png")
}

// text is the expression of the text of sel's first element (null when
// there is none).
func pageText(sel string) string {
	return "(document.querySelector(" + strconv.Quote(sel) + ")?.textContent ?? null)"
}

func pagePartition(topic string, partition int) string {
	return `tr.partition[data-topic="` + topic + `"][data-partition="` + strconv.Itoa(partition) + `"]`
}

// visible is the expression of whether sel's first element is shown.
func pageVisible(sel string) string {
	return "(((e) => !!e && e.checkVisibility({visibilityProperty: true}))(document.querySelector(" + strconv.Quote(sel) + ")))"
}

func (b *pageBrowser) open(srv *httptest.Server, hash string) *browsertest.Exceptions {
	b.t.Helper()
	exceptions := browsertest.WatchExceptions(b.ctx)
	if err := chromedp.Do(b.ctx, chromedp.Navigate(srv.URL+"/console/"+hash)); err != nil {
		b.t.Fatal(err)
	}
	// A script that ran from data would call alert; it says so instead.
	b.do(`window.alert = () => { window.pwned = true; }`)
	return exceptions
}

func (b *pageBrowser) show(hash string) {
	b.t.Helper()
	b.do("location.hash = " + strconv.Quote(hash))
}

func (b *pageBrowser) noExceptions(exceptions *browsertest.Exceptions) {
	b.t.Helper()
	for _, e := range exceptions.All() {
		b.t.Errorf("the page threw: %s", e)
	}
	if b.eval(`String(window.pwned === true)`) == "true" {
		b.t.Error("a script in the data ran")
	}
}

// TestConsolePage_showsEveryPage walks the five pages with actions off:
// each shows the fake API's fixture, data as text, and no action.
func TestConsolePage_showsEveryPage(t *testing.T) {
	b := newPageBrowser(t)
	fake := newPageFake(false)
	srv := httptest.NewServer(fake.handler())
	defer srv.Close()
	exceptions := b.open(srv, "")

	// Processes, the first page.
	b.wait("three processes", `document.querySelectorAll("tr.process").length === 3`)
	b.wait("four partitions", `document.querySelectorAll("tr.partition").length === 4`)
	b.wait("the session read", `document.body.dataset.session === "read" && document.getElementById("actions-state").textContent === "actions off"`)
	stale := `tr.process[data-process="` + pageStale + `"]`
	orders := func(p int, field string) string {
		return pageText(pagePartition("orders", p) + ` [data-field="` + field + `"]`)
	}
	b.check("processes", [][3]string{
		{"page shown", `String(!document.querySelector('section[data-page="processes"]').hidden)`, "true"},
		{"other pages hidden", `String(document.querySelectorAll("section[data-page]:not([hidden])").length)`, "1"},
		{"stale process marked", `String(document.querySelector('` + stale + `').classList.contains("status-stale"))`, "true"},
		{"one stale", `String(document.querySelectorAll("tr.process.status-stale").length)`, "1"},
		{"stale status", pageText(stale + ` [data-field="status"]`), "stale"},
		{"running status", pageText(`tr.process[data-process="` + pageOther + `"] [data-field="status"]`), "running"},
		{"host", pageText(stale + ` [data-field="host"]`), "web-3"},
		{"pid", pageText(stale + ` [data-field="pid"]`), "6161"},
		{"client", pageText(stale + ` [data-field="client"]`), "franz"},
		{"guarantee", pageText(`tr.process[data-process="` + pageOther + `"] [data-field="guarantee"]`), "exactly_once"},
		{"a stale process's phase is what it last said", pageText(stale + ` [data-field="phase"]`), "running (last said)"},
		{"a stale process's readiness is unknown", pageText(stale + ` [data-field="ready"]`), "–"},
		{"no link to a stale process's console", `String(document.querySelector('` + stale + ` [data-field="console"] a') === null)`, "true"},
		{"partitions held", pageText(`tr.process[data-process="` + pageSelf + `"] [data-field="holds"]`), "2"},
		{"last seen", `String(/^4[5-9] s ago$/.test(` + pageText(stale+` [data-field="last_seen"]`) + `))`, "true"},
		{"link to another console", `document.querySelector('tr.process[data-process="` + pageOther + `"] [data-field="console"] a')?.href ?? ""`,
			"http://web-2:9100/console/"},
		{"no javascript: link", `String(document.querySelectorAll('` + stale + ` a').length)`, "0"},
		{"this console", pageText(`tr.process[data-process="` + pageSelf + `"] [data-field="console"]`), "this console"},
		{"count", pageText("#count-processes"), "3, 1 stale"},
		{"self", pageText("#self"), "this process " + pageSelf},
		{"holder", orders(0, "holder"), pageSelf},
		{"held here", `String(document.querySelector('` + pagePartition("orders", 0) + `').classList.contains("self"))`, "true"},
		{"held elsewhere", `String(document.querySelector('` + pagePartition("orders", 1) + `').classList.contains("self"))`, "false"},
		{"lag", orders(0, "lag"), "2"},
		{"in flight", orders(0, "in_flight"), "1"},
		{"committed", orders(0, "committed"), "10"},
		{"operator paused", orders(1, "paused"), "by an operator"},
		{"not paused", orders(0, "paused"), "no"},
		{"stale holder marked", `String(document.querySelector('` + pagePartition("orders", 2) + ` [data-field="holder"]').classList.contains("status-stale"))`, "true"},
		{"failed", orders(2, "failed"), "3"},
		{"last error as text", orders(2, "last_error"), "controller: <b>boom</b>"},
		{"no markup from data", `String(document.querySelectorAll("main b, main script, main img").length)`, "0"},
		{"stuck", orders(2, "stuck"), "retrying offset 7 (attempt 3 of 3)"},
		{"no action shown", `String([...document.querySelectorAll("[data-action]")].some((b) => b.checkVisibility() || !b.disabled))`, "false"},
		{"no token field", `String(` + pageVisible("#token") + `)`, "false"},
		{"errors count", pageText("#count-errors"), "2"},
		{"findings count", pageText("#count-health"), "2"},
	})
	b.screenshot("processes", true)

	// History: a chart per series, drawn with the data of every route, then
	// of the route chosen.
	b.show("#history")
	for _, s := range []string{"processed", "failed", "dead_letters", "lag"} {
		chart := `.chart[data-series="` + s + `"]`
		b.wait("chart "+s, `document.querySelector('`+chart+` canvas') !== null && document.querySelector('`+chart+`').dataset.points === "11"`)
	}
	// Something is drawn: the canvas has pixels of the line's colour.
	b.wait("processed/s drawn", `(() => {
		const c = document.querySelector('.chart[data-series="processed"] canvas');
		const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
		return c.width > 100 && n > 200;
	})()`)
	b.check("history", [][3]string{
		{"page shown", `String(!document.querySelector('section[data-page="history"]').hidden)`, "true"},
		{"routes", `[...document.getElementById("route").options].map((o) => o.textContent).join(", ")`,
			"all routes, orders (group orders_orders), payments (group payments_payments)"},
		{"step", pageText("#history-step"), "one point every 5 s"},
		{"tab", `document.querySelector('nav a[aria-current="page"]').dataset.nav`, "history"},
	})
	b.screenshot("history", true)
	b.do(`(() => {
		const sel = document.getElementById("route");
		sel.value = JSON.stringify(["orders", "orders_orders"]);
		sel.dispatchEvent(new Event("change"));
	})()`)
	b.wait("the route's history", `document.querySelector('.chart[data-series="lag"]').dataset.points === "6"`)
	if !fake.queried("history", "topic=orders", "group=orders_orders") {
		t.Errorf("api/history was not asked for the route: %v", fake.queries["history"])
	}

	// Errors: each links to its record in the explorer.
	b.show("#errors")
	b.wait("two errors", `document.querySelectorAll("tr.error-row").length === 2`)
	first := `tr.error-row[data-topic="orders"][data-partition="2"][data-offset="7"]`
	b.check("errors", [][3]string{
		{"link", `document.querySelector('` + first + ` a.explore').getAttribute("href")`, "#explore?topic=orders&partition=2&offset=7"},
		{"record", pageText(first + ` [data-field="record"]`), "orders/2@7"},
		{"error as text", pageText(first + ` [data-field="error"]`), "controller: <script>boom</script>"},
		{"process", pageText(first + ` [data-field="process"]`), pageStale},
		{"attempt", pageText(first + ` [data-field="attempt"]`), "3"},
		{"stage", pageText(first + ` [data-field="stage"]`), "controller"},
		{"null key", pageText(`tr.error-row[data-offset="6"] [data-field="key"]`), "(null)"},
		{"newest first", `[...document.querySelectorAll("tr.error-row")].map((r) => r.dataset.offset).join(",")`, "7,6"},
		{"no markup from data", `String(document.querySelectorAll("main script, main b").length)`, "0"},
	})
	b.screenshot("errors", true)
	b.do(`document.querySelector('` + first + ` a.explore').click()`)
	b.wait("the explorer at the error's record", `!document.querySelector('section[data-page="explorer"]').hidden &&
		document.querySelector("#records .record")?.dataset.offset === "7" &&
		document.querySelector('.record[data-offset="7"]').classList.contains("target")`)
	b.check("explorer from an error", [][3]string{
		{"topic", `document.getElementById("x-topic").value`, "orders"},
		{"partition", `document.getElementById("x-partition").value`, "2"},
		{"offset", `document.getElementById("x-offset").value`, "7"},
		{"last record", `document.querySelector("#records .record:last-child").dataset.offset`, "11"},
	})

	// Explorer: keys, headers, values as text; pages of records.
	b.show("#explore?topic=orders&partition=0&offset=5")
	b.wait("orders/0 from offset 5", `document.getElementById("x-partition").value === "0" &&
		document.querySelector("#records .record")?.dataset.offset === "5"`)
	rec := func(o int, field string) string {
		return pageText(`.record[data-offset="` + strconv.Itoa(o) + `"] [data-field="` + field + `"]`)
	}
	b.check("explorer", [][3]string{
		{"topics", `[...document.querySelectorAll("#topics li")].map((l) => l.dataset.topic).join(",")`, "orders,orders_dlq"},
		{"records", `String(document.querySelectorAll(".record").length)`, "20"},
		{"binary key as base64", rec(5, "key"), pageBinaryKey},
		{"base64 marked", `document.querySelector('.record[data-offset="5"] .pill[title]')?.textContent ?? ""`, "base64"},
		{"hostile value as text", rec(6, "value"), pageHostile},
		{"no element from it", `String(document.querySelectorAll("#records img, #records script").length)`, "0"},
		{"decode error", rec(6, "decode_error"), "cannot decode: invalid character '<' looking for beginning of value"},
		{"header as text", pageText(`.record[data-offset="7"] .header[data-key="trace-id"] td`), `<img src=x onerror="window.pwned=1">`},
		{"decoded", rec(8, "decoded"), "{\n  \"id\": 8\n}"},
		{"value", rec(8, "value"), `{"id":8}`},
		{"key", rec(8, "key"), "k8"},
		{"range", pageText("#x-range"), "orders/0: offsets 5 to 24 of 0 to 49"},
		{"hash", `location.hash`, "#explore?topic=orders&partition=0&offset=5"},
		{"replay hidden", `String(` + pageVisible("#replay-form") + `)`, "false"},
	})
	b.screenshot("explorer", false) // a page of 20 records is long
	b.do(`document.getElementById("x-next").click()`)
	b.wait("the next page", `document.querySelector("#records .record")?.dataset.offset === "25"`)
	b.do(`document.getElementById("x-prev").click()`)
	b.wait("the previous page", `document.querySelector("#records .record")?.dataset.offset === "5"`)
	b.do(`(() => {
		document.getElementById("x-offset").value = "";
		document.getElementById("x-time").value = "2026-12-01T10:00:00";
		document.getElementById("explore-form").requestSubmit();
	})()`)
	b.wait("the records at a time", `document.querySelector("#records .record")?.dataset.offset === "10" &&
		document.getElementById("x-offset").value === "10"`)
	if !fake.queried("records", "offset=25", "limit=20") || !fake.queried("records", "time=2026-12-01T") {
		t.Errorf("api/records was not asked for the next page and a time: %v", fake.queries["records"])
	}
	b.show("#explore?topic=orders_dlq&partition=0&offset=0")
	b.wait("a dead letter", `document.querySelector("#records .record")?.dataset.offset === "0" &&
		document.getElementById("x-topic").value === "orders_dlq"`)
	b.check("dead letters", [][3]string{
		{"karafka headers highlighted", `[...document.querySelectorAll('.record[data-offset="0"] .header.karafka')].map((h) => h.dataset.key).join(",")`,
			"karafka.error,karafka.origin.topic,karafka.origin.offset"},
		{"others not", `String(document.querySelector('.record[data-offset="0"] .header[data-key="trace-id"]').classList.contains("karafka"))`, "false"},
		{"replay hidden with actions off", `String(` + pageVisible("#replay-form") + `)`, "false"},
	})

	// Health: the findings, critical first.
	b.show("#health")
	b.wait("two findings", `document.querySelectorAll(".finding").length === 2`)
	b.check("health", [][3]string{
		{"critical first", `[...document.querySelectorAll(".finding")].map((f) => f.dataset.kind).join(",")`, "stale_process,lag_growing"},
		{"severity", `document.querySelector('.finding[data-kind="stale_process"]').dataset.severity`, "critical"},
		{"message as text", pageText(`.finding[data-kind="stale_process"] [data-field="message"]`), "no report for 45 s (interval 5 s): <b>gone?</b>"},
		{"where", pageText(`.finding[data-kind="lag_growing"] [data-field="where"]`), "process " + pageOther + ", orders/1"},
	})
	b.screenshot("health", true)
	b.noExceptions(exceptions)
}

// TestConsolePage_actions: with actions on, this process's partitions have
// pause, resume and skip, the others a link to their console; an action
// sends the token and the CSRF token, and a refusal shows its reason.
func TestConsolePage_actions(t *testing.T) {
	b := newPageBrowser(t)
	fake := newPageFake(true)
	srv := httptest.NewServer(fake.handler())
	defer srv.Close()
	exceptions := b.open(srv, "#processes")

	mine := pagePartition("orders", 0)
	b.wait("actions on", `document.getElementById("actions-state").textContent === "actions on" && `+pageVisible("#token"))
	b.wait("the partitions", `document.querySelectorAll("tr.partition").length === 4`)
	b.check("actions", [][3]string{
		{"pause on this process's partition", `String(` + pageVisible(mine+` button[data-action="pause"]`) + ` && !document.querySelector('` + mine + ` button[data-action="pause"]').disabled)`, "true"},
		{"no resume while not paused", `String(` + pageVisible(mine+` button[data-action="resume"]`) + `)`, "false"},
		{"skip form folded", `String(` + pageVisible(mine+` details.skip-box summary`) + ` && !` + pageVisible(mine+` form.skip`) + `)`, "true"},
		{"no action on another's partition", `String([...document.querySelectorAll('` + pagePartition("orders", 1) + ` [data-action]')].some((b) => b.checkVisibility()))`, "false"},
		{"link to its console", `document.querySelector('` + pagePartition("orders", 1) + ` [data-field="actions"] a')?.href ?? ""`, "http://web-2:9100/console/"},
		{"no javascript: link", pageText(pagePartition("orders", 2) + ` [data-field="actions"] .elsewhere`), "its process has no console"},
	})

	// Without a token the server refuses, and the page says why.
	b.do(`document.querySelector('` + mine + ` button[data-action="pause"]').click()`)
	b.wait("the refusal shown", `document.getElementById("action-result").textContent.includes("`+page401+`")`)
	b.check("refused", [][3]string{
		{"outcome", pageText("#action-result"), "pause refused: HTTP 401: " + page401},
	})
	if a, _ := fake.lastAction(); a.Authorization != "" {
		t.Errorf("without a token, Authorization %q", a.Authorization)
	}

	// With the token: pause.
	b.do(`(() => {
		const t = document.getElementById("token");
		t.value = "` + pageToken + `";
		t.dispatchEvent(new Event("input"));
	})()`)
	b.do(`document.querySelector('` + mine + ` button[data-action="pause"]').click()`)
	b.wait("paused", `document.getElementById("action-result").textContent === "pause orders/0: done"`)
	a, n := fake.lastAction()
	if a.Name != "pause" || a.Authorization != "Bearer "+pageToken || a.CSRF != pageCSRF ||
		!strings.Contains(a.Cookie, "karafka_csrf="+pageCSRF) || a.Body["topic"] != "orders" || a.Body["partition"] != 0.0 || len(a.Body) != 2 {
		t.Errorf("pause sent %+v", a)
	}

	// Skip: the offset and the reason.
	b.do(`document.querySelector('` + mine + ` details.skip-box summary').click()`)
	b.wait("the skip form", pageVisible(mine+` form.skip`))
	b.screenshot("actions", true)
	b.do(`(() => {
		const f = document.querySelector('` + mine + ` form.skip');
		f.querySelector('input[name="offset"]').value = "7";
		f.querySelector('input[name="reason"]').value = "poison pill, see <ticket 42>";
		f.requestSubmit();
	})()`)
	b.wait("skipped", `document.getElementById("action-result").textContent === "skip orders/0: done"`)
	if a, m := fake.lastAction(); m != n+1 || a.Name != "skip" || a.Body["offset"] != 7.0 || a.Body["reason"] != "poison pill, see <ticket 42>" ||
		a.Authorization != "Bearer "+pageToken || a.CSRF != pageCSRF {
		t.Errorf("skip sent %+v", a)
	}

	// The token stays for the tab.
	if err := chromedp.Do(b.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	b.wait("the token kept", `document.getElementById("token").value === "`+pageToken+`" && sessionStorage.getItem("karafka-console-token") === "`+pageToken+`"`)

	// Replay, on a dead letter topic.
	b.show("#explore?topic=orders_dlq&partition=0&offset=0")
	b.wait("the replay form", pageVisible("#replay-form")+` && document.querySelector("#records .record")?.dataset.offset === "0"`)
	b.do(`(() => {
		document.getElementById("r-from").value = "0";
		document.getElementById("r-to").value = "3";
		document.getElementById("replay-form").requestSubmit();
	})()`)
	b.wait("replayed", `document.getElementById("action-result").textContent === "replay orders_dlq/0: done"`)
	if a, _ := fake.lastAction(); a.Name != "replay" || a.Body["topic"] != "orders_dlq" || a.Body["partition"] != 0.0 ||
		a.Body["from"] != 0.0 || a.Body["to"] != 3.0 || a.Authorization != "Bearer "+pageToken || a.CSRF != pageCSRF {
		t.Errorf("replay sent %+v", a)
	}
	// Not on a topic that is no dead letter topic.
	b.show("#explore?topic=orders&partition=0&offset=0")
	b.wait("no replay form on orders", `document.getElementById("x-topic").value === "orders" && !`+pageVisible("#replay-form"))
	b.noExceptions(exceptions)
}
