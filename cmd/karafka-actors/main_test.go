package main_test

// These tests run the built binaries (built once in TestMain), as a user
// would: flow output, config precedence and errors, server end to end with
// produce and consume, graceful SIGTERM under load, process management with
// live, dead and stale pid files, install, demo, and the users example's
// health endpoint. Every port is a free one.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topology"
)

var (
	bin      string // cmd/karafka-actors
	usersBin string // examples/users
	repoRoot string
)

func TestMain(m *testing.M) {
	if os.Getenv(lockerEnv) != "" {
		os.Exit(locker())
	}
	dir, err := os.MkdirTemp("", "karafka-cli-test")
	if err != nil {
		panic(err)
	}
	repoRoot, _ = filepath.Abs("../..")
	bin = filepath.Join(dir, "karafka-actors")
	usersBin = filepath.Join(dir, "users")
	for out, pkg := range map[string]string{bin: "./cmd/karafka-actors", usersBin: "./examples/users"} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Dir = repoRoot
		if b, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, b)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs the binary to completion (at most 60s), in the test process's
// environment without its KARAFKA_ variables, plus env (testkafka.CleanEnv).
func run(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	return runWith(t, nil, testkafka.CleanEnv(env...), stdin, args...)
}

// runDefault is run with no KARAFKA_ variable at all, KARAFKA_TEST_CLIENT's
// aside: for what the binary prints on its defaults.
func runDefault(t *testing.T, args ...string) result {
	t.Helper()
	return runWith(t, nil, testkafka.BareEnv(), "", args...)
}

// runWith is run with the process attributes attr and the whole
// environment environ.
func runWith(t *testing.T, attr *syscall.SysProcAttr, environ []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.SysProcAttr = attr
	cmd.Env = environ
	cmd.Dir = t.TempDir()
	cmd.Stdin = strings.NewReader(stdin)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return result{so.String(), se.String(), code}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is a long-running binary with its stderr captured.
type process struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.Write(b)
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func start(t *testing.T, path string, args ...string) *process {
	t.Helper()
	return startEnv(t, nil, path, args...)
}

// startEnv is start with env added to the process's environment.
func startEnv(t *testing.T, env []string, path string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(path, args...), done: make(chan struct{})}
	p.cmd.Env = testkafka.CleanEnv(env...)
	p.cmd.Dir = t.TempDir()
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s %v output:\n%s", filepath.Base(path), args, p.log())
		}
	})
	return p
}

