package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/ops"
)

// fakeActions records the actions it is asked to take.
type fakeActions struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeActions) record(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
	return f.err
}

func (f *fakeActions) PausePartition(topic string, p int32) error {
	return f.record(fmt.Sprintf("pause %s/%d", topic, p))
}

func (f *fakeActions) ResumePartition(topic string, p int32) error {
	return f.record(fmt.Sprintf("resume %s/%d", topic, p))
}

func (f *fakeActions) SkipRecord(topic string, p int32, off int64, reason string) error {
	return f.record(fmt.Sprintf("skip %s/%d@%d %s", topic, p, off, reason))
}

const testToken = "0123456789abcdef-token"

func testHandler(t *testing.T, cfg Config, acts Actions) (*httptest.Server, *Collector) {
	t.Helper()
	c := NewCollector(nil)
	c.Add(report("other", time.Now(), 0, 0))
	c.procs["other"].last.Process.ConsoleURL = "http://127.0.0.1:9101/console/"
	srv := httptest.NewServer(http.StripPrefix("/console", NewHandler(HandlerConfig{Config: cfg, Collector: c, Self: "me", Actions: acts, Path: "/console/"})))
	t.Cleanup(srv.Close)
	return srv, c
}

// sessionOf gets a CSRF token and its cookie.
func sessionOf(t *testing.T, srv *httptest.Server) (string, *http.Cookie) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/console/api/session")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc sessionDoc
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.Name == csrfCookie {
			if c.Value != doc.CSRF || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console/" {
				t.Fatalf("cookie %+v, session %+v", c, doc)
			}
			return doc.CSRF, c
		}
	}
	t.Fatal("no CSRF cookie")
	return "", nil
}

func post(t *testing.T, srv *httptest.Server, action, body, bearer, csrf string, cookie *http.Cookie) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/console/api/actions/"+action, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if csrf != "" {
		req.Header.Set(csrfHeader, csrf)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	if e, ok := doc["error"].(string); ok {
		return resp.StatusCode, e
	}
	m, _ := doc["message"].(string)
	return resp.StatusCode, m
}

// An action is taken only when actions are on, with the token and the
// CSRF token echoed; each refusal says why.
func TestHandler_actionsNeedTokenAndCSRF(t *testing.T) {
	acts := &fakeActions{}
	on := DefaultConfig()
	on.Actions, on.Token = true, testToken
	srv, _ := testHandler(t, on, acts)
	csrf, cookie := sessionOf(t, srv)
	body := `{"topic":"orders","partition":0}`

	cases := []struct {
		name, bearer, csrf string
		cookie             *http.Cookie
		status             int
		says               string
	}{
		{"no token", "", csrf, cookie, 401, "needs authentication"},
		{"wrong token", "nope-nope-nope-nope", csrf, cookie, 401, "needs authentication"},
		{"no csrf header", testToken, "", cookie, 403, "CSRF"},
		{"no csrf cookie", testToken, csrf, nil, 403, "CSRF"},
		{"csrf mismatch", testToken, strings.Repeat("ab", 32), cookie, 403, "CSRF"},
	}
	for _, c := range cases {
		if st, msg := post(t, srv, "pause", body, c.bearer, c.csrf, c.cookie); st != c.status || !strings.Contains(msg, c.says) {
			t.Errorf("%s: %d %q, want %d saying %q", c.name, st, msg, c.status, c.says)
		}
	}
	if len(acts.calls) != 0 {
		t.Fatalf("refused requests acted: %v", acts.calls)
	}
	if st, msg := post(t, srv, "pause", body, testToken, csrf, cookie); st != 200 || msg != "orders/0 paused" {
		t.Fatalf("pause: %d %q", st, msg)
	}
	if st, msg := post(t, srv, "skip", `{"topic":"orders","partition":0,"offset":7,"reason":"poison"}`, testToken, csrf, cookie); st != 200 || !strings.Contains(msg, "offset 7 skipped") {
		t.Fatalf("skip: %d %q", st, msg)
	}
	if st, msg := post(t, srv, "skip", `{"topic":"orders","partition":0,"offset":7}`, testToken, csrf, cookie); st != 400 || !strings.Contains(msg, "reason") {
		t.Errorf("skip without reason: %d %q", st, msg)
	}
	if st, msg := post(t, srv, "pause", `{"topic":"orders","partition":0,"extra":1}`, testToken, csrf, cookie); st != 400 || !strings.Contains(msg, "extra") {
		t.Errorf("unknown field: %d %q", st, msg)
	}
	if st, _ := post(t, srv, "explode", body, testToken, csrf, cookie); st != 404 {
		t.Errorf("unknown action: %d", st)
	}
	if want := []string{"pause orders/0", "skip orders/0@7 poison"}; fmt.Sprint(acts.calls) != fmt.Sprint(want) {
		t.Errorf("calls %v, want %v", acts.calls, want)
	}
}

