#!/usr/bin/env bash
# A real Elasticsearch (8.19, from Maven Central) for development and tests: one node, or a
# cluster of two on loopback.
#
# Elasticsearch is not packaged by Debian or PyPI. scripts/es-node/ is a small Maven project
# whose dependencies are the server jar and the transport-netty4 module from Maven Central;
# this script resolves them into the local Maven cache (~/.m2, outside the clone: a second run
# downloads nothing), compiles the launcher into the state dir, and runs the node(s) on
# 127.0.0.1 with security off (the server jar has no security module) and a small heap.
#
# Usage: scripts/elasticsearch.sh start|stop|restart|status|env|pid [NODE]
#   FAIRWATCH_ES_DIR            state dir: build, data, pid, log (default /var/tmp/fairwatch-es);
#                               node 1 keeps its files there, node N in node<N>/ below it
#   FAIRWATCH_TEST_ES_PORT      HTTP port of node 1 (default 59200); node N uses port + N - 1
#   FAIRWATCH_TEST_ES_TRANSPORT_PORT  transport port of node 1 (default: HTTP port + 100)
#   FAIRWATCH_ES_NODES          1 (default): a single node; 2: a cluster of two, node 1
#                               master-eligible and data, node 2 data only
#   FAIRWATCH_ES_CLUSTER        cluster name (default fairwatch-dev)
#   FAIRWATCH_ES_HEAP           JVM heap of each node (default 1g)
#   FAIRWATCH_ES_START_TIMEOUT  seconds to wait for green/yellow health (default 180)
#   FAIRWATCH_ES_JAVA_HOME      JDK to run with (default: java on PATH, 17 or newer)
# A state dir holds one layout: do not start a dir made for one node as a cluster or back.
# `pid N` prints node N's pid (tests kill it to simulate a crash); `start` starts whichever
# node is not running and waits until the cluster has all its nodes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
project=$here/es-node
state=${FAIRWATCH_ES_DIR:-/var/tmp/fairwatch-es}
port=${FAIRWATCH_TEST_ES_PORT:-59200}
transport_port=${FAIRWATCH_TEST_ES_TRANSPORT_PORT:-$((port + 100))}
nodes=${FAIRWATCH_ES_NODES:-1}
cluster=${FAIRWATCH_ES_CLUSTER:-fairwatch-dev}
heap=${FAIRWATCH_ES_HEAP:-1g}
timeout=${FAIRWATCH_ES_START_TIMEOUT:-180}
url=http://127.0.0.1:$port
main_class=fairwatch.esnode.EsNode

die() { echo "elasticsearch: $*" >&2; exit 1; }

[[ $nodes =~ ^[12]$ ]] || die "FAIRWATCH_ES_NODES must be 1 or 2, got '$nodes'"

# Node N's files, ports and name.
node_dir() { if (($1 == 1)); then echo "$state"; else echo "$state/node$1"; fi; }
node_http() { echo $((port + $1 - 1)); }
node_transport() { echo $((transport_port + $1 - 1)); }
node_name() { if ((nodes == 1)); then echo fairwatch-es; else echo "fairwatch-es-$1"; fi; }
node_url() { echo "http://127.0.0.1:$(node_http "$1")"; }
all_urls() {
  local i out=()
  for i in $(seq "$nodes"); do out+=("$(node_url "$i")"); done
  (IFS=,; echo "${out[*]}")
}

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
  local pidfile pid
  pidfile=$(node_dir "$1")/node.pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$main_class" || return 1
  echo "$pid"
}

# Healthy: every node has joined and every primary is assigned (yellow or green).
healthy() {
  local i
  for i in $(seq "$nodes"); do
    running_pid "$i" >/dev/null || continue
    curl -fsS -m 5 "$(node_url "$i")/_cluster/health?wait_for_status=yellow&wait_for_nodes=$nodes&timeout=2s" 2>/dev/null |
      grep -Eq '"status":"(green|yellow)".*"timed_out":false|"timed_out":false.*"status":"(green|yellow)"' && return 0
  done
  return 1
}

# Discovery: alone, or node 1 as the one master-eligible node that node 2 finds. Two
# master-eligible nodes would be no safer: a master needs a majority of them, so losing either
# of two could stall the cluster, while a data-only second node can die and come back freely.
cluster_settings() {
  local i=$1 seeds
  if ((nodes == 1)); then
    echo "-Des.setting.discovery.type=single-node"
    return
  fi
  seeds="127.0.0.1:$(node_transport 1)"
  echo "-Des.setting.discovery.seed_hosts=$seeds"
  if ((i == 1)); then
    echo "-Des.setting.cluster.initial_master_nodes=$(node_name 1)"
  else
    echo "-Des.setting.node.roles=data,ingest"
  fi
}