// waitFor polls the process's stderr for s.
func (p *process) waitFor(t *testing.T, s string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(p.log(), s) {
		select {
		case <-p.done:
			t.Fatalf("process exited (%v) before logging %q:\n%s", p.err, s, p.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q after %v:\n%s", s, d, p.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exit waits for the process and returns its exit code.
func (p *process) exit(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("still running after %v", d)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

const exampleFlow = `repositories_created =>
  - sources_created:      (always, exactly once)
repositories_deleted =>
  - sources_deleted:      (always, exactly once)
repositories_updated =>
  - sources_updated:      (always, exactly once)
sources_refresh =>
  - sources_refreshed:    (conditionally, exactly once)
  - sources_disconnected: (conditionally, exactly once)
users_create =>
  - users_created:        (always, exactly once)
  - users_premium_created: (conditionally, exactly once)
`

func TestFlow_textIsKarafkasFormat(t *testing.T) {
	r := runDefault(t, "flow")
	if r.code != 0 || r.stdout != exampleFlow {
		t.Fatalf("exit %d\n--- got\n%s--- want\n%s--- stderr\n%s", r.code, r.stdout, exampleFlow, r.stderr)
	}
}

func TestFlow_otherFormatsParse(t *testing.T) {
	tree := runDefault(t, "flow", "--format", "tree")
	for _, want := range []string{"karafka-actors (kafka client sarama; root supervisor: one_for_one", "listener users_create (group karafka-actors_users_create",
		"partition actors: one per claimed partition", "responder UsersCreateResponder", "users_premium_created (conditionally, exactly once)"} {
		if !strings.Contains(tree.stdout, want) {
			t.Errorf("tree lacks %q:\n%s", want, tree.stdout)
		}
	}
	dot := run(t, nil, "", "flow", "--format", "dot")
	if dot.code != 0 || !strings.HasPrefix(dot.stdout, `digraph "karafka-actors" {`) || !strings.HasSuffix(dot.stdout, "}\n") ||
		strings.Count(dot.stdout, "{") != strings.Count(dot.stdout, "}") || !strings.Contains(dot.stdout, "supervisor__karafka_2dactors -> listener__users_create;") {
		t.Errorf("dot:\n%s", dot.stdout)
	}
	if path, err := exec.LookPath("dot"); err == nil {
		cmd := exec.Command(path, "-Tsvg")
		cmd.Stdin = strings.NewReader(dot.stdout)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("graphviz rejects the DOT: %v\n%s", err, out)
		}
	}
	mm := run(t, nil, "", "flow", "--format", "mermaid")
	if mm.code != 0 || !strings.HasPrefix(mm.stdout, "flowchart LR\n") || !strings.Contains(mm.stdout, "-. always, exactly once .-> topic__users_created") {
		t.Errorf("mermaid:\n%s", mm.stdout)
	}
	js := run(t, nil, "", "flow", "--format", "json")
	var g topology.Graph
	dec := json.NewDecoder(strings.NewReader(js.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		t.Fatalf("json: %v\n%s", err, js.stdout)
	}
	if g.FormatVersion != 1 || len(g.Listeners) != 5 || g.Listeners[4].Topic != "users_create" || g.Listeners[4].BeforeFilters != 1 {
		t.Errorf("json graph: %+v", g)
	}
	if bad := run(t, nil, "", "flow", "--format", "svg"); bad.code != 2 || !strings.Contains(bad.stderr, "allowed: text, tree, dot, mermaid, json") {
		t.Errorf("bad format: %+v", bad)
	}
}

func TestRoutes_listsEveryRoute(t *testing.T) {
	r := run(t, nil, "", "routes")
	for _, want := range []string{"TOPIC", "users_create", "karafka-actors_users_create", "UsersCreateController", "UsersCreateResponder", "json", "users_create_dlq", "SourcesRefreshResponder"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("routes lacks %q:\n%s", want, r.stdout)
		}
	}
}

// infoValue returns the value of key in `info` output.
func infoValue(t *testing.T, out, key string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == key && f[1] == "=" {
			return strings.Join(f[2:], " ")
		}
	}
	t.Fatalf("no %s in:\n%s", key, out)
	return ""
}

func TestConfig_precedenceFileEnvFlag(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "karafka.yaml")
	os.WriteFile(file, []byte(`
name: from_file
kafka:
  version: "2.8.0"
  client_id: file_client
  brokers: ["file:9092"]
  sasl:
    mechanism: PLAIN
    username: u
    password: secret
consumer:
  session_timeout: 20s
log:
  level: debug
`), 0o644)
	r := run(t, []string{"KARAFKA_KAFKA_VERSION=3.0.0", "KARAFKA_KAFKA_CLIENT_ID=env_client", "KARAFKA_KAFKA_BROKERS=a:9092,b:9092"}, "",
		"info", "--config", file, "--set", "kafka.version=3.5.0")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for key, want := range map[string]string{
		"name":                     "from_file", // file only
		"consumer.session_timeout": "20s",
		"kafka.client_id":          "env_client", // env beats file
		"kafka.brokers":            "a:9092,b:9092",
		"kafka.version":            "3.5.0", // flag beats env and file
		"log.level":                "debug",
		"shutdown_timeout":         "30s", // default
		"kafka.sasl.password":      "******",
	} {
		if got := infoValue(t, r.stdout, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if strings.Contains(r.stdout, "secret") {
		t.Errorf("info prints the password:\n%s", r.stdout)
	}
	// The --brokers shortcut is a flag too.
	r = run(t, []string{"KARAFKA_KAFKA_BROKERS=a:9092"}, "", "info", "--brokers", "c:9092")
	if got := infoValue(t, r.stdout, "kafka.brokers"); got != "c:9092" {
		t.Errorf("--brokers: %q", got)
	}
}

func TestConfig_badConfigExits2NamingTheKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	cases := []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{"unknown file key", nil, []string{"--config", write("a.yaml", "kafka:\n  brokerz: [x]\n")}, []string{"kafka.brokerz", "unknown key", "did you mean kafka.brokers"}},
		{"unknown env var", []string{"KARAFKA_KAFKA_BROKERZ=x"}, nil, []string{"KARAFKA_KAFKA_BROKERZ", "did you mean KARAFKA_KAFKA_BROKERS"}},
		{"unknown --set key", nil, []string{"--set", "retry.attempt=3"}, []string{"retry.attempt", "did you mean retry.attempts"}},
		{"duration not a string", nil, []string{"--config", write("b.yaml", "shutdown_timeout: 30\n")}, []string{"shutdown_timeout", `Go duration string such as "30s"`}},
		{"bad duration from env", []string{"KARAFKA_CONSUMER_SESSION_TIMEOUT=soon"}, nil, []string{"consumer.session_timeout", "KARAFKA_CONSUMER_SESSION_TIMEOUT", "not a duration"}},
		{"log format enum", nil, []string{"--log-format", "xml"}, []string{"log.format", "allowed: text, json"}},
		{"strategy enum", nil, []string{"--set", "supervision.strategy=rest_for_one"}, []string{"supervision.strategy", "one_for_one, all_for_one, exponential_backoff"}},
		{"not an integer", nil, []string{"--set", "retry.attempts=many"}, []string{"retry.attempts", "not an integer"}},
		{"not a boolean", []string{"KARAFKA_DEAD_LETTER_ENABLED=yes please"}, nil, []string{"dead_letter.enabled", "allowed: true, false"}},
		{"value out of range", nil, []string{"--set", "consumer.session_timeout=10ms"}, []string{"consumer.session_timeout", "below 1s"}},
		{"sasl mechanism", nil, []string{"--set", "kafka.sasl.mechanism=GSSAPI"}, []string{"kafka.sasl.mechanism", "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"}},
		{"retry attempts zero", nil, []string{"--set", "retry.attempts=0"}, []string{"retry.attempts", "at least 1"}},
		{"missing config file", nil, []string{"--config", filepath.Join(dir, "nope.yaml")}, []string{"nope.yaml"}},
		{"unknown flag", nil, []string{"--no-such-flag"}, []string{"unknown flag"}},
		{"daemon without pid file", nil, []string{"--daemon"}, []string{"--daemon needs --pid-file"}},
		{"missing tls ca file", []string{"KARAFKA_KAFKA_TLS_ENABLED=true"}, []string{"--set", "kafka.tls.ca_file=" + filepath.Join(dir, "ca.pem")},
			[]string{"kafka.tls.ca_file", filepath.Join(dir, "ca.pem")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// server with a broker nobody listens on: a config error must
			// exit 2 before any connection is tried.
			args := append([]string{"server", "--brokers", freeAddr(t)}, tc.args...)
			start := time.Now()
			r := run(t, tc.env, "", args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\nstderr: %s", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "cannot reach Kafka") || time.Since(start) > 10*time.Second {
				t.Errorf("tried to connect:\n%s", r.stderr)
			}
		})
	}
}

// KARAFKA_ variables of other tools (Ruby Karafka's KARAFKA_ENV, the
// README's KARAFKA_FUZZ_TIME, scripts/kafka.sh's) do not break a command.
func TestConfig_otherToolsKarafkaVariablesAreLeftAlone(t *testing.T) {
	r := run(t, []string{"KARAFKA_ENV=production", "KARAFKA_FUZZ_TIME=0", "KARAFKA_KAFKA_PORT=29092",
		"KARAFKA_KAFKA_SASL_PORT=29094", "KARAFKA_KAFKA_HEAP_OPTS=-Xmx512m"}, "", "info")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, want 0 and nothing on stderr:\n%s", r.code, r.stderr)
	}
}

// A config file with several bad keys: the command names every one, with
// its source, once, and no Go package.
func TestConfig_everyProblemAtOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte("retry:\n  attempts: -1\nconsumer:\n  session_timeout: 2s\n  heartbeat_interval: 5s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "", "info", "--config", file)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\nstderr: %s", r.code, r.stderr)
	}
	for _, want := range []string{"karafka-actors: invalid configuration (2 problems):\n",
		"\n  retry.attempts (config file " + file + "): -1 must be at least 1",
		"\n  consumer.heartbeat_interval (config file " + file + "): 5s must be at least 1ms and below session_timeout (2s)"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "invalid config:") {
		t.Errorf("stderr names a Go package:\n%s", r.stderr)
	}
}

