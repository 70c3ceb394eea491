#!/usr/bin/env bash
# scripts/kafka.sh — run a real Apache Kafka broker (KRaft, one combined
# broker+controller node) on 127.0.0.1 for tests and CI.
#
# The broker comes from Maven Central (org.apache.kafka:kafka_2.13) through
# Maven: scripts/kafka/pom.xml lists the classpath, `mvn dependency:copy-dependencies`
# copies the jars once into a cache folder outside the repo (~/.m2 is Maven's
# own download cache). Every `start` formats a fresh, empty data dir;
# `restart` stops the broker and starts it again on the same data dir (topics,
# records and committed offsets survive), for broker-restart tests.
#
# Each port set (the five KARAFKA_KAFKA_*_PORT values) has a broker of its
# own: its data dir, properties, log and pid file live in
# brokers/<port>-<controller>-<sasl>-<proxied>-<proxy>/ under the cache
# folder, so brokers on other ports run side by side and every command
# (start, stop, status, ...) acts on the broker of the ports it is given.
# A port taken by another port set's broker names that broker and how to
# stop it.
#
# Besides PLAINTEXT it serves a SASL_SSL listener (TLS with a test CA made by
# openssl once per cache folder; SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN for
# one test user, the SCRAM credentials added when the data dir is formatted),
# for the authentication tests; `sasl-env` prints what a client needs.
#
# A third listener, PROXIED, binds one port and advertises another, where
# nothing listens unless a test runs a proxy there (toxiproxy, forwarding to
# the PROXIED port): clients that bootstrap at the proxy are told to come
# back to the proxy, so every connection of theirs goes through it, while
# PLAINTEXT clients talk to the broker directly. `proxy-env` prints both
# addresses. `pid` prints the broker's pid (for SIGSTOP/SIGCONT tests).
#
# Usage: scripts/kafka.sh start|stop|restart|status|logs|brokers|sasl-env|proxy-env|pid|create-topic NAME [PARTITIONS]
#
# Exit codes: 0 ok; 1 failure (broker did not come up, port taken, ...);
#             2 a required tool is missing (java 17+ always; mvn only while the
#               jars are not cached yet) or usage error;
#             3 `status`: broker not running.
#
# Environment (all optional):
#   KARAFKA_KAFKA_VERSION          Kafka version from Maven Central (default 4.4.0)
#   KARAFKA_KAFKA_HOME             cache folder (default ~/.cache/karafka-actors/kafka-<version>)
#   KARAFKA_KAFKA_PORT             PLAINTEXT listener port (default 19092)
#   KARAFKA_KAFKA_CONTROLLER_PORT  CONTROLLER listener port (default 19093)
#   KARAFKA_KAFKA_SASL_PORT        SASL_SSL listener port (default 19094)
#   KARAFKA_KAFKA_PROXIED_PORT     PROXIED listener port (default 19095)
#   KARAFKA_KAFKA_PROXY_PORT       port the PROXIED listener advertises, a proxy's (default 19096)
#   KARAFKA_KAFKA_START_TIMEOUT    seconds to wait for the broker to answer (default 90)
#   KARAFKA_KAFKA_HEAP_OPTS        broker heap flags (default -Xms256m -Xmx1g)
#   KARAFKA_KAFKA_JVM_OPTS         extra broker JVM flags (default none)
#   MAVEN_OPTS                     passed to Maven as usual (e.g. -Dmaven.repo.local=...)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF_DIR="${SCRIPT_DIR}/kafka"
# log, die, the tool checks, running_pid, wait_ready and the stop, status,
# logs and pid commands: lib/service.sh, shared with registry.sh.
# shellcheck source-path=SCRIPTDIR source=lib/service.sh
. "${SCRIPT_DIR}/lib/service.sh"

