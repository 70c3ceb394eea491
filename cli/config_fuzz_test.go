package cli

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// FuzzLoad_yaml loads fuzzed text as a YAML config file and checks
// checkLoaded's invariants.
func FuzzLoad_yaml(f *testing.F) {
	full, err := os.ReadFile("../configs/karafka.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(full))
	for _, s := range []string{
		"",
		"null",
		"[]",
		"just text",
		"name: orders\nkafka:\n  brokers: [\"a:9092\", \"b:9092\"]\n",
		"kafka:\n  brokers: a:9092, b:9092\n",
		"kafka:\n  brokers: [\" a:9092\"]\n",
		"kafka:\n  brokers: [\"[a,b]:9092\"]\n",
		"kafka:\n  brokers: []\n",
		"kafka: 5\n",
		"kafka.brokers: [\"a:1\"]\n",
		"KAFKA:\n  BROKERS: [\"a:1\"]\n",
		"nope: 1\nkafka:\n  brokrs: x\n",
		"name: [a]\n",
		"name: {a: b}\n",
		"name: 7\n",
		"name: !!binary aGVsbG8=\n",
		"shutdown_timeout: 30\n",
		"shutdown_timeout: -1s\n",
		"retry:\n  attempts: 1.5\n",
		"retry:\n  attempts: 1e3\n",
		"retry:\n  attempts: 99999999999999999999\n",
		"retry:\n  backoff:\n    multiplier: .nan\n",
		"retry:\n  backoff:\n    jitter: .inf\n",
		"consumer:\n  heartbeat_interval: 500us\n",
		"consumer:\n  session_timeout: 1s\n  heartbeat_interval: 999ms\n",
		"producer:\n  acks: leader\n",
		"producer:\n  acks: leader\n  idempotent: false\n",
		"kafka:\n  sasl:\n    mechanism: PLAIN\n",
		"kafka:\n  tls:\n    ca_file: /nonexistent\n",
		"supervision:\n  strategy: nope\n",
		"log:\n  level: loud\n",
		"start_from_beginning: yes\n",
		"start_from_beginning: \"yes\"\n",
		"a: &x 1\nb: *x\n",
		"name: a\nname: b\n",
		"\tname: tab\n",
		"dead_letter:\n  pattern: \"%s%s\"\n",
		"dead_letter:\n  pattern: \"dlq\"\n",
		"consumer_group: \"a b\"\n",
		// Numbers past their bounds, past int64, negative, infinite.
		"consumer:\n  batch_size: 9223372036854775807\n",
		"consumer:\n  batch_size: 4294967296\n",
		"consumer:\n  max_in_flight: 1e300\n",
		"consumer:\n  max_in_flight: -1e300\n",
		"producer:\n  channel_buffer_size: -9223372036854775808\n",
		"producer:\n  channel_buffer_size: 100001\n",
		"supervision:\n  max_restarts: 9223372036854775807\n",
		"kafka:\n  topic_partitions: 2147483648\n",
		"shutdown_timeout: 2562047h47m16.854775807s\n",
		"consumer:\n  session_timeout: 597h\n",
		"retry:\n  backoff:\n    multiplier: 1e308\n",
		"retry:\n  backoff:\n    multiplier: -.inf\n",
		// Files that are not ours, with secrets in them.
		"root:$6$salt$hash:19000:0:99999:7:::\n",
		"kafka:\n  sasl:\n    password: 98765432109\n",
		"a: *anchor\n",
	} {
		f.Add(s)
	}
	// One file per fuzzing process, rewritten for each input.
	path := filepath.Join(f.TempDir(), "karafka.yaml")
	f.Fuzz(func(t *testing.T, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Load("fuzz_app", Sources{File: path})
		checkLoaded(t, s, err, path)
	})
}

// FuzzLoad_env sets one key, chosen by index, to a fuzzed value through its
// environment variable, and checks checkLoaded's invariants; the same value
// given as --set must load the same way. The seeds give every key its
// default and the edge cases of its type.
func FuzzLoad_env(f *testing.F) {
	edges := map[reflect.Type][]string{
		reflect.TypeFor[*string]():   {"", " ", "x", "a b", "PLAIN", " plain ", "all", "%s%s", "dlq", "x=y", "\x00", "é"},
		reflect.TypeFor[*[]string](): {"", ",", "a:9092,b:9092", " a:9092 , ", "a:0", "a:65536", "[::1]:9092", "a b:9092", "[a,b]:9092"},
		reflect.TypeFor[*bool]():     {"", "true", "TRUE", "t", "yes"},
		reflect.TypeFor[*int](): {"", "-1", "0", "1", " 7 ", "1.5", "1e3", "0x10", "99999999999999999999",
			"-99999999999999999999", "9223372036854775807", "-9223372036854775808", "4294967296", "2147483648", "32768", "10001", "100001", "1000001"},
		reflect.TypeFor[*float64](): {"", "NaN", "+Inf", "-Inf", "-0", "0.5", "1", "1e308", "0x1p-2", "1e309", "-1e309", "1000", "1000.0000000000001"},
		reflect.TypeFor[*time.Duration](): {"", "0", "1", "1ns", "500us", "-1s", "30s", " 30s ", "9999999999h",
			"596h", "596h0m0.000000001s", "2562047h47m16.854775807s", "2562047h47m16.854775808s", "-2562047h47m16.854775808s"},
		reflect.TypeFor[*supervision.Kind](): {"", "nope", "ONE_FOR_ONE"},
	}
	for i, k := range schema {
		s := DefaultSettings("fuzz_app")
		f.Add(uint8(i), value(&s, k))
		vals, ok := edges[reflect.TypeOf(k.ref(&s))]
		if !ok {
			f.Fatalf("no seed values for %s (%T)", k.name, k.ref(&s))
		}
		for _, v := range vals {
			f.Add(uint8(i), v)
		}
	}
	f.Fuzz(func(t *testing.T, index uint8, val string) {
		k := schema[int(index)%len(schema)]
		s, err := Load("fuzz_app", Sources{Env: []string{envName(k.name) + "=" + val}})
		checkLoaded(t, s, err, "")

		s2, err2 := Load("fuzz_app", Sources{Set: []string{k.name + "=" + val}})
		if (err == nil) != (err2 == nil) || (err == nil && !reflect.DeepEqual(s, s2)) {
			t.Fatalf("%s=%q: env loads %+v, %v\n--set loads %+v, %v", envName(k.name), val, s, err, s2, err2)
		}
	})
}

// checkLoaded holds for any Load result:
//   - an error wraps ErrConfig, and every problem in it names a config key,
//     the config file or the environment variable, once;
//   - loaded settings validate, and so does what the application and the
//     Kafka client make of them (karafka.New, kafka.Config.Sarama);
//   - loaded settings load again, unchanged, from their own values as --set
//     flags: every value Load accepts is one it can express.
func checkLoaded(t *testing.T, s Settings, err error, file string) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrConfig) {
			t.Fatalf("Load error does not wrap ErrConfig: %v", err)
		}
		seen := map[string]bool{}
		for _, p := range problems(err) {
			if !namesKey(p.Error(), file) {
				t.Fatalf("problem %q names no config key, file or variable\nwhole error: %v", p, err)
			}
			if seen[p.Error()] {
				t.Fatalf("problem %q reported twice\nwhole error: %v", p, err)
			}
			seen[p.Error()] = true
		}
		return
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("loaded settings do not validate: %v", err)
	}
	app := s.AppConfig()
	if _, err := karafka.New(app); err != nil {
		t.Fatalf("karafka.New refuses loaded settings: %v", err)
	}
	if tls := app.Kafka.TLS; tls.CAFile == "" && tls.CertFile == "" {
		if _, err := app.Kafka.Sarama(); err != nil {
			t.Fatalf("kafka.Config.Sarama refuses loaded settings: %v", err)
		}
	}
	checkBuildable(t, s)
	var set []string
	for _, k := range schema {
		set = append(set, k.name+"="+value(&s, k))
	}
	again, err := Load(s.Name, Sources{Set: set})
	if err != nil {
		t.Fatalf("loaded settings do not load again from their values %q: %v", set, err)
	}
	if !reflect.DeepEqual(again, s) {
		t.Fatalf("loaded settings change when loaded again from their values:\n%+v\n%+v", s, again)
	}
}

