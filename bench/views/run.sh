#!/usr/bin/env bash
# Times the two heavy read views of issue 3 ("Speed") against a running release server:
# the profile page of a seller with 20 cycles x 10 raters, and the heatmap of a team of 500
# sellers, plus their JSON API twins. Prints p50/p90/p95/max and PASS/FAIL. Not a test: run it
# by hand.
#
#   bench/views/run.sh
#
# Environment: N_PROFILE (default 200), N_TEAM (default 50), WARMUP (default 20),
# BENCH_DATA (default target/bench-views), CARGO_TARGET_DIR, NO_BUILD=1 (use the binary as is).
#
# Targets (issue 3): profile page server time p50 < 5 ms; team heatmap of 500 sellers < 50 ms
# (judged on the server p50 too; p90, p95 and max are printed next to it).
# Needs python3 (stdlib only). See README.md next to this file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data="${BENCH_DATA:-$root/target/bench-views}"
# shellcheck source=../lib.sh
source "$root/bench/lib.sh"
bench_build

mkdir -p "$data"
db="$data/sellerq.db"
log="$data/server.log"
trap bench_stop EXIT
trap 'exit 130' INT TERM

# A fresh database and data set every run (the files are small: ~25,600 ratings).
rm -f "$db" "$db-wal" "$db-shm" "$log"
read -r focus cycle < <(python3 "$here/generate.py" "$data")
email=admin@bench.example
bench_init "$email"
"$bin" --db "$db" import people "$data/people.csv" --org Bench >&2
"$bin" --db "$db" import ratings "$data/ratings.csv" --org Bench >&2
bench_token "$email"

bench_port
bench_start SELLERQ_LOG=info,tower_http=debug SELLERQ_LOG_FORMAT=text

echo
echo "== bench/views: sellerq $("$bin" --version | awk '{print $2}'), $(nproc) cores, $base =="
status=0
BENCH_EMAIL=$email BENCH_PASSWORD=$password BENCH_TOKEN=$token \
  python3 "$here/client.py" "$base" "$log" "$focus" "$cycle" Big || status=$?
exit $status
