#!/usr/bin/env bash
# Starts (or stops) the local services the test suite talks to: PostgreSQL and Redis from
# Debian's packages. Installs them first when missing. Prints the env lines tests read.
# Usage: scripts/services.sh start|stop|env
set -euo pipefail
# Outside the clone: the postgres user must reach it, whatever the clone's permissions.
state=${FAIRWATCH_SERVICES_DIR:-/var/tmp/fairwatch-services}
pg_port=${FAIRWATCH_TEST_PG_PORT:-55432}
redis_port=${FAIRWATCH_TEST_REDIS_PORT:-56379}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

ensure_packages() {
  local missing=()
  [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v chromium >/dev/null || missing+=(chromium)
  # Screenshots kept as evidence must show Chinese text, not empty boxes.
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
  # media/: OCR with the Chinese model, keyframes and tracks, CJK fonts for the test renders.
  command -v tesseract >/dev/null || missing+=(tesseract-ocr)
  ls /usr/share/tesseract-ocr/*/tessdata/chi_sim.traineddata >/dev/null 2>&1 || missing+=(tesseract-ocr-chi-sim)
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
  [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
  command -v soffice >/dev/null && [ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
  if ((${#missing[@]})); then
    echo "services: installing ${missing[*]} from Debian" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_pg() {
  mkdir -p "$state"
  local data=$state/pgdata
  if [ "$(id -u)" = 0 ]; then chown postgres "$state"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_postgres "$pg_bin/initdb" -D "$data" -U fairwatch --auth=trust -E UTF8 >/dev/null
  fi
  if ! as_postgres "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$pg_bin/pg_ctl" -D "$data" -l "$state/postgres.log" -w \
      -o "-p $pg_port -k $state -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  fi
  "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U fairwatch -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='fairwatch_test'" | grep -q 1 ||
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U fairwatch fairwatch_test
}

start_redis() {
  mkdir -p "$state"
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' \
      --appendonly no --dir "$state" --logfile "$state/redis.log" --pidfile "$state/redis.pid"
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

case "${1:-}" in
  start)
    ensure_packages
    start_pg
    start_redis
    ;;
  stop)
    [ -d "$state/pgdata" ] && as_postgres "$pg_bin/pg_ctl" -D "$state/pgdata" -m fast stop >/dev/null 2>&1 || true
    redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
    ;;
  env)
    echo "FAIRWATCH_TEST_PG_URL=postgresql+psycopg://fairwatch@127.0.0.1:$pg_port/fairwatch_test"
    echo "FAIRWATCH_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0"
    ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
