// Package browsertest gives tests a headless Chromium to drive with
// chromedp: Debian's chromium package (.ci/run installs it), or the binary
// KARAFKA_TEST_CHROMIUM names.
//
// Without a browser a test skips, saying so, except in CI (CI=true, set by
// .ci/run), where it fails: CI cannot pass without running the browser
// tests.
package browsertest
