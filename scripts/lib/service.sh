# shellcheck shell=bash disable=SC2119  # running_pid's arguments are not the script's
# scripts/lib/service.sh — what scripts/kafka.sh and scripts/registry.sh share:
# logging, timings, tool checks, and the start/stop/status/logs/pid plumbing
# of one local Java service that runs in the background with a pid file and
# a log file. Sourced, not run; it only defines functions.
#
# The sourcing script sets, before calling any of them:
#   SERVICE_NAME     log prefix, the script's name ("kafka.sh")
#   SERVICE_KIND     what messages call the process ("broker", "registry")
#   SERVICE_TITLE    what failed to start ("Kafka 4.4.0")
#   SERVICE_URL      what start and status print; where the service answers
#   SERVICE_WHERE    how "not running" names this instance ("127.0.0.1:18081")
#   SERVICE_ANSWERS  name of a function: true when the service answers
#   SERVICE_NEEDS    name of a function `status` runs before SERVICE_ANSWERS
#                    (dies when a tool that probe uses is missing)
#   SERVICE_OTHERS   name of a function printing the instances on other ports
#                    that are running, one a line: "PID PORT ..."
#   HOST, PORT       where it listens
#   PID_FILE, LOG_FILE
#   PROC_PATTERN     text on the command line of this instance's process
#   START_TIMEOUT    seconds to wait for it to answer
#   STOP_TIMEOUT     seconds between SIGTERM and SIGKILL

log() { printf '%s: %s\n' "${SERVICE_NAME}" "$*" >&2; }
die() { local code="$1"; shift; log "error: $*"; exit "${code}"; }

# Monotonic-enough wall clock with millisecond precision, for timings.
now_ms() { date +%s%3N; }
elapsed() { # elapsed START_MS -> "12.3s"
  local ms=$(( $(now_ms) - $1 ))
  printf '%d.%01ds' $(( ms / 1000 )) $(( (ms % 1000) / 100 ))
}

# --- prerequisites ----------------------------------------------------------

# require_cmd CMD WHY PACKAGE: die 2 (a required tool is missing) unless CMD
# is on PATH; WHY says what it is needed for, PACKAGE is its Debian package.
require_cmd() {
  command -v "$1" >/dev/null 2>&1 \
    || die 2 "$1 not found on PATH: $2 (Debian: apt-get install -y $3)"
}

# require_java_version JAVA MIN WHO [VAR]: die 2 unless JAVA runs and is
# Java MIN or newer, which WHO ("Kafka 4.4.0") needs. VAR, if given, is the
# environment variable that picks another java: the messages then name the
# java they looked at and suggest setting VAR.
require_java_version() {
  local java="$1" min="$2" who="$3" var="${4:-}" where="on PATH" which="" hint=""
  if [[ -n "${var}" ]]; then
    where="(${java})"; which=" (${java})"; hint="; or set ${var}"
  fi
  command -v "${java}" >/dev/null 2>&1 \
    || die 2 "java not found ${where}: ${who} needs Java ${min}+ (Debian: apt-get install -y openjdk-17-jre-headless${hint})"
  # `java -version` prints e.g.: openjdk version "17.0.15" 2025-04-15
  local ver major
  ver="$("${java}" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${ver%%.*}"
  [[ "${major}" == "1" ]] && major=8   # "1.8.0_x" style
  if [[ ! "${major}" =~ ^[0-9]+$ ]] || (( major < min )); then
    die 2 "java ${ver:-unknown} found${which}, ${who} needs Java ${min}+"
  fi
}

# --- process and readiness checks -----------------------------------------