// info validates like server: a TLS file that cannot be read is invalid
// configuration (exit 2, naming the key), not an unreachable broker.
func TestInfo_unreadableTLSFileExits2(t *testing.T) {
	dir := t.TempDir()
	for _, key := range []string{"ca_file", "cert_file", "key_file"} {
		t.Run(key, func(t *testing.T) {
			missing := filepath.Join(dir, key+".pem")
			args := []string{"info", "--set", "kafka.tls.enabled=true", "--set", "kafka.tls." + key + "=" + missing}
			if key != "ca_file" { // cert and key come as a pair
				other := map[string]string{"cert_file": "key_file", "key_file": "cert_file"}[key]
				args = append(args, "--set", "kafka.tls."+other+"="+missing)
			}
			r := run(t, nil, "", args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			if want := "kafka.tls." + key; !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, missing) {
				t.Errorf("stderr does not name %s and %s:\n%s", want, missing, r.stderr)
			}
		})
	}
}

// The README's quick start by hand, on each client: the server on the
// embedded broker with --set kafka.client, produce and consume with
// KARAFKA_KAFKA_CLIENT.
func TestServer_embeddedBrokerEndToEnd(t *testing.T) {
	for _, lib := range []string{kafka.ClientSarama, kafka.ClientFranz} {
		t.Run(lib, func(t *testing.T) { testServerEmbedded(t, lib) })
	}
}

