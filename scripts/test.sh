#!/usr/bin/env bash
# The project's test command (README, .ci/run).
#
#   scripts/test.sh          the full run: vet, staticcheck, then two lanes at once
#                            (their tests mostly wait on brokers and processes):
#     embedded lane:  go test -race on a fresh embedded broker per test, the
#                     chaos suite (interop TestChaos_*) on embedded brokers in
#                     their own processes, the same for the client-facing
#                     packages on the second client (franz-go), then half the
#                     fuzz targets for KARAFKA_FUZZ_TIME each (default 8s; 0
#                     skips fuzzing);
#     Kafka lane:     the other half of the fuzz targets, then, against Apache
#                     Kafka (KRaft, scripts/kafka.sh, started at the beginning),
#                     the broker-facing suites, then ./interop alone (broker
#                     restarts and the chaos suite), each on both clients; the
#                     Kafka steps are skipped without Java and Maven.
#   scripts/test.sh quick    the contributors' lane (~2-3 min): vet and go test -race
#                            on the embedded broker, without ./interop.
#
# KARAFKA_REQUIRE_REAL_KAFKA=1 (set by .ci/run) turns a missing Java/Maven or a
# broker that does not start into a failure instead of a skip.
# KARAFKA_TEST_SERIAL=1 runs the two lanes one after the other.
# KARAFKA_TEST_CLIENTS (default "sarama franz") are the client libraries the
# suites run on (KARAFKA_TEST_CLIENT of each run); the first runs every
# package, the others the packages whose tests go through the client seam.
# Every step prints its wall time; the end prints each lane's.
set -euo pipefail
cd "$(dirname "$0")/.."

timeout_flag=${KARAFKA_TEST_TIMEOUT:-15m}
# The interop package with the chaos suite: ~8 minutes of scenarios per broker.
chaos_timeout_flag=${KARAFKA_TEST_CHAOS_TIMEOUT:-30m}
started=$SECONDS

# step NAME CMD...: runs CMD, then prints its wall time.
step() {
  local name=$1 t0=$SECONDS rc
  shift
  echo "==> $name"
  set +e
  "$@"
  rc=$?
  set -e
  if [ "$rc" = 0 ]; then
    echo "<== $name: $((SECONDS - t0))s (at $((SECONDS - started))s)"
  else
    echo "<== $name: FAILED (exit $rc) after $((SECONDS - t0))s (at $((SECONDS - started))s)"
  fi
  return "$rc"
}

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

