package testkafka

import (
	"os"
	"strings"
)

// CleanEnv is the process environment without KARAFKA_ variables, plus
// extra: for running the karafka-actors binary in tests, whose CLI rejects
// KARAFKA_ variables it does not know (KARAFKA_TEST_BROKERS among them
// would be fine, but a test decides its brokers explicitly).
func CleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KARAFKA_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}
