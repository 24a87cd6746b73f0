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
bin="${CARGO_TARGET_DIR:-$root/target}/release/sellerq"

if [[ ${NO_BUILD:-} != 1 ]]; then
  echo "building sellerq (release)…" >&2
  (cd "$root" && cargo build --release --bin sellerq --quiet)
fi
[[ -x $bin ]] || { echo "no binary at $bin" >&2; exit 2; }

mkdir -p "$data"
db="$data/sellerq.db"
log="$data/server.log"
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh database and data set every run (the files are small: ~25,600 ratings).
rm -f "$db" "$db-wal" "$db-shm" "$log"
read -r focus cycle < <(python3 "$here/generate.py" "$data")
email=admin@bench.example
init_out=$("$bin" --db "$db" init --org Bench --admin-email "$email")
password=$(sed -n 's/^Password[^:]*: *//p' <<<"$init_out" | head -n1)
[[ -n $password ]] || { echo "could not read the admin password from: $init_out" >&2; exit 2; }
"$bin" --db "$db" import people "$data/people.csv" --org Bench >&2
"$bin" --db "$db" import ratings "$data/ratings.csv" --org Bench >&2
token=$("$bin" --db "$db" token create --org Bench --email "$email" --label bench |
  grep -Eo '[A-Za-z0-9_.~+/=-]{20,}' | tail -n1)
[[ -n $token ]] || { echo "could not read the API token" >&2; exit 2; }

# A free port: bind port 0, read it back, release it (a tiny race, fine for a bench).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"

SELLERQ_LOG=info,tower_http=debug SELLERQ_LOG_FORMAT=text \
  "$bin" serve --db "$db" --bind "127.0.0.1:$port" >"$data/server.out" 2>"$log" &
server_pid=$!
for _ in $(seq 100); do
  if python3 -c "import urllib.request, sys; urllib.request.urlopen('$base/readyz', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$log" >&2; exit 2; }
  sleep 0.1
done

echo
echo "== bench/views: sellerq $("$bin" --version | awk '{print $2}'), $(nproc) cores, $base =="
status=0
BENCH_EMAIL=$email BENCH_PASSWORD=$password BENCH_TOKEN=$token \
  python3 "$here/client.py" "$base" "$log" "$focus" "$cycle" Big || status=$?
exit $status