// With actions off nothing is taken, whatever the credentials.
func TestHandler_actionsOffByDefault(t *testing.T) {
	acts := &fakeActions{}
	cfg := DefaultConfig()
	cfg.Token = testToken
	srv, _ := testHandler(t, cfg, acts)
	csrf, cookie := sessionOf(t, srv)
	if st, msg := post(t, srv, "pause", `{"topic":"orders","partition":0}`, testToken, csrf, cookie); st != 403 || !strings.Contains(msg, "console.actions") {
		t.Errorf("%d %q, want 403 naming console.actions", st, msg)
	}
	if len(acts.calls) != 0 {
		t.Errorf("acted: %v", acts.calls)
	}
}

// A trusted reverse proxy's header authenticates, and only from the
// proxy; a partition held elsewhere is refused naming its holder's
// console.
func TestHandler_proxyHeaderAndHolderHint(t *testing.T) {
	acts := &fakeActions{err: fmt.Errorf("orders/0: %w", karafka.ErrNotHeld)}
	for _, c := range []struct {
		proxies []string
		status  int
		says    string
	}{
		{[]string{"127.0.0.1"}, 409, "process other holds it: act in its console at http://127.0.0.1:9101/console/"},
		{[]string{"10.0.0.0/8"}, 401, "needs authentication"},
	} {
		cfg := DefaultConfig()
		cfg.Actions, cfg.AuthHeader, cfg.TrustedProxies = true, "X-Forwarded-User", c.proxies
		srv, _ := testHandler(t, cfg, acts)
		csrf, cookie := sessionOf(t, srv)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/console/api/actions/resume", strings.NewReader(`{"topic":"orders","partition":0}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-User", "ada")
		req.Header.Set(csrfHeader, csrf)
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(doc["error"], c.says) {
			t.Errorf("proxies %v: %d %q, want %d saying %q", c.proxies, resp.StatusCode, doc["error"], c.status, c.says)
		}
	}
}

// fakeExplorer answers the explorer's endpoints, slowly when told to.
type fakeExplorer struct{ entered, hold chan struct{} }

func (f fakeExplorer) ServeTopics(w http.ResponseWriter, r *http.Request) {
	if f.hold != nil {
		f.entered <- struct{}{}
		<-f.hold
	}
	writeJSON(w, 200, []string{})
}

func (f fakeExplorer) ServeRecords(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"records": []any{}})
}

