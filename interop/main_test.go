package interop_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

var (
	serverBin string // interop/internal/server
	repoRoot  string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "karafka-interop-test")
	if err != nil {
		panic(err)
	}
	repoRoot, _ = filepath.Abs("..")
	serverBin = filepath.Join(dir, "interop-server")
	cmd := exec.Command("go", "build", "-o", serverBin, "./interop/internal/server")
	cmd.Dir = repoRoot
	if b, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the interop server: %v\n%s", err, b)
		os.Exit(1)
	}
	// INTEROP_SERVER_BIN runs the tests against another build of the server
	// (an older commit's, to measure a change side by side).
	if bin := os.Getenv("INTEROP_SERVER_BIN"); bin != "" {
		serverBin = bin
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// required reports whether CI demands every real-Kafka and interop tool.
func required() bool { return os.Getenv("KARAFKA_REQUIRE_REAL_KAFKA") == "1" }

// missing skips t (or fails it under KARAFKA_REQUIRE_REAL_KAFKA=1).
func missing(t *testing.T, format string, a ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, a...)
	if required() {
		t.Fatalf("%s (required: KARAFKA_REQUIRE_REAL_KAFKA=1)", msg)
	}
	t.Skip(msg)
}

// kcat returns the kcat (or older kafkacat) executable.
func kcat(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"kcat", "kafkacat"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "kcat not found on PATH (Debian: apt-get install -y kcat)")
	return ""
}

var (
	pythonOnce sync.Once
	pythonPath string
	pythonErr  string
)

// python returns a python3 that can import kafka-python's KafkaConsumer. The
// first python3 on PATH may be a pyenv or venv one without the Debian
// package, so /usr/bin/python3 is tried too.
func python(t *testing.T) string {
	t.Helper()
	pythonOnce.Do(func() {
		var tried []string
		for _, c := range []string{"python3", "/usr/bin/python3", "python"} {
			p, err := exec.LookPath(c)
			if err != nil {
				continue
			}
			out, err := exec.Command(p, "-c", "import kafka; from kafka import KafkaConsumer; print(kafka.__version__)").CombinedOutput()
			if err == nil {
				pythonPath = p
				return
			}
			tried = append(tried, fmt.Sprintf("%s: %s", p, lastLine(string(out))))
		}
		pythonErr = "no python3 with kafka-python (Debian: apt-get install -y python3-kafka); tried " + strings.Join(tried, "; ")
	})
	if pythonPath == "" {
		missing(t, "%s", pythonErr)
	}
	return pythonPath
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// target is a broker the tests run against.
type target struct {
	name    string
	brokers []string
	real    bool
}

// targets returns a fresh embedded broker and, when KARAFKA_TEST_BROKERS is
// set, the real one too.
func targets(t *testing.T) []target {
	t.Helper()
	out := []target{{name: "embedded", brokers: testkafka.Embedded(t).Addrs()}}
	if testkafka.External() {
		out = append(out, target{name: "kafka", brokers: testkafka.Brokers(t), real: true})
	}
	return out
}

// current returns KARAFKA_TEST_BROKERS' broker, or a fresh embedded one.
func current(t *testing.T) target {
	t.Helper()
	if testkafka.External() {
		return target{name: "kafka", brokers: testkafka.Brokers(t), real: true}
	}
	return target{name: "embedded", brokers: testkafka.Embedded(t).Addrs()}
}

// app is one test's set of topics, served by interop/internal/server.
type app struct {
	prefix string
	name   string // application name: consumer groups are <name>_<topic>
	env    []string // more of the server's environment ("K=V")
}

func newApp(t *testing.T, base string) app {
	return app{prefix: testkafka.Name(t, base) + "_", name: testkafka.Name(t, "interop")}
}

func (a app) input() string      { return a.prefix + "repositories_created" }
func (a app) output() string     { return a.prefix + "sources_created" }
func (a app) deadLetter() string { return a.input() + "_dlq" }

// create makes the input topic with partitions and every other topic of the
// server (responses, dead letters, the other routes) with outPartitions.
func (a app) create(t *testing.T, brokers []string, partitions, outPartitions int32) {
	t.Helper()
	testkafka.CreateTopics(t, brokers, partitions, a.input())
	var rest []string
	for _, r := range []string{"created", "deleted", "updated"} {
		rest = append(rest, a.prefix+"sources_"+r, a.prefix+"repositories_"+r+"_dlq")
		if r != "created" {
			rest = append(rest, a.prefix+"repositories_"+r)
		}
	}
	testkafka.CreateTopics(t, brokers, outPartitions, rest...)
}

// logLine is one JSON log record of a server.
type logLine struct {
	Time      time.Time `json:"time"`
	Level     string    `json:"level"`
	Msg       string    `json:"msg"`
	Topic     string    `json:"topic"`
	Partition *int32    `json:"partition"`
	Error     string    `json:"error"`
}

// server is a running interop server process with its JSON log captured.
type server struct {
	id   int
	cmd  *exec.Cmd
	mu   sync.Mutex
	raw  bytes.Buffer
	rest []byte // incomplete last line
	logs []logLine
	done chan struct{}
	err  error
}

func (s *server) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw.Write(b)
	s.rest = append(s.rest, b...)
	for {
		i := bytes.IndexByte(s.rest, '\n')
		if i < 0 {
			break
		}
		var l logLine
		if json.Unmarshal(s.rest[:i], &l) == nil {
			s.logs = append(s.logs, l)
		}
		s.rest = s.rest[i+1:]
	}
	return len(b), nil
}

