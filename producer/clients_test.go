package producer_test

import (
	"os"
	"testing"

	"github.com/karafka-actors/karafka-actors/kafka"
)

// envClient names the variable choosing the client libraries the tests of
// this package run on: "sarama", "franz" or "both" (the default).
const envClient = "KARAFKA_TEST_CLIENT"

// testClients are the client libraries to test, as envClient says.
func testClients(t testing.TB) []string {
	switch v := os.Getenv(envClient); v {
	case "", "both":
		return []string{kafka.ClientSarama, kafka.ClientFranz}
	case kafka.ClientSarama, kafka.ClientFranz:
		return []string{v}
	default:
		t.Fatalf("%s=%q: want sarama, franz or both", envClient, v)
		return nil
	}
}

// eachClient runs f as a subtest per client library to test.
func eachClient(t *testing.T, f func(t *testing.T, client string)) {
	t.Helper()
	for _, c := range testClients(t) {
		t.Run(c, func(t *testing.T) { f(t, c) })
	}
}
