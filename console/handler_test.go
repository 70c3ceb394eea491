package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

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

// A reverse proxy's header authenticates; a partition held elsewhere is
// refused naming its holder's console.
func TestHandler_proxyHeaderAndHolderHint(t *testing.T) {
	acts := &fakeActions{err: errors.New("orders/0 is not held by this process")}
	cfg := DefaultConfig()
	cfg.Actions, cfg.AuthHeader = true, "X-Forwarded-User"
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
	defer resp.Body.Close()
	var doc map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	if resp.StatusCode != 409 || !strings.Contains(doc["error"], "process other holds it: act in its console at http://127.0.0.1:9101/console/") {
		t.Errorf("%d %q", resp.StatusCode, doc["error"])
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
