#!/usr/bin/env bash
# scripts/registry.sh — run a real schema registry with a Confluent-compatible
# REST API on 127.0.0.1 for tests and CI: Apicurio Registry, in-memory (H2)
# storage, so every start is empty.
#
# The registry comes from Maven Central through Maven, like scripts/kafka.sh's
# broker, but Maven Central only has Apicurio's app as a jar of classes, not
# a runnable Quarkus application: scripts/registry/pom.xml is an empty project
# that depends on it, and `mvn package` with the Quarkus plugin builds the
# runnable jar (registry-app-1-runner.jar + lib/) once into a cache folder
# outside the repo (~/.m2 is Maven's own download cache). See that pom for why
# the version is 2.1.5.Final: newer ones have modules missing from the Maven
# repository this project can reach.
#
# The Confluent-compatible API is under /apis/ccompat/v6 (2.1.5.Final has no
# /apis/ccompat/v7); `url` prints that base URL, what a Confluent client takes
# as its schema.registry.url. Apicurio's own API is under /apis/registry/v2.
#
# Apicurio has no compatibility rule by default (Confluent's default is
# BACKWARD): after start-up the script sets the global one with
# PUT /config {"compatibility": KARAFKA_REGISTRY_COMPATIBILITY}.
#
# Each port has a registry of its own: log and pid file live in
# runs/<port>/ under the cache folder.
#
# Usage: scripts/registry.sh start|stop|restart|status|url|logs|pid
#
# Exit codes: 0 ok; 1 failure (did not come up, port taken, ...);
#             2 a required tool is missing (java 11+ and curl always; mvn only
#               while the registry is not built yet) or usage error;
#             3 `status`/`pid`: not running.
#
# Environment (all optional):
#   KARAFKA_REGISTRY_PORT            HTTP port (default 18081)
#   KARAFKA_REGISTRY_VERSION         io.apicurio:apicurio-registry-app version (default 2.1.5.Final)
#   KARAFKA_REGISTRY_QUARKUS_VERSION Quarkus version that app was built with (default 2.2.3.Final)
#   KARAFKA_REGISTRY_HOME            cache folder (default ~/.cache/karafka-actors/apicurio-registry-<version>)
#   KARAFKA_REGISTRY_COMPATIBILITY   global compatibility level set at start (default BACKWARD;
#                                    NONE or empty leaves Apicurio's default, no rule)
#   KARAFKA_REGISTRY_START_TIMEOUT   seconds to wait for the registry to answer (default 90)
#   KARAFKA_REGISTRY_HEAP_OPTS       heap flags (default -Xms64m -Xmx256m)
#   KARAFKA_REGISTRY_JVM_OPTS        extra JVM flags (default none)
#   KARAFKA_REGISTRY_JAVA            java binary to run it with (default: java on PATH)
#   MAVEN_OPTS                       passed to Maven as usual (e.g. -Dmaven.repo.local=...)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF_DIR="${SCRIPT_DIR}/registry"

REGISTRY_VERSION="${KARAFKA_REGISTRY_VERSION:-2.1.5.Final}"
QUARKUS_VERSION="${KARAFKA_REGISTRY_QUARKUS_VERSION:-2.2.3.Final}"
REGISTRY_HOME_DIR="${KARAFKA_REGISTRY_HOME:-${HOME}/.cache/karafka-actors/apicurio-registry-${REGISTRY_VERSION}}"
PORT="${KARAFKA_REGISTRY_PORT:-18081}"
COMPATIBILITY="${KARAFKA_REGISTRY_COMPATIBILITY-BACKWARD}"
START_TIMEOUT="${KARAFKA_REGISTRY_START_TIMEOUT:-90}"
JAVA="${KARAFKA_REGISTRY_JAVA:-java}"
HOST="127.0.0.1"
BASE_URL="http://${HOST}:${PORT}"
CCOMPAT_URL="${BASE_URL}/apis/ccompat/v6"

