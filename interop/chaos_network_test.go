package interop_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// The real broker's PROXIED listener (scripts/kafka.sh proxy-env): it binds
// the upstream address and advertises the proxy's.
const (
	EnvProxyAddr     = "KARAFKA_TEST_PROXY_ADDR"
	EnvProxyUpstream = "KARAFKA_TEST_PROXY_UPSTREAM"
)

// toxicProxy is an in-process toxiproxy between the servers and the broker.
type toxicProxy struct {
	p *toxiproxy.Proxy
}

func startProxy(t *testing.T, listen, upstream string) *toxicProxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "kafka", listen, upstream)
	if err := p.Start(); err != nil {
		t.Fatalf("toxiproxy on %s: %v", listen, err)
	}
	t.Cleanup(p.Stop)
	return &toxicProxy{p: p}
}

// toxic is one toxiproxy toxic, applied to both directions.
type toxic struct {
	kind  string // what the table calls it
	typ   string // toxiproxy's type
	attrs map[string]any
	lasts time.Duration
}

// add applies tx to both directions of every connection, new and open.
func (p *toxicProxy) add(t *testing.T, tx toxic) {
	t.Helper()
	for _, stream := range []string{"upstream", "downstream"} {
		b, _ := json.Marshal(map[string]any{"name": tx.typ + "_" + stream, "type": tx.typ, "stream": stream, "attributes": tx.attrs})
		if _, err := p.p.Toxics.AddToxicJson(strings.NewReader(string(b))); err != nil {
			t.Fatalf("toxic %s: %v", b, err)
		}
	}
}

func (p *toxicProxy) remove(t *testing.T, tx toxic) {
	t.Helper()
	for _, stream := range []string{"upstream", "downstream"} {
		if err := p.p.Toxics.RemoveToxic(context.Background(), tx.typ+"_"+stream); err != nil {
			t.Fatalf("remove toxic %s_%s: %v", tx.typ, stream, err)
		}
	}
}

// proxiedTarget returns a broker whose clients are sent through a toxiproxy
// in front of it: the servers connect to the proxy and the broker
// advertises the proxy's address, so their every connection goes through
// it; the test's own clients bypass it. The embedded broker advertises a
// free port the proxy then listens on; real Kafka's PROXIED listener does
// the same (EnvProxyAddr, EnvProxyUpstream).
func proxiedTarget(t *testing.T) (*chaosBroker, clientOpts, *toxicProxy) {
	t.Helper()
	if testkafka.External() {
		addr, upstream := os.Getenv(EnvProxyAddr), os.Getenv(EnvProxyUpstream)
		if addr == "" || upstream == "" {
			missing(t, "%s and %s are not set: the network faults need the real broker's proxied listener (eval \"$(scripts/kafka.sh proxy-env)\")", EnvProxyAddr, EnvProxyUpstream)
		}
		b := chaosTarget(t, "")
		b.brokers = []string{addr}
		return b, clientOpts{}, startProxy(t, addr, upstream)
	}
	addr := freeAddr(t)
	b := chaosTarget(t, addr)
	p := startProxy(t, addr, b.direct[0])
	b.brokers = []string{addr}
	return b, clientOpts{redirect: map[string]string{addr: b.direct[0]}}, p
}

// TestChaos_network: two servers share a 6-partition input topic and reach
// the broker only through an in-process toxiproxy, which, twice over, adds
// 300±100 ms of latency each way for 6 s, resets every connection as soon
// as data flows for 3 s (reset_peer), drops all data and closes
// connections after 2 s for 4 s (timeout), and swallows everything for
// 10 s, past the session timeout (a black hole: timeout 0). Every input is
// answered.
func TestChaos_network(t *testing.T) {
	skipChaos(t)
	faults := []toxic{
		{"latency 300±100ms 6s", "latency", map[string]any{"latency": 300, "jitter": 100}, 6 * time.Second},
		{"reset_peer 3s", "reset_peer", map[string]any{"timeout": 0}, 3 * time.Second},
		{"timeout 2s for 4s", "timeout", map[string]any{"timeout": 2000}, 4 * time.Second},
		{"black hole 10s", "timeout", map[string]any{"timeout": 0}, 10 * time.Second},
	}
	const rounds = 2
	b, client, proxy := proxiedTarget(t)
	r := newChaosWith(t, "network faults (toxiproxy)", b, client, 6, 2)
	r.stream(1000, nil)
	r.warmUp(2000)
	for range rounds {
		for _, tx := range faults {
			r.sleep(8 * time.Second)
			start := time.Now()
			proxy.add(t, tx)
			r.sleep(tx.lasts)
			proxy.remove(t, tx)
			r.addFault(tx.kind, start, time.Now())
		}
	}
	r.sleep(8 * time.Second)
	r.finish(3*time.Minute, nil)
}

// kinds lists fault kinds in first-seen order.
func kinds(fs []fault) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.kind] {
			seen[f.kind] = true
			out = append(out, f.kind)
		}
	}
	return out
}
