#!/usr/bin/env bash
# The project's test command (README, .ci/run):
#   1. vet and the whole suite with -race against a fresh embedded broker per test,
#      then the chaos suite (interop TestChaos_*) alone, on embedded brokers in
#      their own processes;
#   2. every fuzz target (func FuzzX(f *testing.F) in the module's packages) for
#      KARAFKA_FUZZ_TIME each (default 8s; 0 skips the step);
#   3. the broker-facing suites again against real Apache Kafka (KRaft), started
#      and stopped by scripts/kafka.sh, when Java and Maven are available, the
#      chaos suite included.
# KARAFKA_REQUIRE_REAL_KAFKA=1 (set by .ci/run) turns a missing Java/Maven or a
# broker that does not start into a failure instead of a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

timeout_flag=${KARAFKA_TEST_TIMEOUT:-15m}
# The interop package with the chaos suite: ~8 minutes of scenarios per broker.
chaos_timeout_flag=${KARAFKA_TEST_CHAOS_TIMEOUT:-30m}

# Runs go test -v with the given arguments, printing only the results and the
# tests' t.Logf lines (the chaos figures start with "chaos |"), and the whole
# output when it fails.
run_logged() {
  local log rc
  log=$(mktemp)
  set +e
  "$@" >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^(--- |ok|FAIL)|_test\.go:[0-9]+:' "$log" || true
  if [ "$rc" != 0 ]; then
    echo "---- full output ----" >&2
    cat "$log" >&2
  fi
  rm -f "$log"
  return "$rc"
}

echo "==> go vet ./..."
go vet ./...

# ---- staticcheck step ----
# Pinned: v0.8.2 is staticcheck 2026.2.2, built for Go 1.26 (its go.mod says go 1.26.0).
# go run fetches it into the module cache once (network needed the first time).
staticcheck_version=${KARAFKA_STATICCHECK_VERSION:-v0.8.2}
echo "==> staticcheck ./... (honnef.co/go/tools $staticcheck_version)"
go run "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version" ./...
# ---- end of the staticcheck step ----

echo "==> go test -race ./... (embedded broker; the chaos suite next, alone)"
env -u KARAFKA_TEST_BROKERS go test -race -count=1 -timeout "$timeout_flag" -skip '^TestChaos_' ./...

echo "==> go test ./cmd/karafka-bench -run Chart (bench module: the charts of docs/benchmarks.md match their results)"
(cd bench && go test -count=1 -run '^(TestChart|TestNiceScale)' ./cmd/karafka-bench/)

echo "==> go test -race -run TestChaos_ ./interop (chaos suite, embedded broker)"
run_logged env -u KARAFKA_TEST_BROKERS go test -race -count=1 -timeout "$chaos_timeout_flag" -run '^TestChaos_' -v ./interop

# ---- fuzz step ----
# The plain run above already ran every fuzz target's seed corpus. Here each
# target fuzzes for a bounded time: go test -fuzz takes one package and one
# target per run. A finding is written to <package>/testdata/fuzz/<target>/,
# and fails the step. At the end of -fuzztime the engine itself sometimes
# fails with "context deadline exceeded" and writes nothing (golang/go#51484,
# more often on a loaded machine): that is reported and tolerated.
fuzz_time=${KARAFKA_FUZZ_TIME:-8s}
case "$fuzz_time" in
  0 | 0s) echo "==> SKIPPED: fuzzing (KARAFKA_FUZZ_TIME=$fuzz_time)" ;;
  *)
    fuzz_log=$(mktemp)
    while read -r pkg dir; do
      for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(f \*testing\.F).*/\1/p' "$dir"/*_test.go 2>/dev/null); do
        echo "==> go test -fuzz ^$target\$ -fuzztime $fuzz_time $pkg"
        set +e
        go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzz_time" "$pkg" >"$fuzz_log" 2>&1
        fuzz_rc=$?
        set -e
        grep -E '^fuzz: elapsed' "$fuzz_log" | tail -n 1 || true
        if [ "$fuzz_rc" != 0 ]; then
          if ! grep -q 'Failing input written to' "$fuzz_log" && grep -q 'context deadline exceeded' "$fuzz_log"; then
            echo "    (the fuzz engine failed at its deadline without a finding: golang/go#51484; not a failure)"
            continue
          fi
          cat "$fuzz_log" >&2
          rm -f "$fuzz_log"
          echo "FAIL: fuzzing $target ($pkg); a failing input, if one was found, is in the package's testdata/fuzz/$target/" >&2
          exit 1
        fi
      done
    done < <(go list -f '{{.ImportPath}} {{.Dir}}' ./...)
    rm -f "$fuzz_log"
    ;;
esac
# ---- end of the fuzz step ----

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
# The broker's SASL_SSL listener (TLS + SCRAM/PLAIN), for the interop tests,
# and its PROXIED listener, for the chaos suite's network faults.
eval "$(scripts/kafka.sh sasl-env)"
eval "$(scripts/kafka.sh proxy-env)"

echo "==> go test -race (real Kafka at $brokers)"
if ! KARAFKA_TEST_BROKERS="$brokers" go test -race -count=1 -timeout "$timeout_flag" $(go list ./... | grep -v -e /bench -e /interop); then
  echo "---- last lines of the Kafka broker log ----" >&2
  scripts/kafka.sh logs | tail -n 80 >&2 || true
  exit 1
fi

# ---- interop step (kcat, kafka-python, multi-process, broker restart, chaos) ----
# Run alone, after the suites above: TestBrokerRestart_serverRecovers and the
# chaos suite restart and freeze the broker through KARAFKA_TEST_KAFKA_SCRIPT,
# which would break any other package's tests running against it at the same
# time. The measurements (partitions, duplicates, restart times, the chaos
# figures) are t.Logf lines.
echo "==> go test -race ./interop (real Kafka at $brokers, broker restart and chaos suite included)"
if ! KARAFKA_TEST_BROKERS="$brokers" KARAFKA_TEST_KAFKA_SCRIPT=scripts/kafka.sh \
  run_logged go test -race -count=1 -timeout "$chaos_timeout_flag" -v ./interop; then
  echo "---- last lines of the Kafka broker log ----" >&2
  scripts/kafka.sh logs | tail -n 80 >&2 || true
  exit 1
fi
# ---- end of the interop step ----
echo "==> all suites passed (embedded broker and real Kafka)"
