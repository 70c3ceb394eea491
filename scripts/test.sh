#!/usr/bin/env bash
# The project's test command (README, .ci/run):
#   1. vet and the whole suite with -race against a fresh embedded broker per test;
#   2. the broker-facing suites again against real Apache Kafka (KRaft), started
#      and stopped by scripts/kafka.sh, when Java and Maven are available.
# KARAFKA_REQUIRE_REAL_KAFKA=1 (set by .ci/run) turns a missing Java/Maven or a
# broker that does not start into a failure instead of a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

timeout_flag=${KARAFKA_TEST_TIMEOUT:-15m}

echo "==> go vet ./..."
go vet ./...

echo "==> go test -race ./... (embedded broker)"
env -u KARAFKA_TEST_BROKERS go test -race -count=1 -timeout "$timeout_flag" ./...

if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  if [ "${KARAFKA_REQUIRE_REAL_KAFKA:-}" = "1" ]; then
    echo "FAIL: real Kafka required (KARAFKA_REQUIRE_REAL_KAFKA=1) but java or mvn is missing" >&2
    exit 1
  fi
  echo "==> SKIPPED: the real Apache Kafka suite (java or mvn not found)"
  exit 0
fi

echo "==> starting real Apache Kafka"
if ! scripts/kafka.sh start; then
  if [ "${KARAFKA_REQUIRE_REAL_KAFKA:-}" = "1" ]; then
    echo "FAIL: real Kafka did not start" >&2
    exit 1
  fi
  echo "==> SKIPPED: the real Apache Kafka suite (the broker did not start; see above)"
  exit 0
fi
trap 'scripts/kafka.sh stop >/dev/null 2>&1 || true' EXIT
brokers=$(scripts/kafka.sh brokers)
# The broker's SASL_SSL listener (TLS + SCRAM/PLAIN), for the interop tests.
eval "$(scripts/kafka.sh sasl-env)"

echo "==> go test -race (real Kafka at $brokers)"
if ! KARAFKA_TEST_BROKERS="$brokers" go test -race -count=1 -timeout "$timeout_flag" $(go list ./... | grep -v -e /bench -e /interop); then
  echo "---- last lines of the Kafka broker log ----" >&2
  scripts/kafka.sh logs | tail -n 80 >&2 || true
  exit 1
fi

# ---- interop step (kcat, kafka-python, multi-process, broker restart) ----
# Run alone, after the suites above: TestBrokerRestart_serverRecovers restarts
# the broker through KARAFKA_TEST_KAFKA_SCRIPT, which would break any other
# package's tests running against it at the same time.
echo "==> go test -race ./interop (real Kafka at $brokers, broker restart included)"
interop_log=$(mktemp)
set +e
KARAFKA_TEST_BROKERS="$brokers" KARAFKA_TEST_KAFKA_SCRIPT=scripts/kafka.sh \
  go test -race -count=1 -timeout "$timeout_flag" -v ./interop >"$interop_log" 2>&1
interop_rc=$?
set -e
# The measurements (partitions, duplicates, restart times) are t.Logf lines.
grep -E '^(--- |ok|FAIL)|_test\.go:[0-9]+:' "$interop_log" || true
if [ "$interop_rc" != 0 ]; then
  echo "---- full interop output ----" >&2
  cat "$interop_log" >&2
  echo "---- last lines of the Kafka broker log ----" >&2
  scripts/kafka.sh logs | tail -n 80 >&2 || true
  rm -f "$interop_log"
  exit 1
fi
rm -f "$interop_log"
# ---- end of the interop step ----
echo "==> all suites passed (embedded broker and real Kafka)"
