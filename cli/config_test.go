package cli

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
)

var update = flag.Bool("update", false, "rewrite configs/karafka.yaml and docs/configuration.md's table")

// docs/configuration.md's table is generated from the schema; go generate
// ./cli rewrites it.
func TestConfigReference_isGeneratedFromTheSchema(t *testing.T) {
	var table bytes.Buffer
	if err := WriteConfigReference(&table); err != nil {
		t.Fatal(err)
	}
	const path = "../docs/configuration.md"
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := withReference(page, table.Bytes())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		page = want
	}
	if !bytes.Equal(page, want) {
		t.Fatalf("%s is out of date; run go generate ./cli\n%s", path, table.String())
	}
}

// configs/karafka.yaml documents every key with its default, and loads to
// exactly the defaults.
func TestConfigYAML_documentsEveryKeyWithItsDefault(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteConfigYAML(&buf, "karafka_app"); err != nil {
		t.Fatal(err)
	}
	const path = "../configs/karafka.yaml"
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, buf.Bytes()) {
		t.Fatalf("%s is out of date; run go generate ./cli\n%s", path, buf.String())
	}
	got, err := Load("karafka_app", Sources{File: path})
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultSettings("karafka_app"); !reflect.DeepEqual(got, want) {
		t.Fatalf("the file does not load to the defaults:\n%+v\n%+v", got, want)
	}
	for _, k := range Keys() {
		last := k[strings.LastIndexByte(k, '.')+1:]
		if !strings.Contains(string(file), last+":") {
			t.Errorf("%s not documented", k)
		}
	}
}

