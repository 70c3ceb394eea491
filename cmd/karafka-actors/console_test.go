package main_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/karafka-actors/karafka-actors/internal/browsertest"
)

var updateConsoleShots = flag.Bool("update", false,
	"write the console's screenshots to docs/images/console-*.png (go test -run TestConsole_threeProcesses ./cmd/karafka-actors -update)")

const consoleToken = "console-test-token-0123456789"

// consoleClient talks to one console as a browser would: a cookie jar for
// the CSRF cookie.
type consoleClient struct {
	t    *testing.T
	base string // http://addr/console/
	hc   *http.Client
	csrf string
}

func newConsoleClient(t *testing.T, addr string) *consoleClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &consoleClient{t: t, base: "http://" + addr + "/console/", hc: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// get decodes GET path into v and returns the status.
func (c *consoleClient) get(path string, v any) int {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+consoleToken) // records need it where a token is set
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			c.t.Fatalf("GET %s: %v: %s", path, err, b)
		}
	}
	return resp.StatusCode
}

// action posts an action with the session's CSRF token and, when token is
// not empty, the bearer token; it returns the status and the message or
// error.
func (c *consoleClient) action(name, token string, body any) (int, string) {
	c.t.Helper()
	if c.csrf == "" {
		var s struct {
			CSRF string `json:"csrf"`
		}
		c.get("api/session", &s)
		c.csrf = s.CSRF
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, c.base+"api/actions/"+name, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", name, err)
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

// eventually polls cond until it is true or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v; last: %s", what, d, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type deploymentDoc struct {
	Self      string `json:"self"`
	Processes []struct {
		ID         string `json:"id"`
		Status     string `json:"status"`
		ConsoleURL string `json:"console_url"`
	} `json:"processes"`
	Partitions []struct {
		Topic          string `json:"topic"`
		Partition      int32  `json:"partition"`
		Holder         string `json:"holder"`
		OperatorPaused bool   `json:"operator_paused"`
	} `json:"partitions"`
}

// startConsoleServer starts one server of the example app on broker with
// the console's reports and actions on, serving on a free address.
func startConsoleServer(t *testing.T, broker, name string) (*process, string) {
	t.Helper()
	addr := freeAddr(t)
	p := startEnv(t, []string{"KARAFKA_CONSOLE_TOKEN=" + consoleToken}, bin, "server", "--brokers", broker, "--http-addr", addr,
		"--set", "name="+name, "--set", "kafka.create_topics=true", "--set", "kafka.topic_partitions=3",
		"--set", "consumer.commit_interval=100ms", "--set", "console.reports=true", "--set", "console.report_interval=300ms",
		"--set", "console.actions=true")
	return p, addr
}

// Three server processes of the example app on one embedded broker show
// up in one console: every process, who holds which partition, the
// history, a failure with its key, the explorer on the dead letter topic
// with its karafka.* headers, and the health of a process killed without
// a word. An action is refused without the token and taken with it. The
// standalone console command sees the same deployment.
func TestConsole_threeProcesses(t *testing.T) {
	broker := freeAddr(t)
	start(t, bin, "broker", "--listen", broker)
	waitDial(t, broker)
	name := "console_test"
	topic := "repositories_created"

	var servers []*process
	var addrs []string
	for range 3 {
		p, addr := startConsoleServer(t, broker, name)
		p.waitFor(t, "karafka-actors running", 30*time.Second)
		servers, addrs = append(servers, p), append(addrs, addr)
	}
	c := newConsoleClient(t, addrs[0])

	// Every process reports, and the route's three partitions are spread
	// over them.
	var d deploymentDoc
	eventually(t, 30*time.Second, "three running processes holding the route's partitions", func() (bool, string) {
		d = deploymentDoc{}
		c.get("api/deployment", &d)
		running, holders := 0, map[string]bool{}
		for _, p := range d.Processes {
			if p.Status == "running" {
				running++
			}
		}
		for _, p := range d.Partitions {
			if p.Topic == topic {
				holders[p.Holder] = true
			}
		}
		return running == 3 && len(holders) == 3, fmt.Sprintf("%+v", d)
	})

	// Traffic: 30 good records and one that does not parse, keyed.
	var in strings.Builder
	for i := range 30 {
		fmt.Fprintf(&in, "r%d\t{\"id\":%d}\n", i, i)
	}
	in.WriteString("poison-key\t{\"id\":\n")
	if r := run(t, nil, in.String(), "produce", topic, "--brokers", broker, "--key-separator", "\t"); r.code != 0 {
		t.Fatalf("produce: %+v", r)
	}

	// The failure, with its key, in the errors of the process holding it.
	var failed struct {
		Process   string `json:"process"`
		Partition int32  `json:"partition"`
		Offset    int64  `json:"offset"`
		Stage     string `json:"stage"`
	}
	eventually(t, 30*time.Second, "the malformed record in api/errors", func() (bool, string) {
		var errs []struct {
			Process   string  `json:"process"`
			Topic     string  `json:"topic"`
			Partition int32   `json:"partition"`
			Offset    int64   `json:"offset"`
			Key       *string `json:"key"`
			Error     string  `json:"error"`
			Stage     string  `json:"stage"`
		}
		c.get("api/errors", &errs)
		for _, e := range errs {
			if e.Topic == topic && e.Key != nil && *e.Key == "poison-key" && strings.Contains(e.Error, "parse") {
				failed.Process, failed.Partition, failed.Offset, failed.Stage = e.Process, e.Partition, e.Offset, e.Stage
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", errs)
	})

	// History: the processed rate of the route.
	eventually(t, 30*time.Second, "31 messages in the route's history", func() (bool, string) {
		var s struct {
			StepMS    int64      `json:"step_ms"`
			Processed []*float64 `json:"processed"`
		}
		c.get("api/history?topic="+topic, &s)
		total := 0.0
		for _, p := range s.Processed {
			if p != nil {
				total += *p * float64(s.StepMS) / 1000
			}
		}
		// Rates are per step between reports: the sum over steps is
		// the count, give or take the steps' edges.
		raw := ""
		for _, a := range addrs {
			if resp, err := http.Get("http://" + a + "/console/api/history?topic=" + topic); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				raw += "\n" + a + ": " + string(b)
			}
		}
		return total >= 25, fmt.Sprintf("%.1f messages; histories: %s", total, raw)
	})

	// The explorer: the dead letter with its karafka.* headers and its
	// value decoded by the origin route's parser (it fails: shown why).
	eventually(t, 30*time.Second, "the dead letter in the explorer", func() (bool, string) {
		var page struct {
			Records []struct {
				Offset  int64   `json:"offset"`
				Key     *string `json:"key"`
				Value   *string `json:"value"`
				Headers []struct {
					Key   string `json:"key"`
					Value string `json:"value"`
				} `json:"headers"`
				DecodeError string `json:"decode_error"`
			} `json:"records"`
		}
		st := c.get(fmt.Sprintf("api/records?topic=%s_dlq&partition=%d&offset=0", topic, failed.Partition), &page)
		for _, r := range page.Records {
			hs := map[string]string{}
			for _, h := range r.Headers {
				hs[h.Key] = h.Value
			}
			if r.Key != nil && *r.Key == "poison-key" && hs["karafka.origin.topic"] == topic &&
				hs["karafka.origin.offset"] == fmt.Sprint(failed.Offset) && r.DecodeError != "" {
				return true, ""
			}
		}
		return false, fmt.Sprintf("status %d: %+v", st, page)
	})

	// Actions: a partition this process (the first) holds.
	var mine int32 = -1
	for _, p := range d.Partitions {
		if p.Topic == topic && p.Holder == d.Self {
			mine = p.Partition
		}
	}
	if mine < 0 {
		t.Fatalf("the first process holds no partition of %s: %+v", topic, d)
	}
	body := map[string]any{"topic": topic, "partition": mine}
	if st, msg := c.action("pause", "", body); st != http.StatusUnauthorized || !strings.Contains(msg, "authentication") {
		t.Errorf("pause without the token: %d %q, want 401", st, msg)
	}
	if st, msg := c.action("pause", "wrong-token-wrong-token", body); st != http.StatusUnauthorized {
		t.Errorf("pause with a wrong token: %d %q, want 401", st, msg)
	}
	if st, msg := c.action("pause", consoleToken, body); st != http.StatusOK {
		t.Fatalf("pause: %d %q", st, msg)
	}
	eventually(t, 10*time.Second, "the partition shown paused by an operator", func() (bool, string) {
		var d deploymentDoc
		c.get("api/deployment", &d)
		for _, p := range d.Partitions {
			if p.Topic == topic && p.Partition == mine {
				return p.OperatorPaused, fmt.Sprintf("%+v", p)
			}
		}
		return false, "not listed"
	})
	if st, msg := c.action("resume", consoleToken, body); st != http.StatusOK {
		t.Fatalf("resume: %d %q", st, msg)
	}
	// Another process's partition: refused, naming its console.
	for _, p := range d.Partitions {
		if p.Topic == topic && p.Holder != d.Self {
			st, msg := c.action("pause", consoleToken, map[string]any{"topic": topic, "partition": p.Partition})
			if st != http.StatusConflict || !strings.Contains(msg, p.Holder+" holds it") {
				t.Errorf("pause of %s's partition: %d %q, want 409 naming it", p.Holder, st, msg)
			}
			break
		}
	}
	consoleScreenshots(t, addrs[0], failed.Partition, *updateConsoleShots)

	// The standalone console sees the same deployment.
	caddr := freeAddr(t)
	con := start(t, bin, "console", "--brokers", broker, "--http-addr", caddr, "--set", "name="+name)
	con.waitFor(t, "console listening", 30*time.Second)
	sc := newConsoleClient(t, caddr)
	eventually(t, 30*time.Second, "the standalone console sees three processes", func() (bool, string) {
		var d deploymentDoc
		sc.get("api/deployment", &d)
		running := 0
		for _, p := range d.Processes {
			if p.Status == "running" {
				running++
			}
		}
		return running == 3 && d.Self == "", fmt.Sprintf("%+v", d)
	})

	// Killed without a word: stale, and a health finding.
	_ = servers[2].cmd.Process.Signal(syscall.SIGKILL)
	eventually(t, 30*time.Second, "the killed process stale in api/health", func() (bool, string) {
		var h []struct {
			Kind    string `json:"kind"`
			Process string `json:"process"`
		}
		c.get("api/health", &h)
		for _, f := range h {
			if f.Kind == "stale_process" {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", h)
	})

	// Stopped gracefully: its last report says so.
	_ = servers[1].cmd.Process.Signal(syscall.SIGTERM)
	if code := servers[1].exit(t, 40*time.Second); code != 0 {
		t.Fatalf("server exit %d after SIGTERM", code)
	}
	eventually(t, 30*time.Second, "the stopped process shown stopped", func() (bool, string) {
		var d deploymentDoc
		sc.get("api/deployment", &d)
		stopped := 0
		for _, p := range d.Processes {
			if p.Status == "stopped" {
				stopped++
			}
		}
		return stopped == 1, fmt.Sprintf("%+v", d.Processes)
	})
}

// docsImages is where the console's screenshots go.
func docsImages() string { return filepath.Join(repoRoot, "docs", "images") }

// consoleScreenshots walks the console of addr in headless Chromium:
// each page shows the live deployment (the explorer the dead letter of
// dlqPartition with its karafka.* headers), the page throws nothing, and
// with write its screenshots replace docs/images/console-*.png.
func consoleScreenshots(t *testing.T, addr string, dlqPartition int32, write bool) {
	t.Run("browser", func(t *testing.T) {
		ctx := browsertest.New(t, 1280, 900)
		exceptions := browsertest.WatchExceptions(ctx)
		wait := func(what, expr string) {
			t.Helper()
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				t.Fatalf("%s: %v (waited for %s)", what, err, expr)
			}
		}
		shoot := func(name string) {
			t.Helper()
			shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			browsertest.SaveScreenshot(t, shot, "console-"+name+".png")
			if write {
				if err := os.MkdirAll(docsImages(), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(docsImages(), "console-"+name+".png"), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/console/")); err != nil {
			t.Fatal(err)
		}
		// The operator gives the token (records need it here), kept for
		// the tab.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`sessionStorage.setItem("karafka-console-token", `+strconv.Quote(consoleToken)+`)`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/console/")); err != nil {
			t.Fatal(err)
		}
		wait("three running processes", `document.querySelectorAll('tr.process.status-running').length === 3`)
		wait("the route's partitions", `document.querySelectorAll('tr.partition[data-topic="repositories_created"]').length === 3`)
		shoot("processes")
		for _, page := range []struct{ name, hash, ready string }{
			{"history", "#history", `[...document.querySelectorAll('.chart[data-series]')].some(c => +c.dataset.points > 0 && c.querySelector('canvas'))`},
			{"errors", "#errors", `document.querySelectorAll('tr.error-row').length > 0`},
			{"explorer", fmt.Sprintf("#explore?topic=repositories_created_dlq&partition=%d&offset=0", dlqPartition), `document.querySelectorAll('.record[data-offset] .header.karafka').length > 0`},
			{"health", "#health", `document.querySelector('section[data-page=health]') !== null`},
		} {
			if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void]("location.hash = "+strconv.Quote(page.hash))); err != nil {
				t.Fatal(err)
			}
			wait(page.hash, page.ready)
			time.Sleep(300 * time.Millisecond) // let the page settle for the picture
			shoot(page.name)
		}
		for _, e := range exceptions.All() {
			t.Errorf("the page threw: %s", e)
		}
	})
}
