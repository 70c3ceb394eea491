package cli

import (
	"errors"
	"fmt"
	"github.com/karafka-actors/karafka-actors/console"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/viper"

	karafka "github.com/karafka-actors/karafka-actors"
)

// EnvPrefix prefixes every environment variable of a config key:
// kafka.brokers is KARAFKA_KAFKA_BROKERS.
const EnvPrefix = "KARAFKA_"

// ErrConfig is wrapped by every configuration error; the CLI exits with
// ExitUsage (2) on it, before connecting to anything.
var ErrConfig = errors.New("invalid configuration")

// Settings is everything the configuration sets: the application's
// karafka.Config plus what only the CLI uses.
type Settings struct {
	karafka.Config
	Log  LogConfig
	HTTP HTTPConfig
	// Tracing is where the server exports traces (tracing.go).
	Tracing TracingConfig
	// Console is the operator console's part (console.*): reports, actions.
	Console console.Config
	// TopicConfigs are the default topic configs as "key=value" items
	// (kafka.topic_configs); AppConfig puts them in Config.Topics.Configs.
	TopicConfigs []string
}

// LogConfig is where and how the CLI logs (always to stderr).
type LogConfig struct {
	Level  string // debug, info, warn, error
	Format string // text, json
}

// HTTPConfig is where `server` serves the operational surface (package ops).
type HTTPConfig struct {
	// Addr is "host:port"; empty: no HTTP server. The host must be named:
	// 127.0.0.1 (or localhost, ::1) for loopback, or the address of another
	// interface (0.0.0.0 for every one) when the user means it; ":9100",
	// which would listen on every interface implicitly, is refused.
	Addr string
}

// DefaultSettings returns the defaults of every key.
func DefaultSettings(name string) Settings {
	c := karafka.DefaultConfig()
	if name != "" {
		c.Name = name
	}
	return Settings{Config: c, Log: LogConfig{Level: "info", Format: "text"}, Console: console.DefaultConfig()}
}

// key is one configuration key: its name ("kafka.brokers"), what it is for,
// and where it lives in Settings.
type key struct {
	name string
	doc  string
	// ref returns a pointer to the field, of a type of fieldTypes
	// (config_types.go). enum lists the allowed strings, if limited.
	ref  func(*Settings) any
	enum []string
	// max is the largest value of a number or duration key, of its type
	// (int, float64 or time.Duration), from package bounds; nil for other
	// keys. Load refuses a value above it, naming the key, the bound and
	// the source; the library's Validate enforces the same bound.
	max any
	// secret values are never printed: Values redacts them, and errors
	// about them say what is wrong without the value.
	secret bool
	// url values are printed with their credentials redacted (redactURL).
	url bool
	// more is Markdown that docs/configuration.md adds after doc: links to
	// other pages, flags.
	more string
}

// envName is the environment variable of key k.
func envName(k string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
}

// fromEnv returns the values of the keys' variables in env. A KARAFKA_
// variable that is no key's is left alone (Ruby Karafka's KARAFKA_ENV, the
// KARAFKA_KAFKA_PORT of scripts/kafka.sh, the tests'), unless it is a near
// miss of a key's variable: that is most likely a typo, which would leave
// the key at its default (brokers, credentials) without a word, so it is
// an error, as unknown keys in the file and --set are.
func fromEnv(env []string) (map[string]any, []error) {
	envKeys := make(map[string]string, len(schema))
	for _, k := range schema {
		envKeys[envName(k.name)] = k.name
	}
	vals := map[string]any{}
	var errs []error
	env = slices.Clone(env)
	slices.Sort(env)
	for _, kv := range env {
		n, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(n, EnvPrefix) {
			continue
		}
		if k, ok := envKeys[n]; ok {
			vals[k] = val
			continue
		}
		if ownEnv(n) {
			continue
		}
		if k, ok := nearEnvKey(n); ok {
			errs = append(errs, fmt.Errorf("%s (environment): not a config key's variable; did you mean %s (%s)?", n, envName(k), k))
		}
	}
	return vals, errs
}

