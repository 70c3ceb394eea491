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
# log, die, the tool checks, running_pid, wait_ready and the stop, status,
# logs and pid commands: lib/service.sh, shared with kafka.sh.
# shellcheck source-path=SCRIPTDIR source=lib/service.sh
. "${SCRIPT_DIR}/lib/service.sh"

REGISTRY_VERSION="${KARAFKA_REGISTRY_VERSION:-2.1.5.Final}"
QUARKUS_VERSION="${KARAFKA_REGISTRY_QUARKUS_VERSION:-2.2.3.Final}"
REGISTRY_HOME_DIR="${KARAFKA_REGISTRY_HOME:-${HOME}/.cache/karafka-actors/apicurio-registry-${REGISTRY_VERSION}}"
PORT="${KARAFKA_REGISTRY_PORT:-18081}"
COMPATIBILITY="${KARAFKA_REGISTRY_COMPATIBILITY-BACKWARD}"
START_TIMEOUT="${KARAFKA_REGISTRY_START_TIMEOUT:-90}"
STOP_TIMEOUT=20
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

# What lib/service.sh's functions act on (see there).
SERVICE_NAME="registry.sh"
SERVICE_KIND="registry"
SERVICE_TITLE="Apicurio Registry ${REGISTRY_VERSION}"
SERVICE_URL="${CCOMPAT_URL}"
SERVICE_WHERE="${HOST}:${PORT}"
SERVICE_ANSWERS=registry_answers
SERVICE_NEEDS=require_curl
SERVICE_OTHERS=other_registries
# The marker and the space after it: port 1808's must not match port 18081's.
PROC_PATTERN="${MARKER} "

# --- prerequisites ----------------------------------------------------------

require_java() {
  require_java_version "${JAVA}" 11 "Apicurio Registry ${REGISTRY_VERSION}" KARAFKA_REGISTRY_JAVA
}

require_mvn() {
  require_cmd mvn "needed once to fetch and build Apicurio Registry ${REGISTRY_VERSION} from Maven Central" maven
}

require_curl() {
  require_cmd curl "needed to check that the registry answers" curl
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

# Registries of other ports that are running, one a line: "PID PORT".
other_registries() {
  local dir pid port
  for dir in "${RUNS_DIR}"/*/; do
    [[ -d "${dir}" ]] || continue
    port="$(basename "${dir}")"
    [[ "${port}" == "${PORT}" ]] && continue
    pid="$(running_pid "${dir}registry.pid" "-Dkarafka.registry.port=${port} ")" || continue
    echo "${pid} ${port}"
  done
}

# True when the Confluent-compatible API answers GET /subjects with 200.
registry_answers() {
  curl -fsS -m 5 -o /dev/null "${CCOMPAT_URL}/subjects" 2>/dev/null
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

  start_if_running && return 0

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
    abort_start "${pid}"
  fi
  log "Apicurio Registry ${REGISTRY_VERSION} ready at ${CCOMPAT_URL} (pid ${pid}, compatibility ${COMPATIBILITY:-NONE}, started in $(elapsed "${t0}"))"
  echo "${CCOMPAT_URL}"
}

usage() {
  cat >&2 <<EOF
usage: $0 start|stop|restart|status|url|logs|pid
  start    fetch and build Apicurio Registry ${REGISTRY_VERSION} (once), start an empty one on ${HOST}:${PORT}
  stop     stop it (SIGTERM, SIGKILL after ${STOP_TIMEOUT}s)
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
