package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds one test's use of the browser.
const Timeout = 2 * time.Minute

// names are the executables looked up on PATH, in order.
var names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Path returns the browser's executable: $KARAFKA_TEST_CHROMIUM if set,
// otherwise the first of chromium, chromium-browser, google-chrome and
// google-chrome-stable on PATH; "" when there is none.
func Path() string {
	if p := os.Getenv("KARAFKA_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless browser with a window of width×height and returns
// a chromedp context for one tab in it, bounded by Timeout; the browser is
// stopped when the test ends. Without a browser the test is skipped, or
// fails when CI=true.
func New(t testing.TB, width, height int) context.Context {
	t.Helper()
	path := Path()
	if path == "" {
		msg := "no Chromium: install Debian's chromium package (apt-get install chromium) or set KARAFKA_TEST_CHROMIUM to a Chrome or Chromium binary"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a browser test may not be skipped in CI)")
		}
		t.Skip(msg)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(width, height),
		chromedp.DisableGPU,
		// CI runs as root, where Chromium's sandbox refuses to start; the
		// test's pages come from the test's own loopback server.
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	// Start the browser now, on a context without a deadline (a deadline on
	// the first Run would bound the browser's life, see chromedp.Run).
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("starting %s: %v", path, err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, Timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	return ctx
}