// ownEnv reports whether n is one of the project's variables that are not
// config keys (the config file, the tests'), which are never typos.
func ownEnv(n string) bool {
	return slices.ContainsFunc([]string{"KARAFKA_CONFIG", "KARAFKA_TEST_", "KARAFKA_REQUIRE_"},
		func(p string) bool { return strings.HasPrefix(n, p) })
}

// maxEnvTypo is the largest edit distance from a KARAFKA_ variable to a
// key's that is taken for a typo of it. The variables of other tools seen
// with the prefix are 4 or more away from every key's.
const maxEnvTypo = 2

// nearEnvKey returns the key whose variable is closest to n, if n is a
// near miss of it.
func nearEnvKey(n string) (string, bool) {
	best, bestD := "", maxEnvTypo+1
	for _, k := range schema {
		if d := distance(n, envName(k.name)); d < bestD {
			best, bestD = k.name, d
		}
	}
	return best, best != ""
}

// Keys returns the names of every configuration key, in documentation order.
func Keys() []string {
	out := make([]string, len(schema))
	for i, k := range schema {
		out[i] = k.name
	}
	return out
}

func lookupKey(name string) (key, bool) {
	for _, k := range schema {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}

// Sources are the configuration layers, lowest precedence first.
type Sources struct {
	// File is a YAML, JSON or TOML file (by extension); "" for none.
	File string
	// Env is the environment, as os.Environ.
	Env []string
	// Set are "key=value" overrides from flags, applied in order.
	Set []string
}

// Load builds Settings from defaults < file < env < flags. Every unknown key
// and invalid value is reported at once, each naming its key, its source and
// what is allowed; the error wraps ErrConfig.
func Load(name string, src Sources) (Settings, error) { return load(name, src, nil) }

func load(name string, src Sources, defaults []func(*Settings)) (Settings, error) {
	s := DefaultSettings(name)
	for _, f := range defaults {
		f(&s)
	}
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, a...)...))
	}

	type layer struct {
		source string
		values map[string]any
	}
	var layers []layer

	if src.File != "" {
		// Only the formats documented: viper's others (dotenv) quote the
		// lines they cannot parse, and any file may be named here.
		if ext := filepath.Ext(src.File); !slices.Contains(fileFormats, strings.ToLower(ext)) {
			return s, fmt.Errorf("%w: config file %s: extension %q is not supported (use .yaml, .yml, .json or .toml)", ErrConfig, src.File, ext)
		}
		v := viper.New()
		v.SetConfigFile(src.File)
		if err := v.ReadInConfig(); err != nil {
			if serr := yamlSyntaxError(src.File); serr != nil {
				return s, serr
			}
			// The parsers' messages quote the file (a value, a key, an
			// anchor): those quotes are left out, as the file may hold
			// secrets.
			return s, fmt.Errorf("%w: config file %s: %w", ErrConfig, src.File, unquotedError{err})
		}
		vals := map[string]any{}
		var unknown []string
		for _, k := range v.AllKeys() {
			if _, ok := lookupKey(k); !ok {
				unknown = append(unknown, k)
				continue
			}
			vals[k] = v.Get(k)
		}
		// Name a few unknown keys that could be typos of ours; of a file
		// that is clearly not a config file (such as a symlinked
		// /etc/shadow, whose lines YAML reads as keys), only count them.
		slices.Sort(unknown)
		shown := 0
		for _, k := range unknown {
			if shown < maxUnknownShown && keyLike.MatchString(k) && len(k) <= 64 {
				bad("%s (config file %s): unknown key%s", k, src.File, suggest(k))
				shown++
			}
		}
		switch n := len(unknown) - shown; {
		case n > 0 && shown > 0:
			bad("config file %s: and %d more unknown keys; is this a karafka-actors config file?", src.File, n)
		case n > 0:
			bad("config file %s: %d unknown keys not shown; is this a karafka-actors config file? (see `info` or configs/karafka.yaml for the keys)", src.File, n)
		}
		layers = append(layers, layer{"config file " + src.File, vals})
	}

	envVals, envErrs := fromEnv(src.Env)
	for _, err := range envErrs {
		bad("%v", err)
	}
	layers = append(layers, layer{"environment", envVals})

	flagVals := map[string]any{}
	for _, kv := range src.Set {
		k, val, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok {
			bad("--set %q: want key=value", kv)
			continue
		}
		if _, known := lookupKey(k); !known {
			bad("%s (flag): unknown key%s", k, suggest(k))
			continue
		}
		flagVals[k] = val
	}
	layers = append(layers, layer{"flag", flagVals})

	origin := map[string]string{} // key -> the source its value came from
	failed := map[string]bool{}   // keys whose value was refused
	for _, l := range layers {
		for _, k := range schema {
			raw, ok := l.values[k.name]
			if !ok {
				continue
			}
			source := l.source
			if l.source == "environment" {
				source = "env " + envName(k.name)
			}
			if err := assign(&s, k, raw); err != nil {
				bad("%s (%s): %v", k.name, source, err)
				failed[k.name] = true
				continue
			}
			origin[k.name] = source
		}
	}
	// Validated even when values were refused above, so that every problem
	// is reported at once; a refused value's key is at its default, and
	// what validation says about it is left out.
	var invalid []error
	if err := s.Validate(); err != nil {
		invalid = append(invalid, withSources(err, origin))
	}
	return s, newConfigError(errs, invalid, failed)
}

