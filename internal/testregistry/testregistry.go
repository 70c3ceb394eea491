package testregistry

import (
	"os"
	"testing"

	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// EnvURL names a real registry's Confluent-compatible base URL for tests.
const EnvURL = "KARAFKA_TEST_REGISTRY"

// External reports whether the tests run against a real registry.
func External() bool { return os.Getenv(EnvURL) != "" }

// URL returns the registry tests use: KARAFKA_TEST_REGISTRY when set (tests
// keep apart by their subjects, which follow their unique topic names),
// else a fresh in-memory registry closed when t ends.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	fake := srfake.New()
	t.Cleanup(fake.Close)
	return fake.URL()
}
