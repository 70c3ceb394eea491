package franzclient

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// kgo's info lines are dropped, but its retries of an UNSTABLE_OFFSET_COMMIT
// offset fetch become one explained warning per unstableEvery; warnings
// and errors pass.
func TestSlogLogger(t *testing.T) {
	var buf bytes.Buffer
	l := &slogLogger{l: slog.New(slog.NewTextHandler(&buf, nil))}
	l.Log(kgo.LogLevelInfo, "beginning heartbeat loop", "group", "g")
	unstable := fmt.Errorf("wrapped: %w", kerr.UnstableOffsetCommit)
	for range 3 {
		l.Log(kgo.LogLevelInfo, "fetch offsets failed with retryable partition error, waiting 1s and retrying", "group", "g", "err", unstable)
	}
	l.Log(kgo.LogLevelWarn, "unable to join", "err", "boom")
	out := buf.String()
	if strings.Contains(out, "heartbeat") {
		t.Errorf("an info line passed:\n%s", out)
	}
	if n := strings.Count(out, "consuming waits for a transaction"); n != 1 {
		t.Errorf("%d UNSTABLE_OFFSET_COMMIT warnings for 3 retries within %v, want 1:\n%s", n, unstableEvery, out)
	}
	if !strings.Contains(out, "level=WARN msg=\"kafka client: unable to join\"") {
		t.Errorf("kgo's warning is missing:\n%s", out)
	}
}