// Records are the app's data: with a token configured they need it;
// without, only this machine reads them. A Host the console was not told
// of is refused (DNS rebinding), and the explorer serves a bounded number
// of requests at once.
func TestHandler_readingRecordsAndHosts(t *testing.T) {
	get := func(srv *httptest.Server, path, host, token string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if host != "" {
			req.Host = host
		}
		if token != "" {
			req.Header.Set("Authorization", "bearer "+token) // the scheme is case-insensitive
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	open := NewHandler(HandlerConfig{Config: DefaultConfig(), Collector: NewCollector(nil), Explorer: fakeExplorer{}})
	srv := httptest.NewServer(open)
	defer srv.Close()
	if st := get(srv, "/api/records?topic=x", "", ""); st != 200 {
		t.Errorf("records from loopback without a token configured: %d, want 200", st)
	}
	if st := get(srv, "/api/deployment", "rebound.example.com", ""); st != http.StatusMisdirectedRequest {
		t.Errorf("a foreign Host: %d, want 421", st)
	}
	cfg := DefaultConfig()
	cfg.Token, cfg.Hosts = testToken, []string{"console.internal"}
	entered, hold := make(chan struct{}, maxExploring), make(chan struct{})
	locked := httptest.NewServer(NewHandler(HandlerConfig{Config: cfg, Collector: NewCollector(nil), Explorer: fakeExplorer{entered: entered, hold: hold}}))
	defer locked.Close()
	if st := get(locked, "/api/records?topic=x", "console.internal", ""); st != 401 {
		t.Errorf("records without the token: %d, want 401", st)
	}
	if st := get(locked, "/api/records?topic=x", "console.internal:9100", testToken); st != 200 {
		t.Errorf("records with the token: %d, want 200", st)
	}
	// maxExploring slow requests hold the explorer: the next is 429.
	var wg sync.WaitGroup
	for range maxExploring {
		wg.Go(func() { get(locked, "/api/topics", "", "") })
	}
	for range maxExploring {
		<-entered
	}
	st := get(locked, "/api/records?topic=x", "", testToken)
	close(hold)
	wg.Wait()
	if st != http.StatusTooManyRequests {
		t.Errorf("the explorer beyond %d requests: %d, want 429", maxExploring, st)
	}
}

// A replay reads only the routes' dead letter topics, one replay at a
// time.
func TestHandler_replayBounds(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Actions, cfg.Token = true, testToken
	started, release := make(chan struct{}), make(chan struct{})
	replay := func(ctx context.Context, topic string, p int32, from, to int64) (string, error) {
		close(started)
		<-release
		return "1 dead letters replayed", nil
	}
	c := NewCollector(nil)
	srv := httptest.NewServer(http.StripPrefix("/console", NewHandler(HandlerConfig{Config: cfg, Collector: c, Replay: replay,
		ReplayTopics: []string{"orders_dlq"}, Path: "/console/"})))
	defer srv.Close()
	csrf, cookie := sessionOf(t, srv)
	if st, msg := post(t, srv, "replay", `{"topic":"payments","partition":0}`, testToken, csrf, cookie); st != 400 || !strings.Contains(msg, "not a dead letter topic") {
		t.Errorf("replay of another topic: %d %q", st, msg)
	}
	done := make(chan string, 1)
	go func() {
		_, msg := post(t, srv, "replay", `{"topic":"orders_dlq","partition":0}`, testToken, csrf, cookie)
		done <- msg
	}()
	<-started
	if st, msg := post(t, srv, "replay", `{"topic":"orders_dlq","partition":0}`, testToken, csrf, cookie); st != 409 || !strings.Contains(msg, "a replay of orders_dlq runs") {
		t.Errorf("a second replay while one runs: %d %q", st, msg)
	}
	close(release)
	if msg := <-done; msg != "1 dead letters replayed" {
		t.Errorf("the replay: %q", msg)
	}
}

// Configuration errors name the key.
func TestConfig_Validate(t *testing.T) {
	for _, c := range []struct {
		edit func(*Config)
		says string
	}{
		{func(c *Config) { c.Actions = true }, "console.actions: needs console.token or console.auth_header"},
		{func(c *Config) { c.Token = "short" }, "console.token: 5 characters"},
		{func(c *Config) { c.AuthHeader = "X-User" }, "console.auth_header: needs console.trusted_proxies"},
		{func(c *Config) { c.AuthHeader, c.TrustedProxies = "Authorization", []string{"10.0.0.1"} }, "a header of the request itself"},
		{func(c *Config) { c.TrustedProxies = []string{"nope"} }, `console.trusted_proxies: "nope" is neither`},
		{func(c *Config) { c.URL = "ftp://x" }, "console.url"},
		{func(c *Config) { c.ReportInterval = time.Millisecond }, "console.report_interval"},
	} {
		cfg := DefaultConfig()
		c.edit(&cfg)
		if err := cfg.Validate(); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v, want ErrInvalidConfig saying %q", err, c.says)
		}
	}
	ok := DefaultConfig()
	ok.Actions, ok.AuthHeader, ok.TrustedProxies, ok.URL = true, "X-Forwarded-User", []string{"10.0.0.0/8", "192.168.1.7"}, "https://console.example/console/"
	if err := ok.Validate(); err != nil {
		t.Errorf("a valid config: %v", err)
	}
}

// A request from another origin is refused even with the cookie.
func TestHandler_crossOriginRefused(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Actions, cfg.Token = true, testToken
	srv, _ := testHandler(t, cfg, &fakeActions{})
	csrf, cookie := sessionOf(t, srv)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/console/api/actions/pause", strings.NewReader(`{"topic":"orders","partition":0}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set(csrfHeader, csrf)
	req.Header.Set("Origin", "https://evil.example")
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("cross-origin: %d, want 403", resp.StatusCode)
	}
}

// The error log keeps the last MaxErrors failures, newest first, with
// the key as text and hostile keys quoted.
func TestErrorLog_keepsTheNewest(t *testing.T) {
	l := NewErrorLog()
	for i := range MaxErrors + 5 {
		l.Handle(events.Event{Kind: events.MessageFailed, Topic: "orders", Offset: int64(i), Key: []byte("\x1b[31mk"), Err: errors.New(strings.Repeat("e", 2000))})
	}
	l.Handle(events.Event{Kind: events.MessageProcessed, Offset: 999})
	got := l.Entries()
	if len(got) != MaxErrors || got[0].Offset != MaxErrors+4 || got[MaxErrors-1].Offset != 5 {
		t.Fatalf("%d entries, first %d last %d", len(got), got[0].Offset, got[len(got)-1].Offset)
	}
	if *got[0].Key != `"\x1b[31mk"` || len(got[0].Error) > maxErrorText+4 {
		t.Errorf("key %q, error of %d bytes", *got[0].Key, len(got[0].Error))
	}
}

// api/health lists the transaction watch's findings with the
// collector's, critical ones first.
func TestHandler_healthMergesTransactionFindings(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c, clk := newTestCollector(t0)
	for i := range 14 {
		clk.t = t0.Add(time.Duration(i) * 5 * time.Second)
		c.Add(report("a", clk.t, 0, 0, ops.PartitionState{Topic: "orders", Group: "g", Partition: 0, Paused: true, Assigned: true}))
	}
	w := NewTxnWatch()
	w.now = clk.now
	clk.t = t0
	w.observe(client.Offsets{"out": {0: 1}}, client.Offsets{"out": {0: 4}})
	clk.t = t0.Add(65 * time.Second)
	srv := httptest.NewServer(NewHandler(HandlerConfig{Config: DefaultConfig(), Collector: c, Txn: w}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []Finding
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Kind != FindingTransactionOpen || got[1].Kind != FindingPausedTooLong {
		t.Fatalf("health %+v, want transaction_open then paused_too_long", got)
	}
}
