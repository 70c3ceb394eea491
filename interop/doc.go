// Package interop holds end-to-end tests of karafka-actors server processes
// with third-party Kafka clients and real broker failures:
//
//   - kcat (librdkafka) produces the repositories example's inputs, keyed and
//     in uncompressed, gzip, snappy, lz4 and zstd batches, and reads the
//     responses back;
//   - kafka-python (python3-kafka) reads the dead letter topic and its headers;
//   - three server processes share a consumer group on a 12-partition topic,
//     one is SIGKILLed mid-stream, and every input is still answered;
//   - the real broker restarts mid-stream (scripts/kafka.sh restart) and the
//     server recovers by itself.
//
// The servers are interop/internal/server: the full CLI running the example's
// controllers on topics with a per-test prefix, so the tests can share a
// broker. Tests run against an embedded broker, and against real Kafka when
// KARAFKA_TEST_BROKERS is set. A missing kcat or kafka-python skips the tests
// that need it, unless KARAFKA_REQUIRE_REAL_KAFKA=1 (CI), which fails them.
// The broker restart test runs only when KARAFKA_TEST_KAFKA_SCRIPT names the
// script that manages the broker (scripts/test.sh sets it): it restarts the
// broker, so nothing else may use that broker meanwhile.
package interop
