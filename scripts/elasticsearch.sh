#!/usr/bin/env bash
# A real single-node Elasticsearch (7.17, from Maven Central) for development and tests.
#
# Elasticsearch is not packaged by Debian or PyPI. scripts/es-node/ is a small Maven project
# whose dependencies are the server jar and the modules Maven Central publishes; this script
# resolves them into the local Maven cache (~/.m2, outside the clone: a second run downloads
# nothing), compiles the launcher into the state dir, and runs one node on 127.0.0.1 with
# security off (the OSS modules have none) and a small heap.
#
# Usage: scripts/elasticsearch.sh start|stop|restart|status|env
#   FAIRWATCH_ES_DIR            state dir: build, data, pid, log (default /var/tmp/fairwatch-es)
#   FAIRWATCH_TEST_ES_PORT      HTTP port (default 59200; transport uses port + 100)
#   FAIRWATCH_TEST_ES_TRANSPORT_PORT  transport port (default: HTTP port + 100)
#   FAIRWATCH_ES_HEAP           JVM heap (default 1g)
#   FAIRWATCH_ES_START_TIMEOUT  seconds to wait for green/yellow health (default 180)
#   FAIRWATCH_ES_JAVA_HOME      JDK to run with (default: java on PATH, 17 or newer)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
project=$here/es-node
state=${FAIRWATCH_ES_DIR:-/var/tmp/fairwatch-es}
port=${FAIRWATCH_TEST_ES_PORT:-59200}
transport_port=${FAIRWATCH_TEST_ES_TRANSPORT_PORT:-$((port + 100))}
heap=${FAIRWATCH_ES_HEAP:-1g}
timeout=${FAIRWATCH_ES_START_TIMEOUT:-180}
pidfile=$state/node.pid
log=$state/logs/node.log
url=http://127.0.0.1:$port
main_class=fairwatch.esnode.EsNode

die() { echo "elasticsearch: $*" >&2; exit 1; }

java_bin() {
  if [ -n "${FAIRWATCH_ES_JAVA_HOME:-}" ]; then echo "$FAIRWATCH_ES_JAVA_HOME/bin/java"; else command -v java; fi
}

ensure_packages() {
  local missing=()
  command -v mvn >/dev/null || missing+=(maven)
  command -v javac >/dev/null || [ -n "${FAIRWATCH_ES_JAVA_HOME:-}" ] || missing+=(openjdk-17-jdk-headless)
  command -v curl >/dev/null || missing+=(curl)
  if ((${#missing[@]})); then
    echo "elasticsearch: installing ${missing[*]} from Debian" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Compile the launcher and resolve the classpath; skipped when nothing changed since the last
# build and every jar is still in the Maven cache (a warm start runs no Maven at all).
build() {
  local build_dir=$state/build stamp
  mkdir -p "$build_dir"
  stamp=$(cat "$project/pom.xml" $(find "$project/src" -type f | sort) | sha256sum | cut -d' ' -f1)
  if [ -f "$build_dir/stamp" ] && [ "$(cat "$build_dir/stamp")" = "$stamp" ] && classpath_ok; then
    return
  fi
  echo "elasticsearch: resolving the node from Maven Central into ~/.m2 (log: $build_dir/maven.log)" >&2
  local java_home_env=()
  [ -n "${FAIRWATCH_ES_JAVA_HOME:-}" ] && java_home_env=(env "JAVA_HOME=$FAIRWATCH_ES_JAVA_HOME")
  if ! "${java_home_env[@]}" mvn -B -q -f "$project/pom.xml" "-Dfairwatch.es.build=$build_dir" \
      compile dependency:build-classpath "-Dmdep.outputFile=$build_dir/classpath.txt" \
      >"$build_dir/maven.log" 2>&1; then
    tail -n 30 "$build_dir/maven.log" >&2
    die "the Maven build of $project failed; full log: $build_dir/maven.log"
  fi
  echo "$stamp" >"$build_dir/stamp"
}

classpath_ok() {
  local f=$state/build/classpath.txt jar
  [ -s "$f" ] && [ -d "$state/build/classes" ] || return 1
  IFS=: read -r -a jars <"$f"
  for jar in "${jars[@]}"; do [ -f "$jar" ] || return 1; done
}

# The pid file is trusted only while it names our launcher (pids get reused).
running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$main_class" || return 1
  echo "$pid"
}

healthy() {
  curl -fsS -m 5 "$url/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null |
    grep -Eq '"status":"(green|yellow)"'
}

start() {
  if pid=$(running_pid); then
    healthy && { echo "elasticsearch: already running at $url (pid $pid)"; return; }
  else
    curl -fsS -m 2 "$url" >/dev/null 2>&1 &&
      die "port $port already answers but is not the node from $pidfile; stop it or set FAIRWATCH_TEST_ES_PORT"
    ensure_packages
    build
    mkdir -p "$state/home" "$state/data" "$state/logs"
    local java cp
    java=$(java_bin)
    cp="$state/build/classes:$(cat "$state/build/classpath.txt")"
    # setsid: the node outlives the shell that started it (make, CI) until `stop`.
    setsid "$java" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
      -Dfile.encoding=UTF-8 -Dlog4j2.formatMsgNoLookups=true -Dlog4j2.disable.jmx=true \
      -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true \
      -Dio.netty.recycler.maxCapacityPerThread=0 -Djna.nosys=true \
      -cp "$cp" \
      -Des.setting.path.home="$state/home" -Des.setting.path.data="$state/data" \
      -Des.setting.path.logs="$state/logs" \
      -Des.setting.cluster.name=fairwatch-dev -Des.setting.node.name=fairwatch-es \
      -Des.setting.network.host=127.0.0.1 -Des.setting.http.port="$port" \
      -Des.setting.transport.port="$transport_port" -Des.setting.discovery.type=single-node \
      -Des.setting.cluster.routing.allocation.disk.threshold_enabled=false \
      -Des.setting.action.auto_create_index=false \
      "$main_class" </dev/null >>"$log" 2>&1 &
    pid=$!
    echo "$pid" >"$pidfile"
  fi
  local waited=0
  until healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2
      rm -f "$pidfile"
      die "the node exited during start-up; full log: $log"
    fi
    if ((waited >= timeout)); then
      tail -n 20 "$log" >&2
      die "no green/yellow health at $url after ${timeout}s (pid $pid still running); log: $log"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "elasticsearch: running at $url (pid $pid, log $log)"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$pidfile"
    echo "elasticsearch: not running"
    return
  fi
  kill -TERM "$pid"
  for _ in $(seq 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "elasticsearch: pid $pid did not stop within 30s; killing it" >&2
    kill -KILL "$pid"
  fi
  rm -f "$pidfile"
  echo "elasticsearch: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status)
    if pid=$(running_pid) && healthy; then
      echo "elasticsearch: running at $url (pid $pid)"
    elif pid=$(running_pid); then
      echo "elasticsearch: pid $pid is running but $url is not healthy; log: $log"; exit 1
    else
      echo "elasticsearch: not running"; exit 3
    fi
    ;;
  env) echo "FAIRWATCH_TEST_ES_URL=$url" ;;
  *) echo "usage: $0 start|stop|restart|status|env" >&2; exit 2 ;;
esac