APP_DIR="${REGISTRY_HOME_DIR}/app"
APP_JAR="${APP_DIR}/registry-app-1-runner.jar"
APP_STAMP="${APP_DIR}/.complete"
RUNS_DIR="${REGISTRY_HOME_DIR}/runs"
RUN_DIR="${RUNS_DIR}/${PORT}"
LOG_FILE="${RUN_DIR}/registry.log"
PID_FILE="${RUN_DIR}/registry.pid"
# On the JVM's command line, so a pid can be told to be this port's registry.
MARKER="-Dkarafka.registry.port=${PORT}"

log() { printf 'registry.sh: %s\n' "$*" >&2; }
die() { local code="$1"; shift; log "error: $*"; exit "${code}"; }

now_ms() { date +%s%3N; }
elapsed() { # elapsed START_MS -> "12.3s"
  local ms=$(( $(now_ms) - $1 ))
  printf '%d.%01ds' $(( ms / 1000 )) $(( (ms % 1000) / 100 ))
}

# --- prerequisites ----------------------------------------------------------

require_java() {
  command -v "${JAVA}" >/dev/null 2>&1 \
    || die 2 "java not found (${JAVA}): Apicurio Registry ${REGISTRY_VERSION} needs Java 11+ (Debian: apt-get install -y openjdk-17-jre-headless; or set KARAFKA_REGISTRY_JAVA)"
  local ver major
  ver="$("${JAVA}" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${ver%%.*}"
  [[ "${major}" == "1" ]] && major=8   # "1.8.0_x" style
  if [[ ! "${major}" =~ ^[0-9]+$ ]] || (( major < 11 )); then
    die 2 "java ${ver:-unknown} found (${JAVA}), Apicurio Registry ${REGISTRY_VERSION} needs Java 11+"
  fi
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 \
    || die 2 "mvn not found on PATH: needed once to fetch and build Apicurio Registry ${REGISTRY_VERSION} from Maven Central (Debian: apt-get install -y maven)"
}

require_curl() {
  command -v curl >/dev/null 2>&1 \
    || die 2 "curl not found on PATH: needed to check that the registry answers (Debian: apt-get install -y curl)"
}

# Fingerprint of what the app folder was built from.
app_fingerprint() {
  { echo "${REGISTRY_VERSION} ${QUARKUS_VERSION}"
    cat "${CONF_DIR}/pom.xml" "${CONF_DIR}/application.properties"; } | sha256sum | cut -d' ' -f1
}

# Build the runnable registry into APP_DIR once.
ensure_app() {
  local want
  want="$(app_fingerprint)"
  if [[ -f "${APP_STAMP}" && "$(cat "${APP_STAMP}")" == "${want}" && -f "${APP_JAR}" ]]; then
    return 0
  fi
  require_mvn
  log "fetching and building Apicurio Registry ${REGISTRY_VERSION} with Maven into ${APP_DIR} (first run only)"
  local t0 tmp
  t0="$(now_ms)"
  mkdir -p "${REGISTRY_HOME_DIR}"
  # Build in a scratch folder and swap in at the end, so an interrupted build
  # never leaves a half-filled app/ that looks complete.
  tmp="$(mktemp -d "${REGISTRY_HOME_DIR}/.build.XXXXXX")"
  cp "${CONF_DIR}/pom.xml" "${tmp}/pom.xml"
  mkdir -p "${tmp}/src/main/resources"
  cp "${CONF_DIR}/application.properties" "${tmp}/src/main/resources/application.properties"
  if ! (cd "${tmp}" && mvn -q -B -gs "${CONF_DIR}/maven-settings.xml" -f pom.xml package \
          -DskipTests -Dapicurio.version="${REGISTRY_VERSION}" \
          -Dquarkus.version="${QUARKUS_VERSION}" >&2); then
    rm -rf "${tmp}"
    die 1 "Maven could not fetch or build io.apicurio:apicurio-registry-app:${REGISTRY_VERSION} (see output above)"
  fi
  [[ -f "${tmp}/target/registry-app-1-runner.jar" && -d "${tmp}/target/lib" ]] \
    || { rm -rf "${tmp}"; die 1 "registry-app-1-runner.jar or lib/ missing after Maven ran"; }
  rm -rf "${APP_DIR}"
  mkdir -p "${APP_DIR}"
  mv "${tmp}/target/registry-app-1-runner.jar" "${tmp}/target/lib" "${APP_DIR}/"
  rm -rf "${tmp}"
  echo "${want}" > "${APP_STAMP}"
  log "built in $(elapsed "${t0}") ($(find "${APP_DIR}/lib" -name '*.jar' | wc -l) jars, $(du -sh "${APP_DIR}" | cut -f1))"
}

