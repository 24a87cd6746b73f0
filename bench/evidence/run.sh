#!/usr/bin/env bash
# Times the validity and reliability reports of issue 5 ("Speed") on an organisation of 10,000
# sellers with four cycles of ratings and eight quarters of outcomes: the two pages and their
# JSON API twins (and an older cycle's pages, and a view over two periods), three ways:
#   cold   one request on a server just started with the background computation off: the
#          request reads the data and computes its report;
#   first  one request on a server as it runs by default, after its background computation;
#   warm   p50/p95 over repeated requests.
# Prints the figures, the cold breakdown, and whether each endpoint as served (first, warm
# p95) and cold stays under 500 ms of server time. Not a test: run it by hand.
#
#   bench/evidence/run.sh
#
# Environment: SELLERS (default 10000), N (default 30 timed requests per endpoint), WARMUP
# (default 2), BENCH_DATA (default target/bench-evidence/$SELLERS), CARGO_TARGET_DIR,
# NO_BUILD=1 (use the binary as is), FRESH=1 (rebuild the database even if it exists),
# BENCH_OLDER_CYCLE (default 2025-H1).
# Needs python3 (stdlib only). See README.md next to this file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sellers=${SELLERS:-10000}
data="${BENCH_DATA:-$root/target/bench-evidence/$sellers}"
bin="${CARGO_TARGET_DIR:-$root/target}/release/sellerq"

if [[ ${NO_BUILD:-} != 1 ]]; then
  echo "building sellerq (release)…" >&2
  (cd "$root" && cargo build --release --bin sellerq --quiet)
fi
[[ -x $bin ]] || { echo "no binary at $bin" >&2; exit 2; }

mkdir -p "$data"
db="$data/sellerq.db"
log="$data/server.log"
email=admin@bench.example
server_pid=
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# The data set and the database are built once per size and reused (the import of 1.6 million
# ratings takes a while); FRESH=1 rebuilds them.
if [[ ${FRESH:-} == 1 || ! -s $data/ready ]]; then
  rm -f "$db" "$db-wal" "$db-shm" "$data/ready"
  if [[ ! -s $data/outcomes.csv ]]; then
    echo "generating $sellers sellers into $data…" >&2
    python3 "$here/generate.py" "$data" "$sellers" >"$data/cycle.txt"
  fi
  init_out=$("$bin" --db "$db" init --org Bench --admin-email "$email")
  password=$(sed -n 's/^Password[^:]*: *//p' <<<"$init_out" | head -n1)
  [[ -n $password ]] || { echo "could not read the admin password from: $init_out" >&2; exit 2; }
  echo "importing (people, ratings, outcomes)…" >&2
  "$bin" --db "$db" import people "$data/people.csv" --org Bench >&2
  /usr/bin/time -f 'ratings import: %e s' "$bin" --db "$db" import ratings "$data/ratings.csv" --org Bench >&2
  "$bin" --db "$db" import outcomes "$data/outcomes.csv" --org Bench >&2
  token=$("$bin" --db "$db" token create --org Bench --email "$email" --label bench |
    grep -Eo '[A-Za-z0-9_.~+/=-]{20,}' | tail -n1)
  [[ -n $token ]] || { echo "could not read the API token" >&2; exit 2; }
  printf '%s\n%s\n' "$password" "$token" >"$data/ready"
fi
password=$(sed -n 1p "$data/ready")
token=$(sed -n 2p "$data/ready")
cycle=$(cat "$data/cycle.txt")

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
# start_server [precompute]: without the argument the background computation of the default
# reports is off (`SELLERQ_NO_PRECOMPUTE=true`), so that a request computes its report itself.
start_server() {
  : >"$log"
  local no_precompute=true
  [[ ${1:-} == precompute ]] && no_precompute=false
  SELLERQ_NO_PRECOMPUTE=$no_precompute SELLERQ_LOG=info,tower_http=debug,sellerq::evidence=debug,sellerq_store::sqlite::analysis=debug SELLERQ_LOG_FORMAT=text \
    "$bin" serve --db "$db" --bind "127.0.0.1:$port" >"$data/server.out" 2>"$log" &
  server_pid=$!
  for _ in $(seq 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('$base/readyz', timeout=1)" 2>/dev/null; then
      return
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$log" >&2; exit 2; }
    sleep 0.1
  done
}

export BENCH_EMAIL=$email BENCH_PASSWORD=$password BENCH_TOKEN=$token
export BENCH_RESULTS="$data/results.jsonl"
: >"$BENCH_RESULTS"
echo
echo "== bench/evidence: sellerq $("$bin" --version | awk '{print $2}'), $(nproc) cores, $sellers sellers, cycle $cycle =="
echo "-- cold: the first request after the server starts, nothing computed in the background: the"
echo "   request reads the data and computes its report (database pages warm in the OS cache)"
while IFS=$'\t' read -r label path; do
  start_server
  python3 "$here/timing.py" cold "$base" "$log" "$label" "$path"
  stop_server
done < <(python3 "$here/timing.py" list "$cycle")
echo "-- first view: the server as it runs by default computes the default reports in the background"
echo "   when it starts (and after every change of the data); then one request of each endpoint"
start_server precompute
python3 "$here/timing.py" first "$base" "$log" "$cycle"
echo "-- warm: repeated requests (the reports come from the cache until the data change)"
python3 "$here/timing.py" warm "$base" "$log" "$cycle" || true
stop_server
echo
status=0
python3 "$here/timing.py" summary || status=$?
exit $status