func testServerEmbedded(t *testing.T, lib string) {
	addr := freeAddr(t)
	pid := filepath.Join(t.TempDir(), "karafka.pid")
	srv := start(t, bin, "server", "--embedded-broker="+addr, "--pid-file", pid, "--set", "retry.backoff.initial=10ms", "--set", "kafka.client="+lib)
	srv.waitFor(t, "karafka-actors running", 30*time.Second)
	if !strings.Contains(srv.log(), `msg="karafka-actors running" app=karafka-actors client=`+lib+" ") {
		t.Errorf("the start-up line does not name client %s:\n%s", lib, srv.log())
	}
	env := []string{"KARAFKA_KAFKA_CLIENT=" + lib}

	if r := run(t, env, "", "status", "--pid-file", pid); r.code != 0 || !strings.Contains(r.stdout, "running (pid "+strconv.Itoa(srv.cmd.Process.Pid)) {
		t.Fatalf("status of a live server: %+v", r)
	}
	in := `{"id":1,"email":"ada@example.com","premium":true}
{"id":2,"email":"bob@example.com","premium":false}
{"id":3,"premium":true}
{"id":4,"email":
{"id":5,"email":"eve@example.com","premium":false}
`
	if r := run(t, env, in, "produce", "users_create", "--brokers", addr); r.code != 0 || !strings.Contains(r.stderr, "produced 5 message(s)") {
		t.Fatalf("produce: %+v", r)
	}
	created := run(t, env, "", "consume", "users_created", "--from-beginning", "--count", "3", "--timeout", "30s", "--brokers", addr)
	var ids []int
	for _, l := range strings.Split(strings.TrimSpace(created.stdout), "\n") {
		var u struct{ ID int }
		if err := json.Unmarshal([]byte(l), &u); err != nil {
			t.Fatalf("consume output %q: %v", l, err)
		}
		ids = append(ids, u.ID)
	}
	if created.code != 0 || fmt.Sprint(ids) != "[1 2 5]" {
		t.Fatalf("users_created: %v %+v", ids, created)
	}
	premium := run(t, env, "", "consume", "users_premium_created", "--from-beginning", "--count", "1", "--timeout", "30s", "--group", "test_reader", "--brokers", addr)
	if premium.code != 0 || !strings.Contains(premium.stdout, `"id":1`) {
		t.Fatalf("users_premium_created: %+v", premium)
	}
	dlq := run(t, env, "", "consume", "users_create_dlq", "--from-beginning", "--count", "1", "--timeout", "30s", "--brokers", addr)
	if dlq.code != 0 || strings.TrimSpace(dlq.stdout) != `{"id":4,"email":` {
		t.Fatalf("dead letter: %+v", dlq)
	}
	// --headers shows why it was dead-lettered: a JSON object, a tab, the value.
	dlqh := run(t, env, "", "consume", "users_create_dlq", "--from-beginning", "--count", "1", "--timeout", "30s", "--headers", "--brokers", addr)
	hdrs, value, ok := strings.Cut(strings.TrimSpace(dlqh.stdout), "\t")
	var h map[string]string
	if dlqh.code != 0 || !ok || value != `{"id":4,"email":` || json.Unmarshal([]byte(hdrs), &h) != nil {
		t.Fatalf("dead letter with --headers: %+v", dlqh)
	}
	if h["karafka.origin.topic"] != "users_create" || h["karafka.error"] == "" {
		t.Fatalf("dead letter headers: %v", h)
	}
	// Nothing more on users_created (the filtered and malformed ones gave nothing).
	if more := run(t, env, "", "consume", "users_created", "--from-beginning", "--count", "4", "--timeout", "1s", "--brokers", addr); more.code != 1 {
		t.Fatalf("extra responses: %+v", more)
	}

	if r := run(t, env, "", "stop", "--pid-file", pid, "--timeout", "30s"); r.code != 0 || !strings.Contains(r.stdout, "stopped") {
		t.Fatalf("stop: %+v", r)
	}
	if code := srv.exit(t, 5*time.Second); code != 0 {
		t.Fatalf("server exit %d", code)
	}
	if _, err := os.Stat(pid); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
	if r := run(t, env, "", "status", "--pid-file", pid); r.code != 3 {
		t.Fatalf("status after stop: %+v", r)
	}
}

func TestServer_sigtermUnderLoadAnswersEveryConsumedInput(t *testing.T) {
	addr := freeAddr(t)
	broker := start(t, bin, "broker", "--listen", addr)
	_ = broker
	waitDial(t, addr)
	name := "sigterm_test"
	srv := start(t, bin, "server", "--brokers", addr, "--set", "name="+name, "--set", "kafka.create_topics=true",
		"--set", "consumer.commit_interval=50ms")
	srv.waitFor(t, "karafka-actors running", 30*time.Second)

	const total = 30000
	var in strings.Builder
	for i := range total {
		fmt.Fprintf(&in, "{\"id\":%d}\n", i)
	}
	if r := run(t, nil, in.String(), "produce", "repositories_created", "--brokers", addr); r.code != 0 {
		t.Fatalf("produce: %+v", r)
	}
	// Signal while work is in flight: as soon as the first responses exist.
	if r := run(t, nil, "", "consume", "sources_created", "--from-beginning", "--count", "1", "--timeout", "30s", "--brokers", addr); r.code != 0 {
		t.Fatalf("no response at all: %+v", r)
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.exit(t, 40*time.Second); code != 0 {
		t.Fatalf("server exit %d after SIGTERM", code)
	}

	// Every input below the committed offset has its response.
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V2_8_0_0
	admin, err := sarama.NewClusterAdmin([]string{addr}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	offs, err := admin.ListConsumerGroupOffsets(name+"_repositories_created", map[string][]int32{"repositories_created": {0}})
	if err != nil {
		t.Fatal(err)
	}
	committed := offs.Blocks["repositories_created"][0].Offset
	if committed <= 0 {
		t.Fatalf("nothing committed (%d)", committed)
	}
	out := run(t, nil, "", "consume", "sources_created", "--from-beginning", "--count", strconv.FormatInt(committed, 10), "--timeout", "30s", "--brokers", addr)
	seen := map[int64]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out.stdout), "\n") {
		var s struct {
			RepositoryID int64 `json:"repository_id"`
		}
		if err := json.Unmarshal([]byte(l), &s); err == nil {
			seen[s.RepositoryID] = true
		}
	}
	for id := range committed {
		if !seen[id] {
			t.Fatalf("input %d is committed (offset %d) but has no response (%d responses read)", id, committed, len(seen))
		}
	}
	t.Logf("SIGTERM after the first response: %d of %d inputs committed, all answered", committed, total)
}

