#!/usr/bin/env bash
# Foundation benchmark: wrk against the release binary on a temp database, for
#   (a) GET /healthz                   no auth, no database
#   (b) GET /v1/me                     API key checked (SHA-256 + indexed read) and rate-limited
#   (c) POST /v1/keys                  JSON decode, random key, SHA-256, one INSERT through the group-committed writer
# and two ceilings measured in the same run: a bare C libmicrohttpd server answering (a)'s body, and SQLite's C API
# writing one row per transaction. Prints req/s and p50/p99 for each, and the ratios.
# Usage: Tests/Benchmarks/http-baseline.sh [DURATION_SECONDS] [CONNECTIONS]     (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

# The same release binary install.sh ships (incremental when nothing changed).
./install.sh --build >/dev/null
BIN=.build/release/leadline
if ldd "$BIN" >/dev/null 2>&1; then KIND="dynamically linked"; else KIND="fully static"; fi

WORK=$(mktemp -d)
trap 'kill $SERVER ${CEILING:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT
DB="$WORK/bench.db"
"$BIN" tenant create bench --db "$DB" >/dev/null
KEY=$("$BIN" key create --tenant bench --scopes admin --rate-limit 0 --json --db "$DB" | sed 's/.*"key":"\([^"]*\)".*/\1/')
LEADLINE_LOG_LEVEL=warning "$BIN" serve --db "$DB" --listen 127.0.0.1:0 > "$WORK/serve.out" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/serve.out" | head -n 1)
  [ -n "$PORT" ] && break; sleep 0.1
done
URL="http://127.0.0.1:$PORT"

cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"name":"bench","scopes":["read"]}'
wrk.headers["Content-Type"] = "application/json"
LUA

# Prints "req/s p50 p99" (latencies in ms).
measure() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local errors
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  [ -n "$errors" ] && echo "warning: $errors non-2xx answers" >&2
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() { case "$1" in *us) echo "${1%us}" | awk '{printf "%.2f", $1/1000}';; *ms) echo "${1%ms}";; *s) echo "${1%s}" | awk '{printf "%.1f", $1*1000}';; *) echo "$1";; esac; }

echo "Leadline foundation benchmark: $KIND binary, $(nproc) cores, wrk -t2 -c$CONNECTIONS -d${DURATION}s (wrk shares the cores)"
read -r A_RPS A_P50 A_P99 <<<"$(measure "$URL/healthz")"
read -r B_RPS B_P50 B_P99 <<<"$(measure -H "Authorization: Bearer $KEY" "$URL/v1/me")"
read -r C_RPS C_P50 C_P99 <<<"$(measure -s "$WORK/post.lua" -H "Authorization: Bearer $KEY" "$URL/v1/keys")"

BATCHES=$(exec 3<>"/dev/tcp/127.0.0.1/$PORT"; printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3; cat <&3)
BATCH_SUM=$(echo "$BATCHES" | awk '/^leadline_db_write_batch_size_sum/ {print $2}')
BATCH_COUNT=$(echo "$BATCHES" | awk '/^leadline_db_write_batch_size_count/ {print $2}')
kill -TERM "$SERVER"; wait "$SERVER" || true

gcc -O2 -o "$WORK/sqlite-ceiling" Tests/Benchmarks/sqlite-ceiling.c -lsqlite3
read -r RAW_SINGLE RAW_BATCH <<<"$("$WORK/sqlite-ceiling" "$WORK/ceiling.db")"
gcc -O2 -o "$WORK/mhd-ceiling" Tests/Benchmarks/mhd-ceiling.c -lmicrohttpd
CEILING_PORT=$((20000 + RANDOM % 20000))
"$WORK/mhd-ceiling" "$CEILING_PORT" &
CEILING=$!
sleep 0.3
read -r M_RPS M_P50 M_P99 <<<"$(measure "http://127.0.0.1:$CEILING_PORT/")"
kill "$CEILING"

printf '\n%-44s %10s %9s %9s\n' "endpoint" "req/s" "p50 ms" "p99 ms"
printf '%-44s %10.0f %9s %9s\n' "bare C libmicrohttpd, same body (ceiling)" "$M_RPS" "$M_P50" "$M_P99"
printf '%-44s %10.0f %9s %9s\n' "(a) GET /healthz" "$A_RPS" "$A_P50" "$A_P99"
printf '%-44s %10.0f %9s %9s\n' "(b) GET /v1/me (key check + rate limit)" "$B_RPS" "$B_P50" "$B_P99"
printf '%-44s %10.0f %9s %9s\n' "(c) POST /v1/keys (one INSERT, group commit)" "$C_RPS" "$C_P50" "$C_P99"
printf '\nraw SQLite ceiling (C API, WAL, NORMAL): %s rows/s one row per transaction, %s rows/s 1000 per transaction\n' "$RAW_SINGLE" "$RAW_BATCH"
awk -v a="$A_RPS" -v b="$B_RPS" -v c="$C_RPS" -v m="$M_RPS" -v raw="$RAW_SINGLE" -v s="$BATCH_SUM" -v n="$BATCH_COUNT" 'BEGIN {
  printf "ratio (a)/bare libmicrohttpd: %.2f\n", a / m
  printf "ratio (b)/(a): %.2f\n", b / a
  printf "ratio (c)/(a): %.2f\n", c / a
  printf "ratio (c)/raw one-row-per-transaction ceiling: %.2f\n", c / raw
  if (n > 0) printf "group commit: %d commits, %.1f writes per commit on average\n", n, s / n
}'