func TestLoad_precedenceAndErrors(t *testing.T) {
	s, err := Load("x", Sources{Env: []string{"KARAFKA_RETRY_ATTEMPTS=5", "KARAFKA_TEST_BROKERS=ignored:1", "PATH=/bin"}, Set: []string{"retry.attempts=7", "kafka.brokers=a:1, b:2"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Retry.Attempts != 7 || !reflect.DeepEqual(s.Kafka.Brokers, []string{"a:1", "b:2"}) || s.Name != "x" {
		t.Fatalf("%+v", s)
	}
	_, err = Load("x", Sources{Set: []string{"log.level=loud", "retry.attempts=-1", "nope=1"}})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("not ErrConfig: %v", err)
	}
	for _, want := range []string{"log.level", "allowed: debug, info, warn, error", "nope (flag): unknown key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// TestLoad_recoveryKeys: the static membership id, rebalance and read
// timeouts load from env and flags and are validated with their key named.
func TestLoad_recoveryKeys(t *testing.T) {
	s, err := Load("x", Sources{Env: []string{"KARAFKA_CONSUMER_INSTANCE_ID=orders-0"},
		Set: []string{"consumer.rebalance_timeout=20s", "kafka.read_timeout=5s"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Consumer.InstanceID != "orders-0" || s.Consumer.RebalanceTimeout != 20*time.Second || s.Kafka.ReadTimeout != 5*time.Second {
		t.Fatalf("instance id %q, rebalance timeout %v, read timeout %v", s.Consumer.InstanceID, s.Consumer.RebalanceTimeout, s.Kafka.ReadTimeout)
	}
	for _, tc := range []struct {
		name string
		set  []string
		want string
	}{
		{"instance id with a space", []string{"consumer.instance_id=orders 0"}, `consumer.instance_id (flag): "orders 0" must match`},
		{"instance id dot", []string{"consumer.instance_id=.."}, `consumer.instance_id (flag): ".." cannot be`},
		{"instance id on an old protocol", []string{"consumer.instance_id=a", "kafka.version=2.2.0"}, "consumer.instance_id (flag): static membership needs kafka.version >= 2.3.0"},
		{"rebalance timeout zero", []string{"consumer.rebalance_timeout=0s"}, "consumer.rebalance_timeout (flag): 0s is outside 1s..596h0m0s"},
		{"rebalance timeout past int32 milliseconds", []string{"consumer.rebalance_timeout=600h"}, "consumer.rebalance_timeout (flag): 600h0m0s is above the maximum 596h0m0s"},
		{"read timeout too short", []string{"kafka.read_timeout=10ms"}, "kafka.read_timeout (flag): 10ms is below 1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("x", Sources{Set: tc.set})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestLoad_kafkaClient: kafka.client loads from the file, env and flags,
// and a value that is not a client's is one problem naming the key, its
// source and the allowed values (the enum's; validation adds nothing).
func TestLoad_kafkaClient(t *testing.T) {
	s, err := Load("x", Sources{})
	if err != nil || s.Kafka.Client != "sarama" {
		t.Fatalf("default kafka.client = %q (%v), want sarama", s.Kafka.Client, err)
	}
	for _, src := range []Sources{
		{File: writeFile(t, "kafka:\n  client: franz\n")},
		{Env: []string{"KARAFKA_KAFKA_CLIENT=franz"}},
		{Set: []string{"kafka.client=franz"}},
		{File: writeFile(t, "kafka:\n  client: sarama\n"), Env: []string{"KARAFKA_KAFKA_CLIENT=sarama"}, Set: []string{"kafka.client=franz"}},
	} {
		s, err := Load("x", src)
		if err != nil || s.Kafka.Client != "franz" || s.AppConfig().Kafka.Client != "franz" {
			t.Errorf("%+v: kafka.client = %q (%v), want franz", src, s.Kafka.Client, err)
		}
	}
	for _, tc := range []struct {
		name string
		src  Sources
		want string
	}{
		{"file", Sources{File: writeFile(t, "kafka:\n  client: kafka-go\n")}, `kafka.client (config file `},
		{"env", Sources{Env: []string{"KARAFKA_KAFKA_CLIENT=Franz"}}, `kafka.client (env KARAFKA_KAFKA_CLIENT): "Franz" is not allowed (allowed: sarama, franz)`},
		{"flag", Sources{Set: []string{"kafka.client=confluent"}}, `kafka.client (flag): "confluent" is not allowed (allowed: sarama, franz)`},
		{"flag empty", Sources{Set: []string{"kafka.client="}}, `kafka.client (flag): "" is not allowed (allowed: sarama, franz)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("x", tc.src)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "(allowed: sarama, franz)") {
				t.Fatalf("Load = %v; want ErrConfig and %q", err, tc.want)
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != 1 || strings.Count(err.Error(), "kafka.client") != 1 {
				t.Fatalf("Load = %v; want one problem naming kafka.client once", err)
			}
		})
	}
}

// TestLoad_transactionTimeout: transaction.timeout loads from env and flags
// and is validated with its key named, against transaction.interval too.
func TestLoad_transactionTimeout(t *testing.T) {
	s, err := Load("x", Sources{Env: []string{"KARAFKA_TRANSACTION_TIMEOUT=30s"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Transaction.Timeout != 30*time.Second {
		t.Fatalf("env: transaction timeout %v, want 30s", s.Transaction.Timeout)
	}
	if s, err = Load("x", Sources{Set: []string{"transaction.timeout=2m"}}); err != nil || s.Transaction.Timeout != 2*time.Minute {
		t.Fatalf("flag: transaction timeout %v (%v), want 2m", s.Transaction.Timeout, err)
	}
	for _, tc := range []struct {
		name string
		set  []string
		want string
	}{
		{"zero", []string{"transaction.timeout=0s"}, "transaction.timeout (flag): 0s must be at least 1ms"},
		{"below a millisecond", []string{"transaction.timeout=900us"}, "transaction.timeout (flag): 900µs must be at least 1ms"},
		{"shorter than the interval", []string{"transaction.timeout=50ms"}, "transaction.timeout (flag): 50ms is shorter than transaction.interval 100ms"},
		{"shorter than a raised interval", []string{"transaction.interval=2m"}, "transaction.timeout: 1m0s is shorter than transaction.interval 2m0s"},
		{"past int32 milliseconds", []string{"transaction.timeout=600h"}, "transaction.timeout (flag): 600h0m0s is above the maximum 596h0m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("x", Sources{Set: tc.set})
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrConfig containing %q", err, tc.want)
			}
		})
	}
}

// NaN is refused when the value is read, for every number key: the backoff
// of an unused supervision strategy is not validated, so
// supervision.backoff.multiplier=NaN loaded (found by FuzzLoad_env's seeds:
// the loaded settings did not load again to themselves, NaN != NaN).
func TestLoad_refusesNaN(t *testing.T) {
	tests := []struct {
		name string
		src  Sources
		want string
	}{
		{name: "env", src: Sources{Env: []string{"KARAFKA_SUPERVISION_BACKOFF_MULTIPLIER=NaN"}},
			want: `supervision.backoff.multiplier (env KARAFKA_SUPERVISION_BACKOFF_MULTIPLIER): "NaN" is not a number`},
		{name: "flag", src: Sources{Set: []string{"supervision.backoff.jitter=nan"}},
			want: `supervision.backoff.jitter (flag): "nan" is not a number`},
		{name: "file", src: Sources{File: writeFile(t, "supervision:\n  backoff:\n    multiplier: .nan\n")},
			want: "supervision.backoff.multiplier (config file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("x", tt.src)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v; want ErrConfig containing %q", err, tt.want)
			}
		})
	}
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "karafka.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A YAML syntax error names the file and the line where the file stops
// parsing (yaml.v3's own line is that of the enclosing construct, and
// 0-based for parser errors: "b: [1, 2" on line 2 was reported as line 1).
func TestLoad_yamlSyntaxErrorNamesFileAndLine(t *testing.T) {
	tests := []struct {
		name, text string
		line       string
	}{
		{"unclosed flow sequence", "kafka:\n  brokers: [a:1, b:2\nname: x\n", "line 2:"},
		{"bad indentation", "retry:\n  attempts: 3\n backoff: 1\nname: x\n", "line 3:"},
		{"mapping in a value", "name: x\nretry: attempts: 3\nshutdown_timeout: 1s\n", "line 2:"},
		{"unterminated quote", "name: x\nlog:\n  level: \"info\n  format: text\n", "line 3:"},
		{"tab indentation", "retry:\n\tattempts: 3\n", "line 2:"},
		{"error after a multi-line flow", "kafka:\n  brokers: [a:1,\n    b:2]\nretry: attempts: 3\n", "line 4:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.text)
			_, err := Load("x", Sources{File: path})
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("Load = %v; want ErrConfig", err)
			}
			if msg := err.Error(); !strings.Contains(msg, path+": "+tt.line) || strings.Count(msg, "line ") != 1 {
				t.Fatalf("Load = %v; want the file and %q", err, tt.line)
			}
		})
	}
}

// A value that is invalid only once loaded (Validate) names where it came
// from, as unknown keys and unparsable values do; and, as documented, the
// error wraps karafka.ErrInvalidConfig as well as ErrConfig.
func TestLoad_validationErrorsNameTheSource(t *testing.T) {
	tests := []struct {
		name string
		src  Sources
		want string
	}{
		{"file", Sources{File: writeFile(t, "consumer:\n  batch_size: 0\n")}, "consumer.batch_size (config file "},
		{"env", Sources{Env: []string{"KARAFKA_CONSUMER_BATCH_SIZE=0"}}, "consumer.batch_size (env KARAFKA_CONSUMER_BATCH_SIZE): 0 must be at least 1"},
		{"flag", Sources{Set: []string{"consumer.batch_size=0"}}, "consumer.batch_size (flag): 0 must be at least 1"},
		{"missing broker", Sources{Set: []string{"kafka.brokers="}}, "kafka.brokers (flag): at least one broker"},
		{"indexed broker", Sources{Env: []string{"KARAFKA_KAFKA_BROKERS=nohost"}}, "kafka.brokers[0] (env KARAFKA_KAFKA_BROKERS): "},
		{"cli key", Sources{Set: []string{"kafka.topic_partitions=0"}}, "kafka.topic_partitions (flag): 0 must be at least 1"},
		{"cli key otlp", Sources{Env: []string{"KARAFKA_TRACING_OTLP_ENDPOINT=127.0.0.1:4318"}},
			`tracing.otlp_endpoint (env KARAFKA_TRACING_OTLP_ENDPOINT): "127.0.0.1:4318" is not an http:// or https:// URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("x", tt.src)
			if !errors.Is(err, ErrConfig) || !errors.Is(err, karafka.ErrInvalidConfig) && !strings.HasPrefix(tt.name, "cli key") {
				t.Fatalf("Load = %v; want ErrConfig and karafka.ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v; want %q", err, tt.want)
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != 1 {
				t.Fatalf("Load = %v; want one problem, got %d lines", err, n)
			}
		})
	}
}

// KARAFKA_ variables that are not config keys' belong to other tools (Ruby
// Karafka, the README's fuzzing, scripts/kafka.sh) and are left alone; a
// near miss of a key's variable is a typo, refused with the key it misses.
func TestLoad_envVariablesThatAreNotKeys(t *testing.T) {
	foreign := []string{"KARAFKA_ENV=production", "KARAFKA_FUZZ_TIME=0", "KARAFKA_KAFKA_PORT=29092",
		"KARAFKA_KAFKA_CONTROLLER_PORT=29093", "KARAFKA_KAFKA_HOME=/opt/kafka", "KARAFKA_KAFKA_START_TIMEOUT=90",
		"KARAFKA_BOOT_FILE=karafka.rb", "KARAFKA_CONFIG=x.yaml", "KARAFKA_TEST_BROKERS=a:1"}
	s, err := Load("x", Sources{Env: append(foreign, "KARAFKA_RETRY_ATTEMPTS=5")})
	if err != nil {
		t.Fatalf("variables of other tools refused: %v", err)
	}
	if s.Retry.Attempts != 5 {
		t.Fatalf("retry.attempts = %d, want 5 from the environment", s.Retry.Attempts)
	}
	for env, want := range map[string]string{
		"KARAFKA_KAFKA_BROKER=a:9092":     "KARAFKA_KAFKA_BROKER (environment): not a config key's variable; did you mean KARAFKA_KAFKA_BROKERS (kafka.brokers)?",
		"KARAFKA_KAFKA_SASL_PASWORD=s3cr": "did you mean KARAFKA_KAFKA_SASL_PASSWORD (kafka.sasl.password)?",
		"KARAFKA_LOG_LEVEL_X=debug":       "did you mean KARAFKA_LOG_LEVEL (log.level)?",
	} {
		_, err := Load("x", Sources{Env: append(foreign, env)})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to contain %q", env, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr") {
			t.Errorf("%s: the error shows the value: %v", env, err)
		}
	}
}

// A file with several bad keys reports every one at once, those that do not
// parse and those that do not validate, each naming its key and source once
// and no Go package.
func TestLoad_reportsEveryProblemAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "karafka.yaml")
	body := "log:\n  level: loud\nretry:\n  attempts: 0\nconsumer:\n  session_timeout: 1ms\n  batch_size: 0\nnope: 1\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load("x", Sources{File: path, Set: []string{"producer.acks=some"}})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("not ErrConfig: %v", err)
	}
	msg := err.Error()
	src := " (config file " + path + "): "
	for _, want := range []string{
		"log.level" + src + `"loud" is not allowed`,
		"retry.attempts" + src + "0 must be at least 1",
		"consumer.session_timeout" + src + "1ms is below 1s",
		"consumer.heartbeat_interval: 3s must be at least 1ms and below session_timeout (1ms)",
		"consumer.batch_size" + src + "0 must be at least 1",
		"nope" + src + "unknown key",
		"producer.acks (flag): " + `"some" is not allowed`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	for _, pkg := range []string{"actors:", "supervision:", "karafka:", "kafka: invalid", "producer:"} {
		if strings.Contains(msg, pkg) {
			t.Errorf("error names the Go package %q:\n%s", pkg, msg)
		}
	}
	if n := strings.Count(msg, "invalid configuration"); n != 1 {
		t.Errorf("\"invalid configuration\" %d times, want once:\n%s", n, msg)
	}
	if !strings.HasPrefix(msg, "invalid configuration (7 problems):\n  ") {
		t.Errorf("want a heading counting the problems, then one indented line each:\n%s", msg)
	}
}
