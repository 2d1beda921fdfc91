#!/usr/bin/env bash
# Lead intake benchmark: wrk POSTs the quickstart lead to /v1/leads, each with a phone no other request uses (so every
# one is a new lead: validation, dedup lookup, score, consent certificate in the hash chain, event, all in one
# group-committed write), next to the foundation's write ceiling (POST /v1/keys) measured in the same run.
# The VM's speed drifts from one ten-second window to the next, so the two are measured in turns, ROUNDS times (default
# 3), each round on a new server and database as in a single run, and the summary takes the median of each column; the
# ratio is of the medians. Every round is printed too.
# Usage: [DIALER=on] [ROUNDS=n] Tests/Benchmarks/leads-intake.sh [DURATION_SECONDS] [CONNECTIONS]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
. Tests/Benchmarks/lib.sh
# The dialer is paused so that the number is intake's own and the same at any hour: running, it would call every lead
# through the voice simulator by day and park each one until morning by night (Tests/Benchmarks/dialer.sh measures it).
# DIALER=on leaves it running.
ROUNDS=${ROUNDS:-3}
cat > "$WORK/leads.lua" <<'LUA'
-- Every request carries a phone no other request of its round uses: 7, a two-digit thread number, a seven-digit
-- counter.
local threads = 0
function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end
local sent = 0
request = function()
  sent = sent + 1
  local phone = string.format("7%02d%07d", 10 + thread_number, sent)
  local body = '{"source":"my-webform","first_name":"Jane","last_name":"Doe","phone":"' .. phone .. '","state":"TX",'
    .. '"consent":{"consent_timestamp":"2026-07-05T12:00:00Z","consent_text_version":"webform-v2",'
    .. '"source_url":"https://example.com/quote"}}'
  local headers = {["Content-Type"] = "application/json"}
  for name, value in pairs(wrk.headers) do headers[name] = value end  -- keeps -H Authorization
  return wrk.format("POST", "/v1/leads", headers, body)
end
LUA

echo "Leadline lead intake benchmark: $KIND binary, $(nproc) cores, wrk -t2 -c$CONNECTIONS -d${DURATION}s (wrk shares the cores), dialer ${DIALER:-off}, $ROUNDS rounds"
: > "$WORK/ceiling.txt"; : > "$WORK/leads.txt"
STORED=0; CERTS=0
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK"/bench.db*
  start_server
  [ "${DIALER:-off}" = on ] || "$BIN" dialer pause --db "$WORK/bench.db" >/dev/null
  measure_write_ceiling >> "$WORK/ceiling.txt"
  measure -s "$WORK/leads.lua" -H "Authorization: Bearer $KEY" "$URL/v1/leads" >> "$WORK/leads.txt"
  stop_server
  STORED=$((STORED + $(sqlite3 "$WORK/bench.db" "SELECT count(*) FROM leads")))
  CERTS=$((CERTS + $(sqlite3 "$WORK/bench.db" "SELECT count(*) FROM consent_certificates")))
done

# The median of column $2 of file $1.
median() { sort -g -k"$2,$2" "$1" | awk -v k="$2" '{ v[NR] = $k } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
header
for round in $(seq 1 "$ROUNDS"); do
  read -r C_RPS C_P50 C_P99 <<<"$(sed -n "${round}p" "$WORK/ceiling.txt")"
  read -r L_RPS L_P50 L_P99 <<<"$(sed -n "${round}p" "$WORK/leads.txt")"
  row "round $round: POST /v1/keys (write ceiling)" "$C_RPS" "$C_P50" "$C_P99"
  row "round $round: POST /v1/leads (new leads)" "$L_RPS" "$L_P50" "$L_P99"
done
C_RPS=$(median "$WORK/ceiling.txt" 1); L_RPS=$(median "$WORK/leads.txt" 1)
row "median: POST /v1/keys (write ceiling)" "$C_RPS" "$(median "$WORK/ceiling.txt" 2)" "$(median "$WORK/ceiling.txt" 3)"
row "median: POST /v1/leads (new leads)" "$L_RPS" "$(median "$WORK/leads.txt" 2)" "$(median "$WORK/leads.txt" 3)"
awk -v c="$C_RPS" -v l="$L_RPS" 'BEGIN { printf "\nratio leads / write ceiling (medians): %.2f (target >= 0.6); p99 target: <= 15 ms\n", l / c }'
echo "stored: $STORED leads, $CERTS consent certificates (all rounds)"