// checkBuildable holds for loaded settings: what the runtime allocates or
// computes from their numbers is safe. consumer.batch_size =
// 9223372036854775807 loaded, then panicked the server making its
// channels, 4294967296 exhausted its memory, and
// producer.channel_buffer_size panicked on the first message.
func checkBuildable(t *testing.T, s Settings) {
	t.Helper()
	// Buffers of a pointer per slot, made per partition (the consumer's
	// batch and sarama buffers; the producer's per topic and partition):
	// checked before they are made, so that a regression fails here
	// rather than exhausting the machine's memory.
	const limit = 16 << 20
	for name, n := range map[string]int{"consumer.batch_size": s.Consumer.BatchSize, "producer.channel_buffer_size": s.Producer.ChannelBufferSize} {
		if n < 0 || n > limit/8 {
			t.Fatalf("loaded %s = %d: a buffer of more than %d bytes per partition", name, n, limit)
		}
		_ = make(chan *int, n)
	}
	// The runtime's arithmetic on them must not overflow.
	if m := s.Consumer.MaxInFlight; 1+2*m <= m {
		t.Fatalf("loaded consumer.max_in_flight = %d: 1+2*max_in_flight overflows", m)
	}
	if m := s.Supervision.MaxRestarts; 4*(m+1) <= m {
		t.Fatalf("loaded supervision.max_restarts = %d: 4*(max_restarts+1) overflows", m)
	}
	for _, d := range []struct {
		name string
		d    time.Duration
		plus time.Duration
	}{
		{"shutdown_timeout", s.ShutdownTimeout, 10 * time.Second},
		{"consumer.rebalance_timeout", s.Consumer.RebalanceTimeout, 5 * time.Second},
	} {
		if d.d+d.plus < d.d {
			t.Fatalf("loaded %s = %v: %v + %v overflows", d.name, d.d, d.d, d.plus)
		}
	}
	// Durations Kafka's protocol carries in int32 milliseconds.
	for name, d := range map[string]time.Duration{"consumer.session_timeout": s.Consumer.SessionTimeout,
		"consumer.rebalance_timeout": s.Consumer.RebalanceTimeout, "transaction.timeout": s.Transaction.Timeout} {
		if d/time.Millisecond > math.MaxInt32 {
			t.Fatalf("loaded %s = %v does not fit Kafka's int32 milliseconds", name, d)
		}
	}
}