// A response topic that does not exist: the server's log names it, and a
// SIGTERM that cannot finish the stalled message exits 1, saying how many
// messages stay uncommitted.
func TestServer_missingResponseTopicExits1(t *testing.T) {
	addr := freeAddr(t)
	start(t, bin, "broker", "--listen", addr)
	waitDial(t, addr)
	testkafka.CreateTopics(t, []string{addr}, 1, "repositories_created") // not sources_created
	srv := start(t, bin, "server", "--brokers", addr, "--set", "shutdown_timeout=1s", "--set", "produce_backoff.initial=50ms")
	srv.waitFor(t, "karafka-actors running", 30*time.Second)
	if r := run(t, nil, `{"id":1}`+"\n", "produce", "repositories_created", "--brokers", addr); r.code != 0 {
		t.Fatalf("produce: %+v", r)
	}
	srv.waitFor(t, `response topic \"sources_created\" does not exist (UNKNOWN_TOPIC_OR_PARTITION)`, 30*time.Second)
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.exit(t, 30*time.Second); code != 1 {
		t.Fatalf("server exit %d after SIGTERM with an undone message, want 1", code)
	}
	if log := srv.log(); !strings.Contains(log, "undone messages: 1 message of repositories_created/0") {
		t.Errorf("the server's last words do not count the undone message:\n%s", log)
	}
}

func waitDial(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestProcess_statusAndStopWithPidFiles(t *testing.T) {
	dir := t.TempDir()
	// dead: the pid of a process that has exited.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPid := filepath.Join(dir, "dead.pid")
	os.WriteFile(deadPid, []byte(strconv.Itoa(dead.Process.Pid)+"\n"), 0o644)
	// stale: a live process that is not a server (pid reused), holding no lock.
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	stalePid := filepath.Join(dir, "stale.pid")
	os.WriteFile(stalePid, []byte(strconv.Itoa(sleeper.Process.Pid)+"\n"), 0o644)
	garbage := filepath.Join(dir, "garbage.pid")
	os.WriteFile(garbage, []byte("not a pid\n"), 0o644)

	for _, tc := range []struct {
		pid  string
		code int
		want string
	}{
		{deadPid, 1, "stale pid file"},
		{stalePid, 1, "stale pid file"},
		{garbage, 4, "does not hold a pid"},
		// says why a foreground server without --pid-file is not seen
		{filepath.Join(dir, "none.pid"), 3, "started without --pid-file (in the foreground) writes none"},
	} {
		if r := run(t, nil, "", "status", "--pid-file", tc.pid); r.code != tc.code || !strings.Contains(r.stdout, tc.want) {
			t.Errorf("status %s: exit %d (want %d): %s", filepath.Base(tc.pid), r.code, tc.code, r.stdout+r.stderr)
		}
	}
	// stop on a stale pid file reports it, removes it, and signals nobody.
	if r := run(t, nil, "", "stop", "--pid-file", stalePid); r.code != 0 || !strings.Contains(r.stdout, "removed stale pid file") {
		t.Errorf("stop stale: %+v", r)
	}
	if err := sleeper.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("stop signalled the unrelated process: %v", err)
	}
	if _, err := os.Stat(stalePid); !os.IsNotExist(err) {
		t.Errorf("stale pid file kept")
	}
	if r := run(t, nil, "", "stop", "--pid-file", filepath.Join(dir, "none.pid")); r.code != 0 || !strings.Contains(r.stdout, "not running") {
		t.Errorf("stop not running: %+v", r)
	}

	// live: a daemon started by server --daemon, then restart, then stop.
	pid := filepath.Join(dir, "live.pid")
	addr := freeAddr(t)
	r := run(t, nil, "", "server", "--daemon", "--pid-file", pid, "--embedded-broker="+addr)
	if r.code != 0 || !strings.Contains(r.stdout, "started (pid") {
		t.Fatalf("server --daemon: %+v", r)
	}
	first, _ := os.ReadFile(pid)
	t.Cleanup(func() { run(t, nil, "", "stop", "--pid-file", pid) })
	for _, f := range []string{pid, strings.TrimSuffix(pid, ".pid") + ".log"} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: want mode 0600: %v %v", filepath.Base(f), fi.Mode(), err)
		}
	}
	if r := run(t, nil, "", "status", "--pid-file", pid); r.code != 0 {
		t.Fatalf("status of the daemon: %+v", r)
	}
	if r := run(t, nil, "", "server", "--daemon", "--pid-file", pid, "--embedded-broker="+freeAddr(t)); r.code != 1 || !strings.Contains(r.stderr, "already running") {
		t.Errorf("second daemon on the same pid file: %+v", r)
	}
	if r := run(t, nil, "", "restart", "--pid-file", pid, "--embedded-broker="+addr); r.code != 0 || !strings.Contains(r.stdout, "stopped") || !strings.Contains(r.stdout, "started") {
		t.Fatalf("restart: %+v", r)
	}
	second, _ := os.ReadFile(pid)
	if bytes.Equal(first, second) {
		t.Errorf("restart kept pid %s", first)
	}
	if r := run(t, nil, "", "stop", "--pid-file", pid); r.code != 0 {
		t.Fatalf("stop daemon: %+v", r)
	}
	if r := run(t, nil, "", "status", "--pid-file", pid); r.code != 3 {
		t.Fatalf("status after stop: %+v", r)
	}
	logFile := strings.TrimSuffix(pid, ".pid") + ".log"
	if b, _ := os.ReadFile(logFile); !strings.Contains(string(b), "karafka-actors stopped") {
		t.Errorf("daemon log %s lacks the clean stop:\n%s", logFile, b)
	}
}

