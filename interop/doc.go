// Package interop holds end-to-end tests of karafka-actors server processes
// with third-party Kafka clients and real broker failures:
//
//   - kcat (librdkafka) produces the repositories example's inputs, keyed and
//     in uncompressed, gzip, snappy, lz4 and zstd batches, and reads the
//     responses back;
//   - kafka-python (python3-kafka) reads the dead letter topic and its headers;
//   - three server processes share a consumer group on a 12-partition topic,
//     one is SIGKILLed mid-stream, and every input is still answered;
//   - a server running one partition on 8 virtual partitions is SIGKILLed
//     with a backlog in flight: every input is answered, and per key the
//     last copies of the answers keep input order (virtual_test.go);
//   - the real broker restarts mid-stream (scripts/kafka.sh restart) and the
//     server recovers by itself;
//   - the chaos suite (TestChaos_*, chaos_*_test.go): SIGKILL x20 and SIGTERM
//     x10 among three servers, broker restarts and freezes (SIGSTOP past the
//     session timeout), network faults through an in-process toxiproxy,
//     malformed inputs and a slow controller, each checking that no input is
//     lost and logging its duplicates and recovery times on a "chaos |" line
//     (docs/reliability.md collects them). It runs on a broker in its own
//     process (`interop-server broker --data-dir`, so it can be restarted
//     with its data and frozen) or on real Kafka, and is skipped with -short.
//
// The servers are interop/internal/server: the full CLI running the example's
// controllers on topics with a per-test prefix, so the tests can share a
// broker. Tests run against an embedded broker, and against real Kafka when
// KARAFKA_TEST_BROKERS is set. A missing kcat or kafka-python skips the tests
// that need it, unless KARAFKA_REQUIRE_REAL_KAFKA=1 (CI), which fails them.
// The broker restart test and, on real Kafka, the chaos suite's broker
// faults run only when KARAFKA_TEST_KAFKA_SCRIPT names the script that
// manages the broker (scripts/test.sh sets it): they restart and freeze the
// broker, so nothing else may use that broker meanwhile. The network faults
// on real Kafka need its proxied listener (KARAFKA_TEST_PROXY_ADDR and
// KARAFKA_TEST_PROXY_UPSTREAM, from `scripts/kafka.sh proxy-env`).
// KARAFKA_TEST_LOG_DIR keeps every server's log there.
package interop