// problems flattens a Load error into its problems: a configError's lines;
// otherwise it descends into errors.Join lists, and into an ErrConfig
// wrapping such a list.
func problems(err error) []error {
	var ce *configError
	if errors.As(err, &ce) {
		out := make([]error, len(ce.problems))
		for i, p := range ce.problems {
			out[i] = errors.New(p)
		}
		return out
	}
	if errs, ok := joined(err); ok {
		var out []error
		for _, e := range errs {
			out = append(out, problems(e)...)
		}
		return out
	}
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		if errs := multi.Unwrap(); len(errs) == 2 && errs[0] == ErrConfig {
			if _, ok := joined(errs[1]); ok {
				return problems(errs[1])
			}
		}
	}
	return []error{err}
}

// joined returns the list an errors.Join error holds.
func joined(err error) ([]error, bool) {
	multi, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return nil, false
	}
	errs := multi.Unwrap()
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errs, err.Error() == strings.Join(msgs, "\n")
}

// sentinelPrefix is how the packages' invalid-config sentinels read.
var sentinelPrefix = regexp.MustCompile(`^(invalid configuration|[a-z]+: invalid config): `)

// namesKey reports whether a problem's message starts by naming a config
// key, or names the config file or an environment variable.
func namesKey(msg, file string) bool {
	for {
		loc := sentinelPrefix.FindStringIndex(msg)
		if loc == nil {
			break
		}
		msg = msg[loc[1]:]
	}
	for _, k := range Keys() {
		if rest, ok := strings.CutPrefix(msg, k); ok && (strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, " (") || strings.HasPrefix(rest, "[")) {
			return true
		}
	}
	return file != "" && strings.Contains(msg, "config file "+file) || strings.HasPrefix(msg, EnvPrefix)
}