clients=${KARAFKA_TEST_CLIENTS:-sarama franz}
first_client=${clients%% *}
other_clients=${clients#"$first_client"}
# The packages whose tests reach Kafka through the client kafka.client
# chooses (KARAFKA_TEST_CLIENT): the others (the runtime's unit tests, the
# parsers, topology, each client's own package, the producer's, which runs
# both clients itself) do not depend on it, and run once.
client_pkgs() {
  go list . ./cli ./cmd/... ./clients ./topicsync ./karafkatest ./ops/...
}

race_embedded() {
  env -u KARAFKA_TEST_BROKERS go test -race -count=1 -timeout "$timeout_flag" -skip '^TestChaos_' "$@"
}

# race_embedded_on CLIENT PKGS...: race_embedded on client library CLIENT.
race_embedded_on() {
  local c=$1
  shift
  KARAFKA_TEST_CLIENT=$c race_embedded "$@"
}

if [ "${1:-}" = quick ]; then
  step "go vet ./..." go vet ./...
  step "go test -race (embedded broker, without ./interop)" race_embedded $(go list ./... | grep -v /interop)
  echo "==> quick lane passed in $((SECONDS - started))s"
  exit 0
fi

# ---- Kafka, started first: it boots while the steps below run ----
kafka=none
kafka_log=$(mktemp)
kafka_rc=$(mktemp -u)
registry=none
registry_log=$(mktemp)
registry_rc=$(mktemp -u)
if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then
  echo "==> starting Apache Kafka in the background (scripts/kafka.sh start)"
  (
    set +e
    scripts/kafka.sh start >"$kafka_log" 2>&1
    echo $? >"$kafka_rc"
  ) &
  kafka=$!
  # A real schema registry (Apicurio Registry, Confluent-compatible API) for
  # the schema tests of the Kafka lane; it boots beside Kafka.
  echo "==> starting a schema registry in the background (scripts/registry.sh start)"
  (
    set +e
    scripts/registry.sh start >"$registry_log" 2>&1
    echo $? >"$registry_rc"
  ) &
  registry=$!
elif [ "${KARAFKA_REQUIRE_REAL_KAFKA:-}" = "1" ]; then
  echo "FAIL: real Kafka required (KARAFKA_REQUIRE_REAL_KAFKA=1) but java or mvn is missing" >&2
  exit 1
fi
cleanup() {
  if [ "$kafka" != none ]; then
    wait "$kafka" 2>/dev/null || true # a start under way ends first
    scripts/kafka.sh stop >/dev/null 2>&1 || true
  fi
  if [ "$registry" != none ]; then
    wait "$registry" 2>/dev/null || true
    scripts/registry.sh stop >/dev/null 2>&1 || true
  fi
  rm -f "$kafka_log" "$kafka_rc" "$registry_log" "$registry_rc"
}
trap cleanup EXIT

step "go vet ./..." go vet ./...
# Pinned: v0.8.2 is staticcheck 2026.2.2, built for Go 1.26 (its go.mod says go 1.26.0).
# go run fetches it into the module cache once (network needed the first time).
staticcheck_version=${KARAFKA_STATICCHECK_VERSION:-v0.8.2}
step "staticcheck ./... (honnef.co/go/tools $staticcheck_version)" go run "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version" ./...
step "go test ./cmd/karafka-bench -run Chart (bench module: docs/benchmarks.md's charts match their results)" \
  bash -c "cd bench && go test -count=1 -run '^(TestChart|TestNiceScale)' ./cmd/karafka-bench/"

# ---- the fuzz step (in the embedded lane) ----
# The plain run already ran every fuzz target's seed corpus. Here each
# target fuzzes for a bounded time: go test -fuzz takes one package and one
# target per run. A finding is written to <package>/testdata/fuzz/<target>/,
# and fails the step. At the end of -fuzztime the engine itself sometimes
# fails with "context deadline exceeded" and writes nothing (golang/go#51484,
# more often on a loaded machine): that is reported and tolerated.
# fuzz_all SHARD OF: the targets whose index modulo OF is SHARD (the lanes
# share them out).
fuzz_all() {
  local shard=$1 of=$2 n=0
  local fuzz_time=${KARAFKA_FUZZ_TIME:-8s} fuzz_log pkg dir target fuzz_rc
  case "$fuzz_time" in
    0 | 0s) echo "SKIPPED: fuzzing (KARAFKA_FUZZ_TIME=$fuzz_time)"; return 0 ;;
  esac
  fuzz_log=$(mktemp)
  while read -r pkg dir; do
    for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(f \*testing\.F).*/\1/p' "$dir"/*_test.go 2>/dev/null); do
      n=$((n + 1))
      [ $((n % of)) = "$shard" ] || continue
      echo "go test -fuzz ^$target\$ -fuzztime $fuzz_time $pkg"
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
        return 1
      fi
    done
  done < <(go list -f '{{.ImportPath}} {{.Dir}}' ./...)
  rm -f "$fuzz_log"
}

embedded_lane() {
  local c
  step "go test -race ./... ($first_client, embedded broker, the chaos suite next)" \
    race_embedded_on "$first_client" ./... &&
    step "go test -race -run TestChaos_ ./interop ($first_client, chaos suite, embedded broker)" \
      run_logged env -u KARAFKA_TEST_BROKERS KARAFKA_TEST_CLIENT="$first_client" go test -race -count=1 -timeout "$chaos_timeout_flag" -run '^TestChaos_' -v ./interop || return 1
  for c in $other_clients; do
    step "go test -race, client-facing packages ($c, embedded broker)" \
      race_embedded_on "$c" $(client_pkgs) &&
      step "go test -race -run TestChaos_ ./interop ($c, chaos suite, embedded broker)" \
        run_logged env -u KARAFKA_TEST_BROKERS KARAFKA_TEST_CLIENT="$c" go test -race -count=1 -timeout "$chaos_timeout_flag" -run '^TestChaos_' -v ./interop || return 1
  done
  step "fuzz half the targets for ${KARAFKA_FUZZ_TIME:-8s} each (the Kafka lane fuzzes the other half)" fuzz_all 0 2
}