KAFKA_VERSION="${KARAFKA_KAFKA_VERSION:-4.4.0}"
KAFKA_HOME_DIR="${KARAFKA_KAFKA_HOME:-${HOME}/.cache/karafka-actors/kafka-${KAFKA_VERSION}}"
PORT="${KARAFKA_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${KARAFKA_KAFKA_CONTROLLER_PORT:-19093}"
SASL_PORT="${KARAFKA_KAFKA_SASL_PORT:-19094}"
PROXIED_PORT="${KARAFKA_KAFKA_PROXIED_PORT:-19095}"
PROXY_PORT="${KARAFKA_KAFKA_PROXY_PORT:-19096}"
START_TIMEOUT="${KARAFKA_KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT=30
HOST="127.0.0.1"
BOOTSTRAP="${HOST}:${PORT}"
SASL_BOOTSTRAP="${HOST}:${SASL_PORT}"
# The test user of the SASL_SSL listener (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN).
SASL_USER="karafka"
SASL_PASSWORD="karafka-secret"

LIBS_DIR="${KAFKA_HOME_DIR}/libs"
LIBS_STAMP="${LIBS_DIR}/.complete"
# The broker of this port set: data, properties, log and pid file.
PORT_SET="${PORT}-${CONTROLLER_PORT}-${SASL_PORT}-${PROXIED_PORT}-${PROXY_PORT}"
BROKERS_DIR="${KAFKA_HOME_DIR}/brokers"
RUN_DIR="${BROKERS_DIR}/${PORT_SET}"
DATA_DIR="${RUN_DIR}/data"
PROPS_FILE="${RUN_DIR}/server.properties"
LOG_FILE="${RUN_DIR}/server.log"
PID_FILE="${RUN_DIR}/kafka.pid"
LOG4J_CONF="${CONF_DIR}/log4j2.properties"
TLS_DIR="${KAFKA_HOME_DIR}/tls"
CA_FILE="${TLS_DIR}/ca.pem"

# Class names (checked against the 4.x jars): the broker main and the storage
# formatter live in kafka_2.13, TopicCommand in kafka-tools.
SERVER_CLASS="kafka.Kafka"
STORAGE_CLASS="kafka.tools.StorageTool"
TOPIC_CLASS="org.apache.kafka.tools.TopicCommand"

# What lib/service.sh's functions act on (see there).
SERVICE_NAME="kafka.sh"
SERVICE_KIND="broker"
SERVICE_TITLE="Kafka ${KAFKA_VERSION}"
SERVICE_URL="${BOOTSTRAP}"
SERVICE_WHERE="${BOOTSTRAP} (port set ${PORT_SET})"
SERVICE_ANSWERS=broker_answers
SERVICE_NEEDS=require_java
SERVICE_OTHERS=other_brokers
# The broker of this port set is the one started with its properties file.
PROC_PATTERN="${PROPS_FILE}"

# --- prerequisites ----------------------------------------------------------

require_java() { require_java_version java 17 "Kafka ${KAFKA_VERSION}"; }

require_mvn() {
  require_cmd mvn "needed once to fetch Kafka ${KAFKA_VERSION} from Maven Central" maven
}

# Fingerprint of what the jar folder was built from: a changed pom or version
# triggers a fresh copy.
libs_fingerprint() {
  { echo "${KAFKA_VERSION}"; cat "${CONF_DIR}/pom.xml"; } | sha256sum | cut -d' ' -f1
}