func (s *server) lines() []logLine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]logLine(nil), s.logs...)
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// assigned returns the partitions of topic this server holds now, from its
// "partition assigned" and "partition revoked" log lines.
func (s *server) assigned(topic string) map[int32]bool {
	held := map[int32]bool{}
	for _, l := range s.lines() {
		if l.Topic != topic || l.Partition == nil {
			continue
		}
		switch l.Msg {
		case "partition assigned":
			held[*l.Partition] = true
		case "partition revoked":
			delete(held, *l.Partition)
		}
	}
	return held
}

// count returns how many log lines have msg.
func (s *server) count(msg string) int {
	n := 0
	for _, l := range s.lines() {
		if l.Msg == msg {
			n++
		}
	}
	return n
}

// serverArgs are the settings every test server runs with: quick commits,
// quick retries and reconnects, JSON logs at info.
func serverArgs(a app, brokers []string, extra ...string) []string {
	args := []string{"server", "--brokers", strings.Join(brokers, ","),
		"--log-format", "json", "--log-level", "info",
		"--set", "name=" + a.name,
		"--set", "consumer.commit_interval=200ms",
		"--set", "consumer.reconnect_backoff.initial=100ms",
		"--set", "consumer.reconnect_backoff.max=1s",
		"--set", "retry.attempts=3",
		"--set", "retry.backoff.initial=10ms",
		"--set", "retry.backoff.max=50ms",
		"--set", "shutdown_timeout=20s",
	}
	return append(args, extra...)
}

// startServer starts an interop server for a. It is stopped (SIGTERM, then
// SIGKILL) when the test ends; its log is printed if the test failed.
func startServer(t *testing.T, id int, a app, args ...string) *server {
	t.Helper()
	s := &server{id: id, cmd: exec.Command(serverBin, args...), done: make(chan struct{})}
	s.cmd.Env = testkafka.CleanEnv(append([]string{"INTEROP_TOPIC_PREFIX=" + a.prefix}, a.env...)...)
	s.cmd.Dir = t.TempDir()
	s.cmd.Stdout, s.cmd.Stderr = s, s
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		if !s.exited() {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.done:
			case <-time.After(30 * time.Second):
				_ = s.cmd.Process.Kill()
				<-s.done
			}
		}
		if t.Failed() {
			t.Logf("server %d (pid %d) exited with %v; log:\n%s", s.id, s.cmd.Process.Pid, s.err, s.output())
		}
		if dir := os.Getenv(EnvLogDir); dir != "" {
			name := filepath.Join(dir, fmt.Sprintf("%s.server-%d.log", strings.ReplaceAll(t.Name(), "/", "_"), s.id))
			if err := os.WriteFile(name, []byte(s.output()), 0o644); err != nil {
				t.Logf("keeping the server log: %v", err)
			}
		}
	})
	return s
}

// EnvLogDir names a directory where every server's log is kept (as
// <test>.server-<id>.log), passed or failed, for looking into a run.
const EnvLogDir = "KARAFKA_TEST_LOG_DIR"

// waitUntil polls cond every 50ms until it holds, failing t after d or when
// one of the servers exits.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool, servers ...*server) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		for _, s := range servers {
			if s != nil && s.exited() {
				t.Fatalf("server %d exited (%v) while waiting for %s", s.id, s.err, what)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// run runs a command to completion within d and returns its stdout; it
// fails t with stderr on a non-zero exit.
func run(t *testing.T, d time.Duration, stdin string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("%s %s: %v\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), err, se.String())
		}
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-errc
		t.Fatalf("%s %s: still running after %v\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), d, se.String())
	}
	return so.String()
}

// scanLines splits s into non-empty lines.
func scanLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			out = append(out, l)
		}
	}
	return out
}