kafka_lane() {
  # This lane's half of the fuzz targets, while Kafka boots (or without it).
  step "fuzz the other half of the targets for ${KARAFKA_FUZZ_TIME:-8s} each" fuzz_all 1 2 || return 1
  if [ "$kafka" = none ]; then
    echo "SKIPPED: the real Apache Kafka suites (java or mvn not found)"
    return 0
  fi
  local t0=$SECONDS
  while [ ! -s "$kafka_rc" ]; do sleep 1; done
  if [ "$(cat "$kafka_rc")" != 0 ]; then
    cat "$kafka_log"
    if [ "${KARAFKA_REQUIRE_REAL_KAFKA:-}" = "1" ]; then
      echo "FAIL: real Kafka did not start" >&2
      return 1
    fi
    echo "SKIPPED: the real Apache Kafka suites (the broker did not start; see above)"
    return 0
  fi
  echo "<== Apache Kafka up (this lane waited $((SECONDS - t0))s for it, at $((SECONDS - started))s)"
  local brokers
  brokers=$(scripts/kafka.sh brokers)
  # The broker's SASL_SSL listener (TLS + SCRAM/PLAIN), for the interop tests,
  # and its PROXIED listener, for the chaos suite's network faults.
  eval "$(scripts/kafka.sh sasl-env)"
  eval "$(scripts/kafka.sh proxy-env)"
  # The schema registry, when it started (required in CI, like Kafka).
  local registry_url=""
  while [ "$registry" != none ] && [ ! -s "$registry_rc" ]; do sleep 1; done
  if [ "$registry" != none ] && [ "$(cat "$registry_rc")" = 0 ]; then
    registry_url=$(scripts/registry.sh url)
    echo "<== schema registry up at $registry_url"
  else
    cat "$registry_log"
    if [ "${KARAFKA_REQUIRE_REAL_KAFKA:-}" = "1" ]; then
      echo "FAIL: the schema registry did not start" >&2
      return 1
    fi
    echo "SKIPPED: the real schema registry (it did not start; see above): schema tests use the in-memory one"
  fi
  if ! step "go test -race ($first_client, real Kafka at $brokers${registry_url:+, registry at $registry_url})" \
    env KARAFKA_TEST_BROKERS="$brokers" KARAFKA_TEST_REGISTRY="$registry_url" KARAFKA_TEST_CLIENT="$first_client" go test -race -count=1 -timeout "$timeout_flag" $(go list ./... | grep -v -e /bench -e /interop); then
    echo "---- last lines of the Kafka broker log ----" >&2
    scripts/kafka.sh logs | tail -n 80 >&2 || true
    return 1
  fi
  local c
  for c in $other_clients; do
    if ! step "go test -race, client-facing packages ($c, real Kafka at $brokers)" \
      env KARAFKA_TEST_BROKERS="$brokers" KARAFKA_TEST_CLIENT="$c" go test -race -count=1 -timeout "$timeout_flag" $(client_pkgs); then
      echo "---- last lines of the Kafka broker log ----" >&2
      scripts/kafka.sh logs | tail -n 80 >&2 || true
      return 1
    fi
  done
  # Run alone in this lane, after the suites above: TestBrokerRestart_serverRecovers
  # and the chaos suite restart and freeze the broker through
  # KARAFKA_TEST_KAFKA_SCRIPT, which would break any other package's tests
  # running against it at the same time. The measurements (partitions,
  # duplicates, restart times, the chaos figures) are t.Logf lines.
  for c in $clients; do
    if ! step "go test -race ./interop ($c, real Kafka at $brokers, broker restart and chaos suite included)" \
      run_logged env KARAFKA_TEST_BROKERS="$brokers" KARAFKA_TEST_KAFKA_SCRIPT=scripts/kafka.sh KARAFKA_TEST_CLIENT="$c" \
      go test -race -count=1 -timeout "$chaos_timeout_flag" -v ./interop; then
      echo "---- last lines of the Kafka broker log ----" >&2
      scripts/kafka.sh logs | tail -n 80 >&2 || true
      return 1
    fi
  done
}

# Each lane writes to its own log, printed (with its steps' times) once both
# ended, so that their lines do not interleave.
lane_e=$(mktemp)
lane_k=$(mktemp)
if [ "${KARAFKA_TEST_SERIAL:-}" = 1 ]; then
  set +e
  embedded_lane >"$lane_e" 2>&1
  rc_e=$?
  kafka_lane >"$lane_k" 2>&1
  rc_k=$?
  set -e
else
  echo "==> two lanes at once: embedded broker and Apache Kafka (their output follows when both ended)"
  embedded_lane >"$lane_e" 2>&1 &
  pid_e=$!
  kafka_lane >"$lane_k" 2>&1 &
  pid_k=$!
  set +e
  wait "$pid_e"
  rc_e=$?
  wait "$pid_k"
  rc_k=$?
  set -e
fi
echo "==== embedded lane ===="
cat "$lane_e"
echo "==== Kafka lane ===="
cat "$lane_k"
rm -f "$lane_e" "$lane_k"
if [ "$rc_e" != 0 ] || [ "$rc_k" != 0 ]; then
  echo "FAIL: embedded lane exit $rc_e, Kafka lane exit $rc_k (after $((SECONDS - started))s)" >&2
  exit 1
fi
echo "==> all suites passed (embedded broker and real Kafka) in $((SECONDS - started))s"