# Copy the broker's classpath into LIBS_DIR once.
ensure_jars() {
  local want
  want="$(libs_fingerprint)"
  if [[ -f "${LIBS_STAMP}" && "$(cat "${LIBS_STAMP}")" == "${want}" ]]; then
    return 0
  fi
  require_mvn
  log "fetching Kafka ${KAFKA_VERSION} jars with Maven into ${LIBS_DIR} (first run only)"
  local t0 tmp
  t0="$(now_ms)"
  mkdir -p "${KAFKA_HOME_DIR}"
  # Work in a scratch folder and swap in at the end, so an interrupted download
  # never leaves a half-filled libs/ that looks complete.
  tmp="$(mktemp -d "${KAFKA_HOME_DIR}/.libs.XXXXXX")"
  cp "${CONF_DIR}/pom.xml" "${tmp}/pom.xml"
  if ! (cd "${tmp}" && mvn -q -B -f pom.xml dependency:copy-dependencies \
          -Dkafka.version="${KAFKA_VERSION}" -DoutputDirectory="${tmp}/libs" \
          -DincludeScope=runtime >&2); then
    rm -rf "${tmp}"
    die 1 "Maven could not fetch org.apache.kafka:kafka_2.13:${KAFKA_VERSION} (see output above)"
  fi
  [[ -n "$(find "${tmp}/libs" -name "kafka_2.13-${KAFKA_VERSION}.jar" -print -quit)" ]] \
    || { rm -rf "${tmp}"; die 1 "kafka_2.13-${KAFKA_VERSION}.jar missing after Maven ran"; }
  rm -rf "${LIBS_DIR}"
  mv "${tmp}/libs" "${LIBS_DIR}"
  rm -rf "${tmp}"
  echo "${want}" > "${LIBS_STAMP}"
  log "fetched $(find "${LIBS_DIR}" -name '*.jar' | wc -l) jars in $(elapsed "${t0}")"
}

# Run a Kafka command-line class (StorageTool, TopicCommand) in a small,
# quick-starting JVM that only logs warnings, to stderr. An array (not a
# function) so it can also run under `timeout`.
TOOL_JAVA=(java -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
  -Djava.awt.headless=true
  -Dlog4j2.configurationFile="${LOG4J_CONF}"
  -Dkarafka.kafka.log.level=WARN -Dkarafka.kafka.log.target=SYSTEM_ERR
  -cp "${LIBS_DIR}/*")
run_tool() { "${TOOL_JAVA[@]}" "$@"; }

# --- TLS material -----------------------------------------------------------

require_openssl() {
  require_cmd openssl "needed once to make the SASL_SSL listener's test certificates" openssl
}

# A test CA and a broker certificate for 127.0.0.1 signed by it, made once per
# cache folder. broker.pem holds the broker's PKCS#8 key and certificate
# chain, the PEM keystore Kafka reads; clients trust ca.pem.
ensure_tls() {
  [[ -s "${TLS_DIR}/broker.pem" && -s "${CA_FILE}" ]] && return 0
  require_openssl
  local tmp
  mkdir -p "${KAFKA_HOME_DIR}"
  tmp="$(mktemp -d "${KAFKA_HOME_DIR}/.tls.XXXXXX")"
  if ! (
    cd "${tmp}"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout ca-key.pem -out ca.pem \
      -subj "/CN=karafka-actors test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -keyout broker-key.pem -out broker.csr -subj "/CN=${HOST}"
    printf 'subjectAltName=IP:%s,DNS:localhost\nextendedKeyUsage=serverAuth\n' "${HOST}" > ext.cnf
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
      -extfile ext.cnf -out broker-cert.pem
    cat broker-key.pem broker-cert.pem ca.pem > broker.pem
  ) >/dev/null 2>&1; then
    rm -rf "${tmp}"
    die 1 "openssl could not make the test certificates"
  fi
  rm -rf "${TLS_DIR}"
  mv "${tmp}" "${TLS_DIR}"
  log "made a test CA and broker certificate in ${TLS_DIR}"
}

# --- process and readiness checks -----------------------------------------

