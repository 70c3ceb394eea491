package pipeline_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/topology"
)

func logRoute(perform func(*controllers.Context) error) *topology.Resolved {
	return &topology.Resolved{Route: topology.Route{
		Topic:      "orders",
		Parser:     params.JSON,
		Controller: func() controllers.Controller { return controllers.Func(perform) },
		Group:      "shop_orders",
	}}
}

// The logger a controller gets names the message it works on, whatever the
// controller adds with With and WithGroup, and the next message's records
// name the next message.
func TestController_loggerNamesTheMessage(t *testing.T) {
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want string
	}{
		{"plain", func(l *slog.Logger) { l.Info("hello", "k", 1) },
			`level=INFO msg=hello k=1 topic=orders partition=3 offset=%d group=shop_orders`},
		{"with attrs", func(l *slog.Logger) { l.With("user", "ada").Info("hello") },
			`level=INFO msg=hello user=ada topic=orders partition=3 offset=%d group=shop_orders`},
		{"with group", func(l *slog.Logger) { l.With("a", 1).WithGroup("g").Info("hello", "k", 2) },
			`level=INFO msg=hello topic=orders partition=3 offset=%d group=shop_orders a=1 g.k=2`},
		{"dropped by level", func(l *slog.Logger) { l.Debug("not shown") }, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			base := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				}}))
			c := pipeline.NewController(logRoute(func(c *controllers.Context) error {
				tc.log(c.Logger)
				return nil
			}), context.Background(), base)
			var want []string
			for _, off := range []int64{7, 8} {
				prm := params.Lazy(params.Metadata{Topic: "orders", Partition: 3, Offset: off}, []byte(`{}`), params.JSON)
				if _, err := c.Handle(context.Background(), prm); err != nil {
					t.Fatal(err)
				}
				if tc.want != "" {
					want = append(want, strings.Replace(tc.want, "%d", strconv.FormatInt(off, 10), 1))
				}
			}
			got := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if buf.Len() == 0 {
				got = nil
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// A batch controller's logger names the batch's first message and its size.
func TestBatch_loggerNamesTheBatch(t *testing.T) {
	var buf bytes.Buffer
	base := slog.New(slog.NewTextHandler(&buf, nil))
	route := batchRoute(func(c *controllers.BatchContext) error {
		c.Logger.Info("batch")
		return nil
	})
	route.Group = "g1"
	b := pipeline.NewBatch(route, base)
	if _, err := b.Try(context.Background(), msgs(`{}`, `{}`, `{}`)); err != nil {
		t.Fatal(err)
	}
	if want := "topic=in partition=0 offset=10 group=g1 messages=3"; !strings.Contains(buf.String(), want) {
		t.Fatalf("log %q does not name the batch (%s)", buf.String(), want)
	}
}

// BenchmarkController_logger measures a message whose controller logs one
// record with two attributes, side by side: dropped by the level (debug
// under info) and written (a text handler to io.Discard), each with the
// message's context (the logger the controller gets) and as a baseline
// with a logger that names nothing and one made per message with With.
func BenchmarkController_logger(b *testing.B) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		for _, how := range []string{"context", "bare", "with-per-message"} {
			name := "record=dropped"
			if level == slog.LevelInfo {
				name = "record=written"
			}
			b.Run(name+"/logger="+how, func(b *testing.B) {
				base := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
				perform := func(c *controllers.Context) error {
					l := c.Logger
					switch how {
					case "bare":
						l = base
					case "with-per-message":
						md := c.Params.Metadata()
						l = base.With("topic", md.Topic, "partition", md.Partition, "offset", md.Offset, "group", "shop_orders")
					}
					l.Log(c, level, "handled", "user", "ada", "n", 1)
					return nil
				}
				c := pipeline.NewController(logRoute(perform), context.Background(), base)
				prm := params.Lazy(params.Metadata{Topic: "orders", Partition: 3, Offset: 7}, []byte(`{}`), params.JSON)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.Handle(context.Background(), prm); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
