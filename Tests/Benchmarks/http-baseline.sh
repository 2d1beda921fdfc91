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
. Tests/Benchmarks/lib.sh
start_server

echo "Leadline foundation benchmark: $KIND binary, $(nproc) cores, wrk -t2 -c$CONNECTIONS -d${DURATION}s (wrk shares the cores)"
read -r A_RPS A_P50 A_P99 <<<"$(measure "$URL/healthz")"
read -r B_RPS B_P50 B_P99 <<<"$(measure -H "Authorization: Bearer $KEY" "$URL/v1/me")"
read -r C_RPS C_P50 C_P99 <<<"$(measure_write_ceiling)"

BATCHES=$(exec 3<>"/dev/tcp/127.0.0.1/$PORT"; printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3; cat <&3)
BATCH_SUM=$(echo "$BATCHES" | awk '/^leadline_db_write_batch_size_sum/ {print $2}')
BATCH_COUNT=$(echo "$BATCHES" | awk '/^leadline_db_write_batch_size_count/ {print $2}')
stop_server

gcc -O2 -o "$WORK/sqlite-ceiling" Tests/Benchmarks/sqlite-ceiling.c -lsqlite3
read -r RAW_SINGLE RAW_BATCH <<<"$("$WORK/sqlite-ceiling" "$WORK/ceiling.db")"
gcc -O2 -o "$WORK/mhd-ceiling" Tests/Benchmarks/mhd-ceiling.c -lmicrohttpd
CEILING_PORT=$((20000 + RANDOM % 20000))
"$WORK/mhd-ceiling" "$CEILING_PORT" &
CEILING=$!
sleep 0.3
read -r M_RPS M_P50 M_P99 <<<"$(measure "http://127.0.0.1:$CEILING_PORT/")"
kill "$CEILING"

header
row "bare C libmicrohttpd, same body (ceiling)" "$M_RPS" "$M_P50" "$M_P99"
row "(a) GET /healthz" "$A_RPS" "$A_P50" "$A_P99"
row "(b) GET /v1/me (key check + rate limit)" "$B_RPS" "$B_P50" "$B_P99"
row "(c) POST /v1/keys (one INSERT, group commit)" "$C_RPS" "$C_P50" "$C_P99"
printf '\nraw SQLite ceiling (C API, WAL, NORMAL): %s rows/s one row per transaction, %s rows/s 1000 per transaction\n' "$RAW_SINGLE" "$RAW_BATCH"
awk -v a="$A_RPS" -v b="$B_RPS" -v c="$C_RPS" -v m="$M_RPS" -v raw="$RAW_SINGLE" -v s="$BATCH_SUM" -v n="$BATCH_COUNT" 'BEGIN {
  printf "ratio (a)/bare libmicrohttpd: %.2f\n", a / m
  printf "ratio (b)/(a): %.2f\n", b / a
  printf "ratio (c)/(a): %.2f\n", c / a
  printf "ratio (c)/raw one-row-per-transaction ceiling: %.2f\n", c / raw
  if (n > 0) printf "group commit: %d commits, %.1f writes per commit on average\n", n, s / n
}'
