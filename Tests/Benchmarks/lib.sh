# Shared by the benchmark scripts: build the shipped binary, run a server on a temp database, measure with wrk.
# Source it from a script that has `set -euo pipefail` and has cd'd to the repository root.
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}

# The same release binary install.sh ships (incremental when nothing changed). LEADLINE_BIN=path measures that binary
# instead, unbuilt (to compare two builds run after run).
if [ -n "${LEADLINE_BIN:-}" ]; then
  BIN=$LEADLINE_BIN
else
  ./install.sh --build >/dev/null
  BIN=.build/release/leadline
fi
if ldd "$BIN" >/dev/null 2>&1; then KIND="dynamically linked"; else KIND="fully static"; fi

WORK=$(mktemp -d)
SERVER=""
trap 'kill $SERVER ${CEILING:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Starts `leadline serve` on a new database with an admin key (no rate limit) in $KEY; sets $PORT and $URL.
# Arguments are passed on to `serve` (e.g. --allow-private-targets).
start_server() {
  local db="$WORK/bench.db"
  "$BIN" tenant create bench --db "$db" >/dev/null
  KEY=$("$BIN" key create --tenant bench --scopes admin --rate-limit 0 --json --db "$db" | sed 's/.*"key":"\([^"]*\)".*/\1/')
  serve_database "$db" "$@"
}

# Runs `leadline serve` over the database $1 (further arguments passed on); sets $SERVER, $PORT and $URL.
serve_database() {
  local db="$1"; shift
  LEADLINE_LOG_LEVEL=warning "$BIN" serve --db "$db" --listen 127.0.0.1:0 "$@" > "$WORK/serve.out" 2>&1 &
  SERVER=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/serve.out" | head -n 1)
    [ -n "$PORT" ] && break; sleep 0.1
  done
  URL="http://127.0.0.1:$PORT"
}

stop_server() { kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""; }

# Prints "req/s p50 p99" (latencies in ms) for wrk run with the given arguments; warns about non-2xx answers.
measure() {
  local out rps p50 p99 errors
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  [ -n "$errors" ] && echo "warning: $errors non-2xx answers" >&2
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() { case "$1" in *us) echo "${1%us}" | awk '{printf "%.2f", $1/1000}';; *ms) echo "${1%ms}";; *s) echo "${1%s}" | awk '{printf "%.1f", $1*1000}';; *) echo "$1";; esac; }

# The foundation's write ceiling: POST /v1/keys (JSON, a random key and its hash, one INSERT through group commit).
measure_write_ceiling() {
  cat > "$WORK/keys.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"name":"bench","scopes":["read"]}'
wrk.headers["Content-Type"] = "application/json"
LUA
  measure -s "$WORK/keys.lua" -H "Authorization: Bearer $KEY" "$URL/v1/keys"
}

row() { printf '%-52s %10.0f %9s %9s\n' "$1" "$2" "$3" "$4"; }
header() { printf '\n%-52s %10s %9s %9s\n' "endpoint" "req/s" "p50 ms" "p99 ms"; }

# The campaign and the two fixed-price buyers crash-writer.py's leads are routed and sold to (crash and backup drills).
seed_writer_targets() {
  local body
  curl -fsS -X POST "$URL/api/v1/campaigns" -H "X-API-Key: $KEY" -H "Content-Type: application/json" \
    -d '{"name":"Auto","campaign_type":"auto_insurance"}' >/dev/null
  for body in '{"name":"Fixed A","bid_cents":1500,"campaign_types":["auto_insurance"]}' \
              '{"name":"Fixed B","bid_cents":1400,"campaign_types":["auto_insurance"]}'; do
    curl -fsS -X POST "$URL/api/v1/buyers" -H "X-API-Key: $KEY" -H "Content-Type: application/json" -d "$body" >/dev/null
  done
}

# A console user on the database $1 and a signed-in session for it in $SESSION (console reads under load).
console_session() {
  echo "a long enough passphrase" | "$BIN" admin create ops@example.com --password-stdin --db "$1" >/dev/null
  curl -fsS -o /dev/null -c "$WORK/cookies" -H "Origin: $URL" -H "Sec-Fetch-Site: same-origin" \
    --data-urlencode "email=ops@example.com" --data-urlencode "password=a long enough passphrase" "$URL/admin/login"
  SESSION=$(awk '$6 == "ll_session" {print $7}' "$WORK/cookies")
  [ -n "$SESSION" ] || { echo "could not sign in to the console" >&2; exit 1; }
}