# --- process and readiness checks -----------------------------------------

# Print the pid from pid file $1 (default: this port's) if that process is
# alive and is the registry of port $2 (guards against a recycled pid).
running_pid() {
  local pid_file="${1:-${PID_FILE}}" marker="${2:-${MARKER}}" pid
  [[ -f "${pid_file}" ]] || return 1
  pid="$(cat "${pid_file}" 2>/dev/null || true)"
  [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
  kill -0 "${pid}" 2>/dev/null || return 1
  if [[ -r "/proc/${pid}/cmdline" ]]; then
    tr '\0' ' ' < "/proc/${pid}/cmdline" | grep -qF -- "${marker} " || return 1
  fi
  echo "${pid}"
}

# Registries of other ports that are running, one a line: "PID PORT".
other_registries() {
  local dir pid port
  for dir in "${RUNS_DIR}"/*/; do
    [[ -d "${dir}" ]] || continue
    port="$(basename "${dir}")"
    [[ "${port}" == "${PORT}" ]] && continue
    pid="$(running_pid "${dir}registry.pid" "-Dkarafka.registry.port=${port}")" || continue
    echo "${pid} ${port}"
  done
}

log_not_running() {
  local pid port others=""
  while read -r pid port; do
    others+="${others:+, }pid ${pid} on ${HOST}:${port}"
  done < <(other_registries)
  if [[ -n "${others}" ]]; then
    log "not running on ${HOST}:${PORT}; running on other ports: ${others}"
  else
    log "not running"
  fi
}

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/${HOST}/$1" 2>/dev/null
}

# True when the Confluent-compatible API answers GET /subjects with 200.
registry_answers() {
  curl -fsS -m 5 -o /dev/null "${CCOMPAT_URL}/subjects" 2>/dev/null
}

# Wait until the registry process $1 answers, up to START_TIMEOUT seconds.
wait_ready() {
  local pid="$1" deadline=$(( SECONDS + START_TIMEOUT ))
  while (( SECONDS < deadline )); do
    kill -0 "${pid}" 2>/dev/null || { log "registry process ${pid} exited during startup"; return 1; }
    if port_open "${PORT}"; then
      registry_answers && return 0
    fi
    sleep 0.2
  done
  log "registry did not answer on ${CCOMPAT_URL} within ${START_TIMEOUT}s"
  return 1
}

# The global compatibility rule (Confluent's default is BACKWARD; Apicurio
# starts with none, which checks nothing).
set_compatibility() {
  [[ -z "${COMPATIBILITY}" || "${COMPATIBILITY}" == "NONE" ]] && return 0
  local out
  out="$(curl -fsS -m 10 -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
           --data "{\"compatibility\":\"${COMPATIBILITY}\"}" "${CCOMPAT_URL}/config" 2>&1)" \
    || { log "PUT ${CCOMPAT_URL}/config failed: ${out}"; return 1; }
}

# --- commands -------------------------------------------------------------

cmd_start() {
  local t0 pid
  t0="$(now_ms)"
  require_java
  require_curl

  if pid="$(running_pid)"; then
    if registry_answers; then
      log "already running (pid ${pid})"
      echo "${CCOMPAT_URL}"
      return 0
    fi
    # Alive but not answering yet (e.g. a concurrent start): wait for it.
    log "registry pid ${pid} is running but not answering yet; waiting"
    if wait_ready "${pid}"; then echo "${CCOMPAT_URL}"; return 0; fi
    tail -n 50 "${LOG_FILE}" >&2 || true
    die 1 "registry pid ${pid} is running but does not answer on ${CCOMPAT_URL} (try: $0 stop)"
  fi
  rm -f "${PID_FILE}"

  port_open "${PORT}" \
    && die 1 "port ${HOST}:${PORT} is already in use by another process (set KARAFKA_REGISTRY_PORT)"

  ensure_app

  mkdir -p "${RUN_DIR}"
  [[ -f "${LOG_FILE}" ]] && mv -f "${LOG_FILE}" "${LOG_FILE}.prev"
  : > "${LOG_FILE}"

  # shellcheck disable=SC2206  # heap/JVM opts are intentionally word-split
  local heap=(${KARAFKA_REGISTRY_HEAP_OPTS:--Xms64m -Xmx256m})
  # shellcheck disable=SC2206
  local extra=(${KARAFKA_REGISTRY_JVM_OPTS:-})
  # Loopback only; no Sentry, no Kafka event sink; serial GC and C1 only keep
  # a short-lived test server small and quick to start on a 2-core box.
  nohup "${JAVA}" "${heap[@]}" \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true \
    "${MARKER}" \
    -Dquarkus.http.host="${HOST}" -Dquarkus.http.port="${PORT}" \
    -Dregistry.enable.sentry=false \
    -Dquarkus.http.access-log.enabled=false \
    "${extra[@]}" \
    -jar "${APP_JAR}" \
    >>"${LOG_FILE}" 2>&1 </dev/null &
  pid=$!
  echo "${pid}" > "${PID_FILE}"

  if ! wait_ready "${pid}" || ! set_compatibility; then
    log "last 50 lines of ${LOG_FILE}:"
    tail -n 50 "${LOG_FILE}" >&2 || true
    kill -KILL "${pid}" 2>/dev/null || true
    rm -f "${PID_FILE}"
    die 1 "Apicurio Registry ${REGISTRY_VERSION} failed to start"
  fi
  log "Apicurio Registry ${REGISTRY_VERSION} ready at ${CCOMPAT_URL} (pid ${pid}, compatibility ${COMPATIBILITY:-NONE}, started in $(elapsed "${t0}"))"
  echo "${CCOMPAT_URL}"
}

cmd_stop() {
  local pid t0
  t0="$(now_ms)"
  if ! pid="$(running_pid)"; then
    rm -f "${PID_FILE}"
    log_not_running
    return 0
  fi
  kill -TERM "${pid}" 2>/dev/null || true
  local deadline=$(( SECONDS + 20 ))
  while kill -0 "${pid}" 2>/dev/null && (( SECONDS < deadline )); do
    sleep 0.1
  done
  if kill -0 "${pid}" 2>/dev/null; then
    log "registry pid ${pid} still alive after 20s, sending SIGKILL"
    kill -KILL "${pid}" 2>/dev/null || true
    while kill -0 "${pid}" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "${PID_FILE}"
  log "stopped (pid ${pid}) in $(elapsed "${t0}")"
}

cmd_status() {
  local pid
  if ! pid="$(running_pid)"; then
    log_not_running
    return 3
  fi
  require_curl
  if registry_answers; then
    echo "${CCOMPAT_URL}"
    return 0
  fi
  log "registry pid ${pid} is running but does not answer on ${CCOMPAT_URL}"
  return 1
}

cmd_logs() {
  [[ -f "${LOG_FILE}" ]] || die 1 "no log yet at ${LOG_FILE}"
  cat "${LOG_FILE}"
}

cmd_pid() {
  local pid
  pid="$(running_pid)" || { log_not_running; return 3; }
  echo "${pid}"
}

usage() {
  cat >&2 <<EOF
usage: $0 start|stop|restart|status|url|logs|pid
  start    fetch and build Apicurio Registry ${REGISTRY_VERSION} (once), start an empty one on ${HOST}:${PORT}
  stop     stop it (SIGTERM, SIGKILL after 20s)
  restart  stop it and start an empty one (storage is in memory)
  status   exit 0 and print the URL if answering, 3 if not running
  url      print the Confluent-compatible base URL: ${CCOMPAT_URL}
  logs     print ${LOG_FILE}
  pid      print the registry's pid (exit 3 when not running)
EOF
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "${cmd}" in
    start)   cmd_start ;;
    stop)    cmd_stop ;;
    restart) cmd_stop; cmd_start ;;
    status)  cmd_status ;;
    url)     echo "${CCOMPAT_URL}" ;;
    logs)    cmd_logs ;;
    pid)     cmd_pid ;;
    -h|--help|help) usage ;;
    *)       usage; exit 2 ;;
  esac
}

main "$@"