// configError is every problem Load found, one a line, each naming its key
// and where its value came from; the packages' sentinels ("actors: invalid
// config") are left out of the lines, and still matched by errors.Is.
type configError struct {
	problems []string
	causes   []error
}

func (e *configError) Error() string {
	if len(e.problems) == 1 {
		return ErrConfig.Error() + ": " + e.problems[0]
	}
	return fmt.Sprintf("%v (%d problems):\n  %s", ErrConfig, len(e.problems), strings.Join(e.problems, "\n  "))
}

func (e *configError) Unwrap() []error { return append([]error{ErrConfig}, e.causes...) }

// sentinel matches the packages' invalid-config sentinels in front of a
// problem.
var sentinel = regexp.MustCompile(`^(?:(?:invalid configuration|[a-z]+: invalid config): )+`)

// newConfigError makes the configError of refused values (their lines as
// they are) and validation errors (their lines, but those about a key of
// skip); nil when there is no problem.
func newConfigError(refused, invalid []error, skip map[string]bool) error {
	e := &configError{}
	add := func(err error, validation bool) {
		e.causes = append(e.causes, err)
		for _, line := range strings.Split(err.Error(), "\n") {
			line = sentinel.ReplaceAllString(line, "")
			if line == "" || slices.Contains(e.problems, line) {
				continue
			}
			if m := problemKey.FindStringSubmatch(line); validation && m != nil && skip[m[1]] {
				continue
			}
			e.problems = append(e.problems, line)
		}
	}
	for _, err := range refused {
		add(err, false)
	}
	for _, err := range invalid {
		add(err, true)
	}
	if len(e.problems) == 0 {
		return nil
	}
	return e
}

// fileFormats are the extensions of the config file formats.
var fileFormats = []string{".yaml", ".yml", ".json", ".toml"}

// maxUnknownShown is how many unknown keys of a config file are named.
const maxUnknownShown = 5

// keyLike matches what could be a config key, misspelt: an unknown key
// that does not is never printed.
var keyLike = regexp.MustCompile(`\A[a-z0-9_-]+(\.[a-z0-9_-]+)*\z`)

// quoted matches what a parser's message quotes of the file: `...`, "..."
// or '...'.
var quoted = regexp.MustCompile("`[^`]*`|\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'")

// unquoted returns a parser's message without what it quotes of the file.
func unquoted(msg string) string { return quoted.ReplaceAllString(msg, "(not shown)") }

// unquotedError is a parser's error, its message unquoted.
type unquotedError struct{ err error }

func (e unquotedError) Error() string { return unquoted(e.err.Error()) }
func (e unquotedError) Unwrap() error { return e.err }