// The daemon's log in a directory others write to: a link a neighbour put
// at its path is refused before anything starts, and its target is left as
// it was.
func TestProcess_daemonRefusesALogFileLink(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious")
	if err := os.WriteFile(precious, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "app.log")
	if err := os.Symlink(precious, logFile); err != nil {
		t.Fatal(err)
	}
	pid := filepath.Join(dir, "app.pid")
	t.Cleanup(func() { run(t, nil, "", "stop", "--pid-file", pid) })
	r := run(t, nil, "", "server", "--daemon", "--pid-file", pid, "--log-file", logFile, "--embedded-broker="+freeAddr(t))
	if want := "log file " + logFile + " is a symbolic link: refusing to follow it"; r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("server --daemon with a linked log file: %+v, want exit 1 and %q", r, want)
	}
	if b, _ := os.ReadFile(precious); string(b) != "precious\n" {
		t.Errorf("the link's target was written:\n%s", b)
	}
}

func TestInstall_scaffoldBuilds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my_app")
	r := run(t, nil, "", "install", dir, "--replace", repoRoot)
	if r.code != 0 {
		t.Fatalf("install: %+v", r)
	}
	for _, f := range []string{"go.mod", "main.go", "karafka.yaml", "README.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	// The next steps use the scaffolded config file (without --config it is
	// not read), and the scaffolded README links to the framework by URL (a
	// bare module path is a relative link).
	if want := "go run . server --embedded-broker --config karafka.yaml"; !strings.Contains(r.stdout, want) {
		t.Errorf("next steps lack %q:\n%s", want, r.stdout)
	}
	if readme, _ := os.ReadFile(filepath.Join(dir, "README.md")); !strings.Contains(string(readme), "](https://github.com/karafka-actors/karafka-actors)") {
		t.Errorf("scaffolded README does not link to the framework's URL:\n%s", readme)
	} else if strings.Count(string(readme), "127.0.0.1:9092") != 3 {
		// Every command names the broker, so all three move to another
		// port together (a newcomer's trial found them tied to 9092).
		t.Errorf("scaffolded README: the server, produce and consume commands must each name the broker:\n%s", readme)
	}
	if r := run(t, nil, "", "install", dir); r.code != 2 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("install over an app: %+v", r)
	}
	build := exec.Command("go", "build", "-o", "app", ".")
	build.Dir = dir
	build.Env = append(testkafka.CleanEnv(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("scaffold does not build: %v\n%s", err, out)
	}
	flow := exec.Command(filepath.Join(dir, "app"), "flow", "--config", filepath.Join(dir, "karafka.yaml"))
	flow.Env = testkafka.CleanEnv()
	out, err := flow.Output()
	if want := "events_created =>\n  - events_processed:     (always, exactly once)\n"; err != nil || string(out) != want {
		t.Fatalf("scaffold flow: %v\n%q\nwant %q", err, out, want)
	}
}

