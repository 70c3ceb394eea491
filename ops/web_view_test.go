package ops_test

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/karafka-actors/karafka-actors/internal/browsertest"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

var update = flag.Bool("update", false, "write TestHandler_webViewFollowsTheApp's screenshot to docs/web-view.png (shown in docs/operating.md)")

// TestHandler_webViewFollowsTheApp opens the handler's page in headless
// Chromium next to a running App and produces messages: the page shows the
// route's topic, its numbers move, and a failing message's restarts bump.
// Its screenshot is docs/operating.md's (go test -run webView ./ops -update).
func TestHandler_webViewFollowsTheApp(t *testing.T) {
	ctx := browsertest.New(t, 1100, 420)
	exceptions := browsertest.WatchExceptions(ctx)
	a := newOpsApp(t)
	a.run(t)
	t.Cleanup(func() {
		select {
		case <-a.gate:
		default:
			close(a.gate) // let a held message finish before the shutdown
		}
	})
	a.waitStatus(t, "/readyz", 200)

	if err := chromedp.Do(ctx, chromedp.Navigate(a.srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	listener := `li.listener[data-topic="` + a.in + `"]`
	partition := `li.partition[data-topic="` + a.in + `"][data-partition="0"]`
	route := func(name string) string {
		return `document.querySelector('` + listener + ` > .stats [data-field="` + name + `"]')?.textContent`
	}
	part := func(name string) string {
		return `document.querySelector('` + partition + ` [data-field="` + name + `"]')?.textContent`
	}
	// wait polls the page until expr is true.
	wait := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			t.Fatalf("the page never showed %s (%s): %v", what, expr, err)
		}
	}
	text := func(expr string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return s
	}

	wait("the route's topic", `document.querySelector('`+listener+` .topic')?.textContent === "`+a.in+`"`)
	wait("the claimed partition", `document.querySelector('`+partition+`')?.dataset.assigned === "true"`)
	if got, want := text(`document.getElementById("client").textContent`), "kafka client "+testkafka.Client(); got != want {
		t.Errorf("the header names client %q, want %q", got, want)
	}
	if got := text(route("processed")); got != "0" {
		t.Errorf("processed before any message: %q, want 0", got)
	}

	// Produced messages move the numbers, without a reload.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`)); err != nil {
		t.Fatal(err)
	}
	a.produce(t, "a", "b", "c")
	wait("3 processed, committed 3", route("processed")+` === "3" && `+part("committed")+` === "3" && `+part("high_watermark")+` === "3"`)
	if got := text(part("restarts")); got != "0" {
		t.Errorf("restarts before a failure: %q, want 0", got)
	}

	// A failing message restarts the partition's actor (bumped on the
	// page), goes to the dead letter topic, and its error shows; a held one
	// keeps the next ones in flight.
	a.produce(t, "bad", "hold", "d", "e")
	wait("a restart bump", `Number(document.querySelector('`+partition+`').dataset.bumps) >= 1`)
	wait("the dead letter, the error, the lag", route("dead_letters")+` === "1" && `+part("last_error")+`?.includes("bad input") &&
		`+part("lag")+` === "3" && `+part("in_flight")+` === "3" && `+part("committed")+` === "4"`)
	if n, err := strconv.Atoi(text(part("restarts"))); err != nil || n < 2 {
		t.Errorf("restarts after a failure with 3 tries: %d %v, want at least 2", n, err)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.sameDocument === true`)); err != nil || !same {
		t.Fatalf("the page reloaded (%v)", err)
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	browsertest.SaveScreenshot(t, shot, "web-view.png")
	if *update {
		if err := os.WriteFile(filepath.Join("..", "docs", "web-view.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	close(a.gate)
	wait("everything committed", part("committed")+` === "7" && `+part("lag")+` === "0" && `+route("processed")+` === "7"`)
	for _, e := range exceptions.All() {
		t.Errorf("the page threw: %s", e)
	}
}
