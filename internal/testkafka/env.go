package testkafka

import (
	"os"
	"strings"
)

// CleanEnv is the process environment without KARAFKA_ variables, plus
// extra: for running the karafka-actors binary in tests, whose CLI rejects
// KARAFKA_ variables it does not know (KARAFKA_TEST_BROKERS among them
// would be fine, but a test decides its brokers explicitly). When
// KARAFKA_TEST_CLIENT is set, the binary runs on that client
// (KARAFKA_KAFKA_CLIENT) unless extra says otherwise.
func CleanEnv(extra ...string) []string {
	env := BareEnv()
	if c := os.Getenv(EnvClient); c != "" {
		env = append(env, "KARAFKA_KAFKA_CLIENT="+c) // exec keeps the last of duplicates: extra wins
	}
	return append(env, extra...)
}

// BareEnv is CleanEnv whatever KARAFKA_TEST_CLIENT says: for tests of
// what the binary does by default.
func BareEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KARAFKA_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}
