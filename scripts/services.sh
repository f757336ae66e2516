#!/usr/bin/env bash
# Local NATS and Cassandra for development, tests and benchmarks.
#   scripts/services.sh up      start nats-server (127.0.0.1:4222, leaf nodes on 7422) and Cassandra 5.0 (127.0.0.1:9042)
#   scripts/services.sh down    stop what `up` started
#   scripts/services.sh status  say what runs
# A service already answering on its port is used as it is and never stopped by `down`.
# Cassandra comes from Maven Central (org.apache.cassandra:cassandra-all), cached under
# $YY_CACHE_DIR (default ~/.cache/yunying); its data lives under .services/ in the repository.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${YY_SERVICES_DIR:-$root/.services}
cache=${YY_CACHE_DIR:-$HOME/.cache/yunying}
cassandra_version=$(sed -n 's:.*<artifactId>cassandra-all</artifactId><version>\([^<]*\)</version>.*:\1:p' "$root/scripts/cassandra/pom.xml")
nats_port=${YY_NATS_PORT:-4222}
leaf_port=${YY_NATS_LEAF_PORT:-7422}
cql_port=${YY_CQL_PORT:-9042}
storage_port=${YY_CASSANDRA_STORAGE_PORT:-7000}
heap=${YY_CASSANDRA_HEAP:-1G}

say() { printf 'services: %s\n' "$*"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_port() { # port seconds name pidfile
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    listening "$1" && return 0
    if [ -n "${4:-}" ] && ! alive "$4"; then say "$3 exited during start-up"; return 1; fi
    sleep 0.2
  done
  say "$3 did not open port $1 within $2 s"; return 1
}

nats_up() {
  mkdir -p "$state/nats"
  if listening "$nats_port"; then say "NATS already answers on 127.0.0.1:$nats_port (left as it is)"; return; fi
  command -v nats-server >/dev/null || { say "nats-server is not installed (Debian: apt-get install -y nats-server)"; return 1; }
  # Hospital edges of a development city connect their leaf nats-server to the leafnode port
  # (docs/operations.md, "Hospital edge"); loopback only, so no leaf credentials here.
  printf 'server_name: yunying-dev\nleafnodes { listen: "127.0.0.1:%s" }\n' "$leaf_port" > "$state/nats/nats.conf"
  nats-server -c "$state/nats/nats.conf" -a 127.0.0.1 -p "$nats_port" -m $((nats_port + 4000)) -js -sd "$state/nats/js" \
    -l "$state/nats/nats.log" </dev/null >/dev/null 2>&1 &
  echo $! > "$state/nats/pid"
  wait_port "$nats_port" 10 nats-server "$state/nats/pid"
  say "NATS $(nats-server --version | awk '{print $NF}') on 127.0.0.1:$nats_port (leaf nodes: $leaf_port)"
}

cassandra_jars() {
  local lib="$cache/cassandra-$cassandra_version/lib"
  if [ ! -f "$lib/.complete" ]; then
    command -v mvn >/dev/null || { say "Maven is not installed (Debian: apt-get install -y maven)" >&2; return 1; }
    say "fetching Cassandra $cassandra_version and its dependencies from Maven Central" >&2
    mkdir -p "$lib"
    mvn -q -B -Dstyle.color=never -f "$root/scripts/cassandra/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" >&2
    touch "$lib/.complete"
  fi
  printf '%s' "$lib"
}

cassandra_up() {
  local dir="$state/cassandra" pidfile="$state/cassandra/pid" lib
  mkdir -p "$dir"
  if listening "$cql_port"; then say "Cassandra already answers on 127.0.0.1:$cql_port (left as it is)"; return; fi
  command -v java >/dev/null || { say "Java 17 is not installed (Debian: apt-get install -y openjdk-17-jre-headless)"; return 1; }
  lib=$(cassandra_jars) || return 1
  sed -e "s|@DIR@|$dir|g" -e "s|@CQL_PORT@|$cql_port|g" -e "s|@STORAGE_PORT@|$storage_port|g" \
    "$root/scripts/cassandra/cassandra.yaml.template" > "$dir/cassandra.yaml"
  # shellcheck disable=SC2046
  java -Xms"$heap" -Xmx"$heap" $(grep -v '^#' "$root/scripts/cassandra/jvm17.options") \
    -Dcassandra.config="file://$dir/cassandra.yaml" -Dcassandra-foreground=true \
    -Dcassandra.storagedir="$dir" -Dcassandra.logdir="$dir" \
    -Dlogback.configurationFile="file://$root/scripts/cassandra/logback.xml" \
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.superuser_setup_delay_ms=0 \
    -cp "$lib/*" org.apache.cassandra.service.CassandraDaemon </dev/null > "$dir/stdout.log" 2>&1 &
  echo $! > "$pidfile"
  say "starting Cassandra $cassandra_version (pid $(cat "$pidfile"), log $dir/system.log)"
  wait_port "$cql_port" 240 Cassandra "$pidfile" || { tail -n 30 "$dir/stdout.log" "$dir/system.log" >&2 || true; return 1; }
  node --disable-warning=ExperimentalWarning "$root/scripts/cassandra/wait-cql.ts" "127.0.0.1:$cql_port"
}

stop_pid() { # pidfile name
  if alive "$1"; then
    local pid; pid=$(cat "$1"); kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    say "stopped $2"
  fi
  rm -f "$1"
}

case "${1:-}" in
  up) nats_up; cassandra_up ;;
  down) stop_pid "$state/nats/pid" nats-server; stop_pid "$state/cassandra/pid" Cassandra ;;
  status)
    listening "$nats_port" && say "NATS answers on 127.0.0.1:$nats_port" || say "NATS: not running"
    listening "$cql_port" && node --disable-warning=ExperimentalWarning "$root/scripts/cassandra/wait-cql.ts" "127.0.0.1:$cql_port" --once || say "Cassandra: not running" ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