# Print the brokers of other port sets that are running, one a line:
# "PID PORT CONTROLLER SASL PROXIED PROXY". A broker started by an older
# kafka.sh (one pid file for the whole cache folder) shows with its ports
# read from its properties and "-" for the proxy port.
other_brokers() {
  local dir pid set
  for dir in "${BROKERS_DIR}"/*/; do
    [[ -d "${dir}" ]] || continue
    set="$(basename "${dir}")"
    [[ "${set}" == "${PORT_SET}" ]] && continue
    pid="$(running_pid "${dir}kafka.pid" "${dir}server.properties")" || continue
    echo "${pid} ${set//-/ }"
  done
  if pid="$(running_pid "${KAFKA_HOME_DIR}/kafka.pid" "${KAFKA_HOME_DIR}/server.properties")"; then
    local l
    l="$(grep -m1 '^listeners=' "${KAFKA_HOME_DIR}/server.properties" 2>/dev/null || true)"
    echo "${pid} $(port_of "${l}" PLAINTEXT) $(port_of "${l}" CONTROLLER) $(port_of "${l}" SASL_SSL) $(port_of "${l}" PROXIED) -"
  fi
}

# port_of LISTENERS_LINE NAME: the port of listener NAME ("-" if none).
port_of() {
  local p
  p="$(grep -oE "(^|[=,])$2://[^,]*:[0-9]+" <<<"$1" | grep -oE '[0-9]+$' || true)"
  echo "${p:--}"
}

# Say which of our brokers holds port $1, if one does, and how to stop it.
who_holds_port() {
  local pid port controller sasl proxied proxy
  while read -r pid port controller sasl proxied proxy; do
    [[ " ${port} ${controller} ${sasl} ${proxied} " == *" $1 "* ]] || continue
    if [[ "${proxy}" == "-" ]]; then
      echo "a broker an older scripts/kafka.sh started (pid ${pid}; PLAINTEXT ${HOST}:${port}, controller ${controller}, SASL_SSL ${sasl}, PROXIED ${proxied}); stop it with: kill ${pid}"
    else
      echo "the broker kafka.sh started for another port set (pid ${pid}; PLAINTEXT ${HOST}:${port}, controller ${controller}, SASL_SSL ${sasl}, PROXIED ${proxied}, proxy ${proxy}); stop it with: KARAFKA_KAFKA_PORT=${port} KARAFKA_KAFKA_CONTROLLER_PORT=${controller} KARAFKA_KAFKA_SASL_PORT=${sasl} KARAFKA_KAFKA_PROXIED_PORT=${proxied} KARAFKA_KAFKA_PROXY_PORT=${proxy} $0 stop"
    fi
    return 0
  done < <(other_brokers)
  return 1
}

# True when the broker answers a metadata request (TopicCommand --list).
broker_answers() {
  port_open "${PORT}" || return 1
  timeout 30 "${TOOL_JAVA[@]}" "${TOPIC_CLASS}" --bootstrap-server "${BOOTSTRAP}" --list >/dev/null 2>&1
}

# --- server.properties ----------------------------------------------------

write_properties() {
  cat > "${PROPS_FILE}" <<EOF
# Generated by scripts/kafka.sh on every start; edits are overwritten.
# Single combined KRaft node for tests: broker + controller, node 1.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${CONTROLLER_PORT}

# PROXIED binds ${PROXIED_PORT} but advertises ${PROXY_PORT}, a proxy's port
# (fault-injection tests run one there, forwarding to ${PROXIED_PORT}).
listeners=PLAINTEXT://${HOST}:${PORT},SASL_SSL://${HOST}:${SASL_PORT},PROXIED://${HOST}:${PROXIED_PORT},CONTROLLER://${HOST}:${CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://${HOST}:${PORT},SASL_SSL://${HOST}:${SASL_PORT},PROXIED://${HOST}:${PROXY_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,PROXIED:PLAINTEXT,CONTROLLER:PLAINTEXT

# SASL_SSL: TLS with the test CA's broker certificate; SCRAM users live in
# the cluster metadata (added at format time), PLAIN's in the JAAS line.
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${SASL_USER}="${SASL_PASSWORD}";
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=${TLS_DIR}/broker.pem

log.dirs=${DATA_DIR}/kraft-combined-logs

# Topics: tests create their own, explicitly.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1

# Internal topics on one node: replication factor 1, few partitions so the
# first group join / first transaction create them quickly.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Fast tests: no initial rebalance delay for classic consumer groups.
group.initial.rebalance.delay.ms=0

# A 2-core test box: keep thread pools small.
num.network.threads=2
num.io.threads=4
background.threads=4
num.recovery.threads.per.data.dir=1
EOF
}

# A random Kafka cluster id: 16 random bytes, base64url without padding
# (22 chars), the same shape kafka.tools.StorageTool random-uuid prints,
# without paying for a JVM start. Kafka avoids ids that start with '-'.
random_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "${id}" != -* && ${#id} -eq 22 ]] && { echo "${id}"; return; }
  done
}

# --- commands -------------------------------------------------------------

cmd_start() {
  # $1: "fresh" (default) formats a new, empty data dir; "keep" reuses it.
  local mode="${1:-fresh}" t0 pid
  t0="$(now_ms)"
  require_java

  start_if_running && return 0

  # Someone else's process on our ports would make the broker fail late and
  # confusingly; say so up front.
  local p holder
  for p in "${PORT}" "${CONTROLLER_PORT}" "${SASL_PORT}" "${PROXIED_PORT}"; do
    if port_open "${p}"; then
      if holder="$(who_holds_port "${p}")"; then
        die 1 "port ${HOST}:${p} is in use by ${holder}; or choose other ports (KARAFKA_KAFKA_PORT / KARAFKA_KAFKA_CONTROLLER_PORT / KARAFKA_KAFKA_SASL_PORT / KARAFKA_KAFKA_PROXIED_PORT)"
      fi
      die 1 "port ${HOST}:${p} is already in use by another process (set KARAFKA_KAFKA_PORT / KARAFKA_KAFKA_CONTROLLER_PORT / KARAFKA_KAFKA_SASL_PORT / KARAFKA_KAFKA_PROXIED_PORT)"
    fi
  done

  ensure_jars
  ensure_tls

  if [[ "${mode}" == "keep" ]]; then
    # Same data dir (formatted by an earlier start): only the broker restarts.
    [[ -f "${DATA_DIR}/kraft-combined-logs/meta.properties" ]] \
      || die 1 "no formatted data dir at ${DATA_DIR} to restart on (run: $0 start)"
    write_properties
    log "restarting on the existing data dir ${DATA_DIR}"
    printf '\n==== restart %s ====\n' "$(date -u +%FT%TZ)" >> "${LOG_FILE}"
  else
    # Fresh, empty broker every start.
    rm -rf "${DATA_DIR}"
    mkdir -p "${DATA_DIR}"
    write_properties
    [[ -f "${LOG_FILE}" ]] && mv -f "${LOG_FILE}" "${LOG_FILE}.prev"
    : > "${LOG_FILE}"

    local cluster_id
    cluster_id="$(random_cluster_id)"
    if ! run_tool "${STORAGE_CLASS}" format -t "${cluster_id}" -c "${PROPS_FILE}" \
        --add-scram "SCRAM-SHA-256=[name=${SASL_USER},password=${SASL_PASSWORD}]" \
        --add-scram "SCRAM-SHA-512=[name=${SASL_USER},password=${SASL_PASSWORD}]" \
        >>"${LOG_FILE}" 2>&1; then
      tail -n 50 "${LOG_FILE}" >&2 || true
      die 1 "formatting ${DATA_DIR} failed"
    fi
  fi

  # shellcheck disable=SC2206  # heap/JVM opts are intentionally word-split
  local heap=(${KARAFKA_KAFKA_HEAP_OPTS:--Xms256m -Xmx1g})
  # shellcheck disable=SC2206
  local extra=(${KARAFKA_KAFKA_JVM_OPTS:-})
  # Same GC settings as Kafka's kafka-run-class.sh; exit (not limp on) on OOM.
  nohup java "${heap[@]}" \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="${LOG4J_CONF}" \
    -Dkarafka.kafka.log.level=INFO -Dkarafka.kafka.log.target=SYSTEM_OUT \
    "${extra[@]}" \
    -cp "${LIBS_DIR}/*" "${SERVER_CLASS}" "${PROPS_FILE}" \
    >>"${LOG_FILE}" 2>&1 </dev/null &
  pid=$!
  echo "${pid}" > "${PID_FILE}"

  wait_ready "${pid}" || abort_start "${pid}"
  port_open "${SASL_PORT}" || die 1 "broker answers on ${BOOTSTRAP} but not on its SASL_SSL listener ${SASL_BOOTSTRAP} (see: $0 logs)"
  log "Kafka ${KAFKA_VERSION} ready at ${BOOTSTRAP}, SASL_SSL at ${SASL_BOOTSTRAP} (pid ${pid}, started in $(elapsed "${t0}"))"
  echo "${BOOTSTRAP}"
}

cmd_create_topic() {
  local name="${1:-}" partitions="${2:-1}"
  [[ -n "${name}" ]] || die 2 "usage: $0 create-topic NAME [PARTITIONS]"
  [[ "${partitions}" =~ ^[1-9][0-9]*$ ]] || die 2 "PARTITIONS must be a positive integer, got '${partitions}'"
  running_pid >/dev/null || die 1 "broker not running (run: $0 start)"
  require_java
  run_tool "${TOPIC_CLASS}" --bootstrap-server "${BOOTSTRAP}" --create \
    --topic "${name}" --partitions "${partitions}" --replication-factor 1
}

# The SASL_SSL listener's settings, for `eval "$(scripts/kafka.sh sasl-env)"`.
cmd_sasl_env() {
  printf 'export KARAFKA_TEST_SASL_BROKERS=%q\n' "${SASL_BOOTSTRAP}"
  printf 'export KARAFKA_TEST_SASL_CA_FILE=%q\n' "${CA_FILE}"
  printf 'export KARAFKA_TEST_SASL_USER=%q\n' "${SASL_USER}"
  printf 'export KARAFKA_TEST_SASL_PASSWORD=%q\n' "${SASL_PASSWORD}"
}

# The PROXIED listener's addresses, for `eval "$(scripts/kafka.sh proxy-env)"`:
# a proxy listens on KARAFKA_TEST_PROXY_ADDR and forwards to
# KARAFKA_TEST_PROXY_UPSTREAM; clients bootstrap at the proxy.
cmd_proxy_env() {
  printf 'export KARAFKA_TEST_PROXY_ADDR=%q\n' "${HOST}:${PROXY_PORT}"
  printf 'export KARAFKA_TEST_PROXY_UPSTREAM=%q\n' "${HOST}:${PROXIED_PORT}"
}

# Stop the broker (if running) and start it again on the same data dir.
cmd_restart() {
  local t0
  t0="$(now_ms)"
  cmd_stop
  cmd_start keep
  log "restarted in $(elapsed "${t0}")"
}

usage() {
  cat >&2 <<EOF
usage: $0 start|stop|restart|status|logs|brokers|sasl-env|proxy-env|pid|create-topic NAME [PARTITIONS]
  start         fetch Kafka ${KAFKA_VERSION} (once), start a fresh broker on ${BOOTSTRAP}
  stop          stop it (SIGTERM, SIGKILL after ${STOP_TIMEOUT}s)
  restart       stop it and start it again keeping its data (topics, records, offsets)
  status        exit 0 and print the address if answering, 3 if not running
  logs          print ${LOG_FILE}
  brokers       print the bootstrap address
  sasl-env      print the SASL_SSL listener's settings as KARAFKA_TEST_SASL_* shell assignments
  proxy-env     print the PROXIED listener's proxy and upstream addresses as KARAFKA_TEST_PROXY_* assignments
  pid           print the broker's pid (exit 3 when not running)
  create-topic  create a topic (replication factor 1)
EOF
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "${cmd}" in
    start)        cmd_start ;;
    stop)         cmd_stop ;;
    restart)      cmd_restart ;;
    status)       cmd_status ;;
    logs)         cmd_logs ;;
    brokers)      echo "${BOOTSTRAP}" ;;
    sasl-env)     cmd_sasl_env ;;
    proxy-env)    cmd_proxy_env ;;
    pid)          cmd_pid ;;
    create-topic) cmd_create_topic "$@" ;;
    -h|--help|help) usage ;;
    *)            usage; exit 2 ;;
  esac
}

main "$@"
