#!/usr/bin/env bash
# Times `sellerq analyze --format json` against the Python reference on the same generated data,
# in the same run, and checks that every figure agrees. Not a test: run it by hand.
#
#   bench/analyze/run.sh [N ...]          (default: 500 100000)
#
# Data are generated once per N into $BENCH_DATA (default target/bench-analyze/N) and reused.
# Needs python3 with pandas, pingouin, statsmodels, krippendorff and scipy
# (pip install pandas pingouin statsmodels krippendorff scipy).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(500 100000)

python3 -c "import pandas, pingouin, statsmodels, krippendorff, scipy" 2>/dev/null || {
  echo "The Python reference needs: pip install pandas pingouin statsmodels krippendorff scipy" >&2
  exit 2
}

echo "building sellerq (release)…" >&2
(cd "$root" && cargo build --release -p sellerq --quiet)
bin="$root/target/release/sellerq"

# "Elapsed (wall clock)" of /usr/bin/time -v in seconds, and the peak RSS in MiB.
elapsed() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
  for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$1"; }
peak_mib() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
# CPU seconds (user + system): what the run cost, whatever else the machine was doing.
cpu_s() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"; }

# Timings mean little on a busy machine: say how busy it was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
status=0
for n in "${sizes[@]}"; do
  data="${BENCH_DATA:-$root/target/bench-analyze}/$n"
  if [ ! -s "$data/outcomes.csv" ]; then
    echo "generating $n sellers into $data…" >&2
    python3 "$here/generate.py" "$n" "$data"
  fi
  files=(--people "$data/people.csv" --ratings "$data/ratings.csv" --outcomes "$data/outcomes.csv")
  cat "$data"/*.csv > /dev/null   # both read from the page cache

  /usr/bin/time -v -o "$data/rust.time" "$bin" analyze "${files[@]}" --format json > "$data/rust.json"
  /usr/bin/time -v -o "$data/python.time" python3 "$here/reference.py" "${files[@]}" --out "$data/python.json"

  rust_s=$(elapsed "$data/rust.time"); py_s=$(elapsed "$data/python.time")
  rust_m=$(peak_mib "$data/rust.time"); py_m=$(peak_mib "$data/python.time")
  rust_c=$(cpu_s "$data/rust.time"); py_c=$(cpu_s "$data/python.time")
  ratings=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['input']['ratings'])" "$data/rust.json")
  ratio=$(awk -v a="$py_s" -v b="$rust_s" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 0.01) }')
  echo
  echo "== $n sellers, $ratings ratings =="
  printf '%-18s %8s s wall %8s s CPU   peak %6s MiB\n' "sellerq analyze" "$rust_s" "$rust_c" "$rust_m"
  printf '%-18s %8s s wall %8s s CPU   peak %6s MiB\n' "Python reference" "$py_s" "$py_c" "$py_m"
  echo "speed-up: ${ratio}× wall, $(awk -v a="$py_c" -v b="$rust_c" 'BEGIN { printf "%.1f", a / b }')× CPU"
  python3 "$here/compare.py" "$data/python.json" "$data/rust.json" || status=1
  if [ "$n" -ge 100000 ]; then
    awk -v r="$ratio" 'BEGIN { exit !(r >= 20) }' && echo "target ≥ 20× faster: met" || { echo "target ≥ 20× faster: MISSED"; status=1; }
    [ "$rust_m" -lt 1024 ] && echo "target peak < 1 GiB: met" || { echo "target peak < 1 GiB: MISSED"; status=1; }
  fi
done
exit $status
