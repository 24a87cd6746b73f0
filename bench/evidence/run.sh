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
# shellcheck source=../lib.sh
source "$root/bench/lib.sh"
bench_build

mkdir -p "$data"
db="$data/sellerq.db"
log="$data/server.log"
email=admin@bench.example
trap bench_stop EXIT
trap 'exit 130' INT TERM

# The data set and the database are built once per size and reused (the import of 1.6 million
# ratings takes a while); FRESH=1 rebuilds them.
if [[ ${FRESH:-} == 1 || ! -s $data/ready ]]; then
  rm -f "$db" "$db-wal" "$db-shm" "$data/ready"
  if [[ ! -s $data/outcomes.csv ]]; then
    echo "generating $sellers sellers into $data…" >&2
    python3 "$here/generate.py" "$data" "$sellers" >"$data/cycle.txt"
  fi
  bench_init "$email"
  echo "importing (people, ratings, outcomes)…" >&2
  "$bin" --db "$db" import people "$data/people.csv" --org Bench >&2
  /usr/bin/time -f 'ratings import: %e s' "$bin" --db "$db" import ratings "$data/ratings.csv" --org Bench >&2
  "$bin" --db "$db" import outcomes "$data/outcomes.csv" --org Bench >&2
  bench_token "$email"
  printf '%s\n%s\n' "$password" "$token" >"$data/ready"
fi
password=$(sed -n 1p "$data/ready")
token=$(sed -n 2p "$data/ready")
cycle=$(cat "$data/cycle.txt")

bench_port
# start_server [precompute]: without the argument the background computation of the default
# reports is off (`SELLERQ_NO_PRECOMPUTE=true`), so that a request computes its report itself.
start_server() {
  local no_precompute=true
  [[ ${1:-} == precompute ]] && no_precompute=false
  bench_start SELLERQ_NO_PRECOMPUTE=$no_precompute SELLERQ_LOG_FORMAT=text \
    SELLERQ_LOG=info,tower_http=debug,sellerq::evidence=debug,sellerq_store::sqlite::analysis=debug
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
  bench_stop
done < <(python3 "$here/timing.py" list "$cycle")
echo "-- first view: the server as it runs by default computes the default reports in the background"
echo "   when it starts (and after every change of the data); then one request of each endpoint"
start_server precompute
python3 "$here/timing.py" first "$base" "$log" "$cycle"
echo "-- warm: repeated requests (the reports come from the cache until the data change)"
python3 "$here/timing.py" warm "$base" "$log" "$cycle" || true
bench_stop
echo
status=0
python3 "$here/timing.py" summary || status=$?
exit $status
