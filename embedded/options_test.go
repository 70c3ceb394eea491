package embedded

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

func TestSlogLogger_Logf(t *testing.T) {
	tests := []struct {
		name    string
		handler slog.Level
		level   kfake.LogLevel
		want    string
	}{
		{"error logged at debug", slog.LevelDebug, kfake.LogLevelError, `level=DEBUG msg="save x: boom" component=kfake kfake_level=ERR`},
		{"info logged at debug", slog.LevelDebug, kfake.LogLevelInfo, `level=DEBUG msg="save x: boom" component=kfake kfake_level=INF`},
		{"dropped above debug", slog.LevelInfo, kfake.LogLevelError, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
				Level:       tt.handler,
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { return dropTime(a) },
			}))
			slogLogger{l}.Logf(tt.level, "save %s: %v", "x", "boom")
			if got := strings.TrimSpace(buf.String()); got != tt.want {
				t.Errorf("logged %q, want %q", got, tt.want)
			}
		})
	}
}

func dropTime(a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