// problemKey matches a config key a validation problem names, as in
// "consumer.batch_size: " or "kafka.brokers[0]: ".
var problemKey = regexp.MustCompile(`([a-z][a-z_]*(?:\.[a-z_]+)*)(\[\d+\])?: `)

// sourcedError is a validation error whose message names, after each
// problem's key, where that key's value came from.
type sourcedError struct {
	err error
	msg string
}

func (e sourcedError) Error() string { return e.msg }
func (e sourcedError) Unwrap() error { return e.err }

// withSources names, in each line (problem) of a validation error, the source
// of the first key it names, as "key (config file F): ..." like the errors
// of unknown keys and unparsable values. Keys left at their default are not
// annotated.
func withSources(err error, origin map[string]string) error {
	lines := strings.Split(err.Error(), "\n")
	for i, line := range lines {
		for _, m := range problemKey.FindAllStringSubmatchIndex(line, -1) {
			k := line[m[2]:m[3]]
			if _, known := lookupKey(k); !known {
				continue
			}
			if src, ok := origin[k]; ok {
				end := m[1] - len(": ")
				lines[i] = line[:end] + " (" + src + ")" + line[end:]
			}
			break
		}
	}
	return sourcedError{err: err, msg: strings.Join(lines, "\n")}
}

// Validate checks the CLI's own keys and the karafka.Config.
func (s Settings) Validate() error {
	var errs []error
	if _, err := topicConfigs(s.TopicConfigs); err != nil {
		errs = append(errs, fmt.Errorf("%w: kafka.topic_configs: %w", ErrConfig, err))
	}
	if err := validHTTPAddr(s.HTTP.Addr); err != nil {
		errs = append(errs, fmt.Errorf("%w: http.addr: %w", ErrConfig, err))
	}
	if err := s.AppConfig().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%w: %w", ErrConfig, err))
	}
	errs = append(errs, s.Tracing.validate())
	if err := s.Console.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%w: %w", ErrConfig, err))
	}
	return errors.Join(errs...)
}

// validHTTPAddr checks an http.addr value: empty, or host:port with a host.
func validHTTPAddr(addr string) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (such as 127.0.0.1:9100)", addr)
	}
	if host == "" {
		return fmt.Errorf("%q names no host: say 127.0.0.1%s for loopback, or 0.0.0.0%s to listen on every interface", addr, addr, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port %q is not a number from 0 to 65535", addr, port)
	}
	return nil
}

// AppConfig returns the karafka.Config, with the client id defaulting to the name.
func (s Settings) AppConfig() karafka.Config {
	c := s.Config
	c.Kafka.Brokers = slices.Clone(c.Kafka.Brokers)
	if c.Kafka.ClientID == "" {
		c.Kafka.ClientID = c.Name
	}
	if len(s.TopicConfigs) > 0 {
		c.Topics.Configs, _ = topicConfigs(s.TopicConfigs)
	}
	return c
}

// topicConfigs parses "key=value" items into a map.
func topicConfigs(items []string) (map[string]string, error) {
	if len(items) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(items))
	for _, it := range items {
		k, v, ok := strings.Cut(it, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not key=value (such as retention.ms=86400000)", it)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

// Values returns every key with its effective value, secrets redacted, in
// documentation order.
func (s Settings) Values() [][2]string {
	out := make([][2]string, 0, len(schema))
	for _, k := range schema {
		v := value(&s, k)
		if k.secret && v != "" {
			v = redacted
		}
		if k.url {
			v = redactURL(v)
		}
		out = append(out, [2]string{k.name, v})
	}
	return out
}

// suggest proposes a known key close to an unknown one.
func suggest(unknown string) string {
	best, bestD := "", 4
	for _, k := range schema {
		if d := distance(unknown, k.name); d < bestD {
			best, bestD = k.name, d
		}
	}
	if best == "" {
		return "; see `info` or configs/karafka.yaml for the keys"
	}
	return fmt.Sprintf("; did you mean %s?", best)
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// envFromOS is the environment used by commands.
func envFromOS() []string { return os.Environ() }
