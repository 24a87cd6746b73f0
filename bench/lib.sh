# What the benchmark scripts under bench/ share. Source it after setting `root` (the
# repository) and, for the server functions, `db` (the database) and `log` (the server's log
# file). Not a benchmark itself.

# Sets `bin` to the release binary, building it first unless NO_BUILD=1.
bench_build() {
  bin="${CARGO_TARGET_DIR:-$root/target}/release/sellerq"
  if [[ ${NO_BUILD:-} != 1 ]]; then
    echo "building sellerq (release)…" >&2
    (cd "$root" && cargo build --release --bin sellerq --quiet)
  fi
  [[ -x $bin ]] || { echo "no binary at $bin" >&2; exit 2; }
}

# bench_init EMAIL: creates the organisation "Bench" in $db with EMAIL as its admin and sets
# `password` to the admin's generated password.
bench_init() {
  local out
  out=$("$bin" --db "$db" init --org Bench --admin-email "$1")
  password=$(sed -n 's/^Password[^:]*: *//p' <<<"$out" | head -n1)
  [[ -n $password ]] || { echo "could not read the admin password from: $out" >&2; exit 2; }
}

# bench_token EMAIL: sets `token` to a new API token of EMAIL in the organisation "Bench".
bench_token() {
  token=$("$bin" --db "$db" token create --org Bench --email "$1" --label bench |
    grep -Eo '[A-Za-z0-9_.~+/=-]{20,}' | tail -n1)
  [[ -n $token ]] || { echo "could not read the API token" >&2; exit 2; }
}

# Sets `port` to a free loopback port and `base` to its URL: bind port 0, read it back, release
# it (a tiny race, fine for a bench).
bench_port() {
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  base="http://127.0.0.1:$port"
}

# bench_start [NAME=VALUE…]: starts `sellerq serve` on $db and $port with these environment
# variables, its standard error in $log (emptied first), and waits until /readyz answers; sets
# `server_pid`. Stop it with bench_stop (also the scripts' EXIT trap).
bench_start() {
  : >"$log"
  env "$@" "$bin" serve --db "$db" --bind "127.0.0.1:$port" >"${log%.log}.out" 2>"$log" &
  server_pid=$!
  for _ in $(seq 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('$base/readyz', timeout=1)" 2>/dev/null; then
      return
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$log" >&2; exit 2; }
    sleep 0.1
  done
}

# Stops the server bench_start started (TERM, then KILL after five seconds), if it runs.
bench_stop() {
  if [[ -n ${server_pid:-} ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