# Print the pid from pid file $1 (default: PID_FILE) if that process is alive
# and its command line holds $2 (default: PROC_PATTERN; guards against a
# recycled pid). Returns 1 otherwise. The scripts pass other instances' pid
# files and patterns to find those.
# shellcheck disable=SC2120  # called without arguments here, with them there
running_pid() {
  local pid_file="${1:-${PID_FILE}}" pattern="${2:-${PROC_PATTERN}}" pid
  [[ -f "${pid_file}" ]] || return 1
  pid="$(cat "${pid_file}" 2>/dev/null || true)"
  [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
  kill -0 "${pid}" 2>/dev/null || return 1
  if [[ -r "/proc/${pid}/cmdline" ]]; then
    tr '\0' ' ' < "/proc/${pid}/cmdline" | grep -qF -- "${pattern}" || return 1
  fi
  echo "${pid}"
}

# Log "not running" for this instance, naming the instances on other ports
# that are.
log_not_running() {
  local other_pid other_port _ others=""
  while read -r other_pid other_port _; do
    others+="${others:+, }pid ${other_pid} on ${HOST}:${other_port}"
  done < <("${SERVICE_OTHERS}")
  if [[ -n "${others}" ]]; then
    log "not running on ${SERVICE_WHERE}; running on other ports: ${others}"
  else
    log "not running"
  fi
}

# True when something accepts TCP connections on HOST:$1 (bash /dev/tcp).
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/${HOST}/$1" 2>/dev/null
}

# Wait until the process $1 answers, up to START_TIMEOUT seconds.
wait_ready() {
  local pid="$1" deadline=$(( SECONDS + START_TIMEOUT ))
  while (( SECONDS < deadline )); do
    kill -0 "${pid}" 2>/dev/null || { log "${SERVICE_KIND} process ${pid} exited during startup"; return 1; }
    if port_open "${PORT}"; then
      "${SERVICE_ANSWERS}" && return 0
    fi
    sleep 0.2
  done
  log "${SERVICE_KIND} did not answer on ${SERVICE_URL} within ${START_TIMEOUT}s"
  return 1
}

# --- commands -------------------------------------------------------------

# How every start begins: when this instance is running already, print
# SERVICE_URL once it answers and return 0 (die 1 if it never does);
# otherwise clear a stale pid file and return 1, for a fresh start.
start_if_running() {
  local pid
  if pid="$(running_pid)"; then
    if "${SERVICE_ANSWERS}"; then
      log "already running (pid ${pid})"
      echo "${SERVICE_URL}"
      return 0
    fi
    # Alive but not answering yet (e.g. a concurrent start): wait for it.
    log "${SERVICE_KIND} pid ${pid} is running but not answering yet; waiting"
    if wait_ready "${pid}"; then echo "${SERVICE_URL}"; return 0; fi
    tail -n 50 "${LOG_FILE}" >&2 || true
    die 1 "${SERVICE_KIND} pid ${pid} is running but does not answer on ${SERVICE_URL} (try: $0 stop)"
  fi
  rm -f "${PID_FILE}"
  return 1
}

# A start that failed after launching process $1: show the end of the log,
# kill the process and die 1.
abort_start() {
  local pid="$1"
  log "last 50 lines of ${LOG_FILE}:"
  tail -n 50 "${LOG_FILE}" >&2 || true
  # Do not leave a half-started process behind.
  kill -KILL "${pid}" 2>/dev/null || true
  rm -f "${PID_FILE}"
  die 1 "${SERVICE_TITLE} failed to start"
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
  local deadline=$(( SECONDS + STOP_TIMEOUT ))
  while kill -0 "${pid}" 2>/dev/null && (( SECONDS < deadline )); do
    sleep 0.1
  done
  if kill -0 "${pid}" 2>/dev/null; then
    log "${SERVICE_KIND} pid ${pid} still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
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
  "${SERVICE_NEEDS}"
  if "${SERVICE_ANSWERS}"; then
    echo "${SERVICE_URL}"
    return 0
  fi
  log "${SERVICE_KIND} pid ${pid} is running but does not answer on ${SERVICE_URL}"
  return 1
}

cmd_logs() {
  [[ -f "${LOG_FILE}" ]] || die 1 "no log yet at ${LOG_FILE}"
  cat "${LOG_FILE}"
}

# The running process's pid (exit 3 when not running).
cmd_pid() {
  local pid
  pid="$(running_pid)" || { log_not_running; return 3; }
  echo "${pid}"
}
