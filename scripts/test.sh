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

echo "==> go test -race (real Kafka at $brokers)"
if ! KARAFKA_TEST_BROKERS="$brokers" go test -race -count=1 -timeout "$timeout_flag" $(go list ./... | grep -v /bench); then
  echo "---- last lines of the Kafka broker log ----" >&2
  scripts/kafka.sh logs | tail -n 80 >&2 || true
  exit 1
fi
echo "==> all suites passed (embedded broker and real Kafka)"
