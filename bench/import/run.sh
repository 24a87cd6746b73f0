#!/usr/bin/env bash
# Times `sellerq import ratings` of a generated ratings.csv against the sqlite3 shell's
# `.import` of the same file into a plain table, in the same run, and prints both and the
# ratio. Not a test: run it by hand.
#
#   bench/import/run.sh [ROWS]            (default: 1000000)
#
# The file (and the people.csv it needs) is generated once per size into $BENCH_DATA (default
# target/bench-import/ROWS) and reused. Both imports read the file from the page cache and write
# a fresh database in WAL mode with synchronous=NORMAL (sellerq's settings). Each is run $RUNS
# times (default 3), alternating, and the median wall-clock time is compared, so that a busy
# machine disturbs the ratio less. Needs python3 and Debian's sqlite3 (installed here when
# missing).
#
# Targets (issue 3): sellerq under 10 s, and within 2x of the sqlite3 shell.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rows=${1:-1000000}
data="${BENCH_DATA:-$root/target/bench-import}/$rows"
mkdir -p "$data"

if ! command -v sqlite3 >/dev/null; then
  echo "installing sqlite3 (Debian)…" >&2
  if [[ $(id -u) -eq 0 ]]; then
    apt-get install -y --no-install-recommends sqlite3 >/dev/null
  else
    sudo apt-get install -y --no-install-recommends sqlite3 >/dev/null
  fi
fi

echo "building sellerq (release)…" >&2
(cd "$root" && cargo build --release -p sellerq --quiet)
bin="${CARGO_TARGET_DIR:-$root/target}/release/sellerq"

if [[ ! -s $data/ratings.csv ]]; then
  echo "generating $rows rows into $data…" >&2
  python3 "$here/generate.py" "$rows" "$data"
fi
cat "$data/ratings.csv" "$data/people.csv" >/dev/null # into the page cache

# Wall-clock seconds of a command (GNU time), its output discarded.
seconds() {
  /usr/bin/time -f '%e' -o "$data/time.txt" "$@" >/dev/null
  cat "$data/time.txt"
}

# sellerq: a fresh database with the organisation and its people, then the timed import.
db="$data/sellerq.db"
run_sellerq() {
  rm -f "$db" "$db-wal" "$db-shm"
  "$bin" --db "$db" init --org Bench --admin-email admin@bench.test >/dev/null
  "$bin" --db "$db" import people "$data/people.csv" --org Bench >/dev/null
  seconds "$bin" --db "$db" import ratings "$data/ratings.csv" --org Bench
}

# The sqlite3 shell: .import into a plain table (no indexes, no checks).
plain="$data/plain.db"
cat >"$data/import.sql" <<SQL
PRAGMA synchronous=NORMAL;
CREATE TABLE ratings (cycle TEXT, subject TEXT, rater TEXT, role TEXT, quality TEXT,
                      score TEXT, evidence TEXT);
.mode csv
.import --skip 1 $data/ratings.csv ratings
SQL
run_shell() {
  rm -f "$plain" "$plain-wal" "$plain-shm"
  sqlite3 "$plain" "PRAGMA journal_mode=WAL;" >/dev/null
  seconds sqlite3 "$plain" ".read $data/import.sql"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
runs=${RUNS:-3}
ours_all=() shell_all=()
for ((i = 1; i <= runs; i++)); do
  ours_all+=("$(run_sellerq)")
  shell_all+=("$(run_shell)")
done
ours=$(printf '%s\n' "${ours_all[@]}" | median)
shell=$(printf '%s\n' "${shell_all[@]}" | median)
stored=$(sqlite3 "$db" "SELECT count(*) FROM ratings")
shell_rows=$(sqlite3 "$plain" "SELECT count(*) FROM ratings")

ratio=$(awk -v a="$ours" -v b="$shell" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 0.01) }')
echo
echo "== ratings.csv: $rows rows, $(du -h "$data/ratings.csv" | cut -f1) =="
printf '%-32s %6s s median of %s  [%s]   (%s rows stored)\n' "sellerq import ratings" "$ours" "$runs" "${ours_all[*]}" "$stored"
printf '%-32s %6s s median of %s  [%s]   (%s rows stored)\n' "sqlite3 .import (plain table)" "$shell" "$runs" "${shell_all[*]}" "$shell_rows"
echo "ratio sellerq / sqlite3: ${ratio}x"
status=0
awk -v s="$ours" 'BEGIN { exit !(s < 10) }' && echo "target < 10 s: met" || { echo "target < 10 s: MISSED"; status=1; }
awk -v r="$ratio" 'BEGIN { exit !(r <= 2) }' && echo "target within 2x of sqlite3: met" || { echo "target within 2x of sqlite3: MISSED"; status=1; }
[[ $stored == "$rows" ]] || { echo "sellerq stored $stored rows, expected $rows"; status=1; }
exit $status