// The demo runs on either client: --set kafka.client=franz (or
// KARAFKA_KAFKA_CLIENT) chooses it, and its first line says which.
func TestDemo_showsInputsAndResponses(t *testing.T) {
	for _, lib := range []string{"", kafka.ClientSarama, kafka.ClientFranz} {
		name := lib
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) { testDemo(t, lib) })
	}
	r := run(t, nil, "", "demo", "--set", "kafka.client=kafka-go")
	if want := `kafka.client (flag): "kafka-go" is not allowed (allowed: sarama, franz)`; r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Errorf("demo on an unknown client: exit %d, want 2 and %q:\n%s", r.code, want, r.stderr)
	}
}

func testDemo(t *testing.T, lib string) {
	args, want := []string{"demo"}, kafka.ClientSarama
	if lib != "" {
		args, want = append(args, "--set", "kafka.client="+lib), lib
	}
	r := runDefault(t, args...)
	if r.code != 0 {
		t.Fatalf("demo exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if first, _, _ := strings.Cut(r.stdout, "\n"); !strings.HasSuffix(first, ", kafka client "+want) {
		t.Errorf("demo's first line does not name client %s: %q", want, first)
	} else if !regexp.MustCompile(`, schema registry on http://127\.0\.0\.1:[1-9][0-9]*, `).MatchString(first) {
		t.Errorf("demo's first line does not name the app's schema registry: %q", first)
	}
	for _, want := range []string{
		"-> users_create           key=1 {\"id\":1,\"email\":\"ada@example.com\",\"premium\":true}",
		"<- users_premium_created  key=1",
		"<- sources_disconnected   {\"source_id\":5}",
		"dropped by the before-filter",
		"<- users_create_dlq",
		"karafka.origin.topic: users_create",
		"<- orders_confirmed       key=7 {\"order_id\":7,\"status\":\"confirmed\",\"total\":36} (avro, schema id ",
		"<- orders_placed_dlq      key=8 {\"id\":8,\"total\":15.5}",
		"magic byte 0x7b, want 0x00",
		"done: 12 inputs",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	// An input's responses show in the order its responder declares its
	// topics, as the README shows them, however they arrive.
	premium := "   <- users_created          key=1 {\"id\":1,\"email\":\"ada@example.com\",\"premium\":true}\n" +
		"   <- users_premium_created  key=1 {\"id\":1,\"email\":\"ada@example.com\",\"premium\":true}\n"
	if !strings.Contains(r.stdout, premium) {
		t.Errorf("the premium user's responses are not users_created, then users_premium_created:\n%s", r.stdout)
	}
}

func TestUsersExample_httpSurface(t *testing.T) {
	addr := freeAddr(t)
	srv := start(t, usersBin, "server", "--embedded-broker="+freeAddr(t), "--http-addr", addr)
	srv.waitFor(t, "karafka-actors running", 30*time.Second)
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(body)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok (running)\n" {
		t.Fatalf("healthz: %d %q", code, body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for code, body := get("/readyz"); code != 200; code, body = get("/readyz") {
		if time.Now().After(deadline) {
			t.Fatalf("readyz: %d %q", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "karafka_ready 1") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics: %d\n%s", code, body)
	}
	if code, body := get("/api/state"); code != 200 || !strings.Contains(body, `"topic": "users_create"`) {
		t.Errorf("api/state: %d\n%s", code, body)
	}
	if code, body := get("/api/topology"); code != 200 || !strings.Contains(body, `"format_version": 1`) {
		t.Errorf("api/topology: %d\n%s", code, body)
	}
	_ = srv.cmd.Process.Signal(syscall.SIGINT)
	if code := srv.exit(t, 30*time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// No args: help, exit 0.
	out, err := exec.Command(usersBin).Output()
	if err != nil || !strings.Contains(string(out), "Available Commands:") {
		t.Fatalf("no-args help: %v\n%s", err, out)
	}
}

// forwarder accepts connections on a loopback port and pipes each to
// upstream, counting them.
type forwarder struct {
	ln    net.Listener
	conns atomic.Int64
}

func forward(t *testing.T, upstream string) *forwarder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &forwarder{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.conns.Add(1)
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return f
}

// TestBroker_advertiseAndDataDir: `broker --advertise` sends clients through
// another address (here a forwarder to the broker), and `--data-dir` keeps
// the records for a broker started again on it after SIGTERM.
func TestBroker_advertiseAndDataDir(t *testing.T) {
	addr, dir := freeAddr(t), t.TempDir()
	fwd := forward(t, addr)
	args := []string{"broker", "--listen", addr, "--advertise", fwd.ln.Addr().String(), "--data-dir", dir}
	first := start(t, bin, append(args, "--topics", "kept")...)
	waitDial(t, addr)
	if r := run(t, nil, "a\nb\nc\n", "produce", "kept", "--brokers", addr); r.code != 0 {
		t.Fatalf("produce: %+v", r)
	}
	if fwd.conns.Load() == 0 {
		t.Errorf("no client connected through the advertised address %s", fwd.ln.Addr())
	}
	if !strings.Contains(first.log(), "broker advertising "+fwd.ln.Addr().String()) {
		t.Errorf("the broker does not say what it advertises:\n%s", first.log())
	}
	_ = first.cmd.Process.Signal(syscall.SIGTERM)
	if code := first.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("broker exit %d after SIGTERM", code)
	}

	start(t, bin, args...)
	waitDial(t, addr)
	r := run(t, nil, "", "consume", "kept", "--from-beginning", "--count", "3", "--timeout", "30s", "--brokers", addr)
	if got := strings.Fields(r.stdout); r.code != 0 || strings.Join(got, ",") != "a,b,c" {
		t.Errorf("after the restart consume read %q (exit %d), want a,b,c:\n%s", r.stdout, r.code, r.stderr)
	}
}

// The reproduction through the binary: a record just under the
// broker's limit fails, its dead letter is over the producer's. The
// record after it is answered and committed, and SIGTERM exits 0. Before,
// the dead letter was sent again forever, nothing after the record was
// committed and the server exited 1.
func TestServer_deadLetterOverTheLimitDoesNotStall(t *testing.T) {
	addr := freeAddr(t)
	start(t, bin, "broker", "--listen", addr)
	waitDial(t, addr)
	name := "oversize_test"
	srv := start(t, bin, "server", "--brokers", addr, "--set", "name="+name, "--set", "kafka.create_topics=true",
		"--set", "consumer.commit_interval=50ms", "--set", "shutdown_timeout=5s")
	srv.waitFor(t, "karafka-actors running", 30*time.Second)
	in := strings.Repeat("A", 1048490) + "\n" + `{"id":16}` + "\n"
	if r := run(t, nil, in, "produce", "repositories_deleted", "--brokers", addr); r.code != 0 {
		t.Fatalf("produce: %+v", r)
	}
	if r := run(t, nil, "", "consume", "sources_deleted", "--from-beginning", "--count", "1", "--timeout", "30s", "--brokers", addr); r.code != 0 || !strings.Contains(r.stdout, "16") {
		t.Fatalf("no response for id 16: %+v", r)
	}
	dead := run(t, nil, "", "consume", "repositories_deleted_dlq", "--from-beginning", "--count", "1", "--timeout", "30s", "--brokers", addr, "--headers")
	if dead.code != 0 || !strings.Contains(dead.stdout, `"karafka.truncated.value":"1048490"`) {
		t.Fatalf("dead letter not cut to fit, or not written: code %d, %.300s", dead.code, dead.stdout)
	}
	srv.waitFor(t, "dead letter cut to fit producer.max_message_bytes", 10*time.Second)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if offs := testkafka.Committed(t, []string{addr}, name+"_repositories_deleted", "repositories_deleted"); offs[0] == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("offset 2 never committed")
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.exit(t, 30*time.Second); code != 0 {
		t.Fatalf("server exit %d after SIGTERM, want 0", code)
	}
}

// `server --embedded-broker` serves a schema registry next to the broker
// and logs its URL after the broker's address; `broker --registry` serves
// one too and prints it. Both refuse an incompatible Avro version as a
// registry does.
func TestServer_embeddedRegistry(t *testing.T) {
	srv := start(t, bin, "server", "--embedded-broker="+freeAddr(t))
	srv.waitFor(t, "karafka-actors running", 30*time.Second)
	m := regexp.MustCompile(`msg="embedded broker listening" addr=\S+\n.*msg="embedded schema registry listening" url=(http://127\.0\.0\.1:\d+)\n`).FindStringSubmatch(srv.log())
	if m == nil {
		t.Fatalf("no registry URL after the broker's address:\n%s", srv.log())
	}
	checkRegistry(t, m[1])
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.exit(t, 30*time.Second); code != 0 {
		t.Fatalf("server exit %d after SIGTERM, want 0", code)
	}

	broker := start(t, bin, "broker", "--listen", freeAddr(t), "--registry=127.0.0.1:0")
	broker.waitFor(t, "schema registry listening on http://", 30*time.Second)
	m = regexp.MustCompile(`schema registry listening on (http://127\.0\.0\.1:\d+)\n`).FindStringSubmatch(broker.log())
	if m == nil {
		t.Fatalf("no registry URL:\n%s", broker.log())
	}
	checkRegistry(t, m[1])
	_ = broker.cmd.Process.Signal(syscall.SIGTERM)
	if code := broker.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("broker exit %d after SIGTERM, want 0", code)
	}
}

// checkRegistry registers an Avro version at url and is refused an
// incompatible one (HTTP 409).
func checkRegistry(t *testing.T, url string) {
	t.Helper()
	register := func(fields string) int {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"schema": `{"type":"record","name":"User","fields":[{"name":"id","type":"long"}` + fields + `]}`})
		resp, err := http.Post(url+"/subjects/users-value/versions", "application/vnd.schemaregistry.v1+json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := register(""); code != http.StatusOK {
		t.Fatalf("register v1 at %s: HTTP %d", url, code)
	}
	if code := register(`,{"name":"email","type":"string"}`); code != http.StatusConflict {
		t.Errorf("register an incompatible v2 at %s: HTTP %d, want 409", url, code)
	}
}
