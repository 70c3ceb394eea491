package main_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// With tracing.otlp_endpoint the server exports its spans to that OTLP/HTTP
// collector, under the app's service name: a message answered has its
// process and send spans there once the server stopped.
func TestServer_exportsTracesOverOTLP(t *testing.T) {
	var mu sync.Mutex
	var names []string
	var services []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rs := range req.ResourceSpans {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.Key == "service.name" {
					services = append(services, a.GetValue().GetStringValue())
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names = append(names, s.Name)
				}
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(nil)
	}))
	defer collector.Close()

	addr := freeAddr(t)
	srv := start(t, bin, "server", "--embedded-broker="+addr, "--set", "name=traced", "--set", "tracing.otlp_endpoint="+collector.URL)
	srv.waitFor(t, "karafka-actors running", 30*time.Second)
	if r := run(t, nil, `{"id":1,"email":"ada@example.com"}`+"\n", "produce", "users_create", "--brokers", addr); r.code != 0 {
		t.Fatalf("produce: %+v", r)
	}
	if r := run(t, nil, "", "consume", "users_created", "--from-beginning", "--count", "1", "--timeout", "30s", "--brokers", addr); r.code != 0 {
		t.Fatalf("consume: %+v", r)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := srv.exit(t, 30*time.Second); code != 0 {
		t.Fatalf("server exit %d", code)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"process users_create", "send users_created"} {
		if !slices.Contains(names, want) {
			t.Errorf("collector got spans %v, none %q", names, want)
		}
	}
	if len(services) == 0 || strings.Join(slices.Compact(services), ",") != "traced" {
		t.Errorf("service names %v, want traced", services)
	}
}
