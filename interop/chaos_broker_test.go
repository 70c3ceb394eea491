package interop_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// chaosBroker is the broker a chaos scenario runs against, with the faults
// it can suffer: a restart keeping its data, and a freeze (SIGSTOP) and
// thaw (SIGCONT).
type chaosBroker struct {
	name    string   // "embedded" or "kafka"
	brokers []string // what the servers connect to (a proxy, in network scenarios)
	direct  []string // what the test's own clients connect to

	proc   *brokerProc // embedded: the broker process
	script string      // kafka: the script managing it (KARAFKA_TEST_KAFKA_SCRIPT)
}

// chaosTarget returns the real broker of KARAFKA_TEST_BROKERS, or starts an
// embedded broker in its own process, keeping its data in a temporary dir.
// advertise (embedded only) is the address it tells clients to connect to.
func chaosTarget(t *testing.T, advertise string) *chaosBroker {
	t.Helper()
	if testkafka.External() {
		b := &chaosBroker{name: "kafka", brokers: testkafka.Brokers(t), script: os.Getenv(EnvKafkaScript)}
		b.direct = b.brokers
		if b.script != "" && !filepath.IsAbs(b.script) {
			b.script = filepath.Join(repoRoot, b.script)
		}
		return b
	}
	p := startBroker(t, freeAddr(t), advertise)
	return &chaosBroker{name: "embedded", brokers: []string{p.addr}, direct: []string{p.addr}, proc: p}
}

// needScript skips (or, in CI, fails) a scenario that must restart or
// freeze a real broker it has no script for.
func (b *chaosBroker) needScript(t *testing.T) {
	t.Helper()
	if b.proc == nil && b.script == "" {
		missing(t, "%s is not set: restarting or freezing the real broker needs the script that manages it (scripts/test.sh sets it)", EnvKafkaScript)
	}
}

// restart stops the broker and starts it again on its data; it returns
// when the broker answers again.
func (b *chaosBroker) restart(t *testing.T) {
	t.Helper()
	if b.proc != nil {
		b.proc.stop(t)
		b.proc.start(t)
		return
	}
	out, err := exec.Command(b.script, "restart").CombinedOutput()
	if err != nil {
		t.Fatalf("%s restart: %v\n%s", b.script, err, out)
	}
}

// pid returns the broker process's pid.
func (b *chaosBroker) pid(t *testing.T) int {
	t.Helper()
	if b.proc != nil {
		return b.proc.cmd.Process.Pid
	}
	out, err := exec.Command(b.script, "pid").Output()
	if err != nil {
		t.Fatalf("%s pid: %v", b.script, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("%s pid: %q", b.script, out)
	}
	return pid
}

// freeze stops the broker process (SIGSTOP); thaw resumes it. A frozen
// broker is thawed when the test ends, whatever happens.
func (b *chaosBroker) freeze(t *testing.T) {
	t.Helper()
	pid := b.pid(t)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP broker %d: %v", pid, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
}

func (b *chaosBroker) thaw(t *testing.T) {
	t.Helper()
	pid := b.pid(t)
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatalf("SIGCONT broker %d: %v", pid, err)
	}
}

// brokerProc is `interop-server broker` in its own process, keeping its
// data in dir, so it can be restarted with its data and frozen.
type brokerProc struct {
	addr, advertise, dir string

	mu   sync.Mutex
	out  bytes.Buffer
	cmd  *exec.Cmd
	done chan struct{}
}

func startBroker(t *testing.T, addr, advertise string) *brokerProc {
	t.Helper()
	p := &brokerProc{addr: addr, advertise: advertise, dir: t.TempDir()}
	p.start(t)
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			p.mu.Lock()
			t.Logf("embedded broker %s log:\n%s", addr, p.out.String())
			p.mu.Unlock()
		}
	})
	return p
}

func (p *brokerProc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

// start runs the broker and waits until it accepts connections.
func (p *brokerProc) start(t *testing.T) {
	t.Helper()
	args := []string{"broker", "--listen", p.addr, "--data-dir", p.dir, "--log-level", "warn"}
	if p.advertise != "" {
		args = append(args, "--advertise", p.advertise)
	}
	p.cmd = exec.Command(serverBin, args...)
	p.cmd.Env = testkafka.CleanEnv()
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	p.done = done
	cmd := p.cmd
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			t.Fatalf("embedded broker exited at start: %s", p.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("embedded broker not listening on %s after 30s: %v", p.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the broker gracefully (SIGTERM: it writes its state out),
// thawing it first.
func (p *brokerProc) stop(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGCONT)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Errorf("embedded broker still running 30s after SIGTERM; killed")
	}
}

func (p *brokerProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