start_node() {
  local i=$1 dir pid java cp http
  dir=$(node_dir "$i")
  http=$(node_http "$i")
  curl -fsS -m 2 "http://127.0.0.1:$http" >/dev/null 2>&1 &&
    die "port $http already answers but is not the node from $dir/node.pid; stop it or set FAIRWATCH_TEST_ES_PORT"
  mkdir -p "$dir/home" "$dir/data" "$dir/logs"
  java=$(java_bin)
  cp="$state/build/classes:$(cat "$state/build/classpath.txt")"
  # setsid: the node outlives the shell that started it (make, CI) until `stop`.
  # shellcheck disable=SC2046  # cluster_settings prints one -D option per line
  setsid "$java" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dfile.encoding=UTF-8 -Dlog4j2.formatMsgNoLookups=true -Dlog4j2.disable.jmx=true \
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true \
    -Dio.netty.recycler.maxCapacityPerThread=0 -Djna.nosys=true \
    -cp "$cp" \
    -Des.setting.path.home="$dir/home" -Des.setting.path.data="$dir/data" \
    -Des.setting.path.logs="$dir/logs" \
    -Des.setting.cluster.name="$cluster" -Des.setting.node.name="$(node_name "$i")" \
    -Des.setting.network.host=127.0.0.1 -Des.setting.http.port="$http" \
    -Des.setting.transport.port="$(node_transport "$i")" $(cluster_settings "$i") \
    -Des.setting.cluster.routing.allocation.disk.threshold_enabled=false \
    -Des.setting.action.auto_create_index=false \
    "$main_class" </dev/null >>"$dir/logs/node.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/node.pid"
}

start() {
  local i pid started=()
  for i in $(seq "$nodes"); do
    running_pid "$i" >/dev/null && continue
    if ((${#started[@]} == 0)); then
      ensure_packages
      build
    fi
    start_node "$i"
    started+=("$i")
  done
  local waited=0
  until healthy; do
    for i in "${started[@]}"; do
      # kill -0 on the pid written at start: right after the fork it is not java yet.
      if ! kill -0 "$(cat "$(node_dir "$i")/node.pid")" 2>/dev/null; then
        tail -n 20 "$(node_dir "$i")/logs/node.log" >&2
        rm -f "$(node_dir "$i")/node.pid"
        die "node $i exited during start-up; full log: $(node_dir "$i")/logs/node.log"
      fi
    done
    if ((waited >= timeout)); then
      tail -n 20 "$state/logs/node.log" >&2
      die "no green/yellow health with $nodes node(s) at $url after ${timeout}s; logs: $state/logs/node.log"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  for i in $(seq "$nodes"); do
    echo "elasticsearch: node $i running at $(node_url "$i") (pid $(running_pid "$i"), log $(node_dir "$i")/logs/node.log)"
  done
}

stop_node() {
  local i=$1 pid
  if ! pid=$(running_pid "$i"); then
    rm -f "$(node_dir "$i")/node.pid"
    return
  fi
  kill -TERM "$pid"
  for _ in $(seq 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "elasticsearch: node $i (pid $pid) did not stop within 30s; killing it" >&2
    kill -KILL "$pid"
  fi
  rm -f "$(node_dir "$i")/node.pid"
  echo "elasticsearch: node $i stopped"
}

stop() {
  local i
  # Data nodes first, the master last, so the cluster never waits for a lost master.
  for i in $(seq "$nodes" -1 1); do stop_node "$i"; done
}

status() {
  local i code=0 pid
  for i in $(seq "$nodes"); do
    if pid=$(running_pid "$i"); then
      echo "elasticsearch: node $i running at $(node_url "$i") (pid $pid)"
    else
      echo "elasticsearch: node $i not running"
      code=3
    fi
  done
  if ((code == 0)) && ! healthy; then
    echo "elasticsearch: running but not healthy with $nodes node(s); log: $state/logs/node.log"
    code=1
  fi
  return "$code"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  env) echo "FAIRWATCH_TEST_ES_URL=$(all_urls)" ;;
  pid)
    n=${2:-1}
    [[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= nodes)) || die "no node '$n' (FAIRWATCH_ES_NODES=$nodes)"
    running_pid "$n" || die "node $n is not running"
    ;;
  *) echo "usage: $0 start|stop|restart|status|env|pid [NODE]" >&2; exit 2 ;;
esac
