#!/usr/bin/env bash
# Lead intake benchmark: wrk POSTs the quickstart lead to /v1/leads, each with a phone no other request uses (so every
# one is a new lead: validation, dedup lookup, score, consent certificate in the hash chain, event, all in one
# group-committed write), next to the foundation's write ceiling (POST /v1/keys) measured in the same run.
# Usage: [DIALER=on] Tests/Benchmarks/leads-intake.sh [DURATION_SECONDS] [CONNECTIONS]     (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
. Tests/Benchmarks/lib.sh
# The dialer is paused so that the number is intake's own and the same at any hour: running, it would call every lead
# through the voice simulator by day and park each one until morning by night (Tests/Benchmarks/dialer.sh measures it).
# DIALER=on leaves it running.
start_server
[ "${DIALER:-off}" = on ] || "$BIN" dialer pause --db "$WORK/bench.db" >/dev/null

cat > "$WORK/leads.lua" <<'LUA'
-- Every request carries a phone no other request uses: 7, a two-digit thread number, a seven-digit counter.
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

echo "Leadline lead intake benchmark: $KIND binary, $(nproc) cores, wrk -t2 -c$CONNECTIONS -d${DURATION}s (wrk shares the cores), dialer ${DIALER:-off}"
read -r C_RPS C_P50 C_P99 <<<"$(measure_write_ceiling)"
read -r L_RPS L_P50 L_P99 <<<"$(measure -s "$WORK/leads.lua" -H "Authorization: Bearer $KEY" "$URL/v1/leads")"
stop_server
STORED=$(sqlite3 "$WORK/bench.db" "SELECT count(*) FROM leads" 2>/dev/null || echo "?")
CERTS=$(sqlite3 "$WORK/bench.db" "SELECT count(*) FROM consent_certificates" 2>/dev/null || echo "?")

header
row "foundation write ceiling: POST /v1/keys" "$C_RPS" "$C_P50" "$C_P99"
row "POST /v1/leads (quickstart lead, unique phones)" "$L_RPS" "$L_P50" "$L_P99"
awk -v c="$C_RPS" -v l="$L_RPS" 'BEGIN { printf "\nratio leads / write ceiling: %.2f (target >= 0.6)\n", l / c }'
echo "stored: $STORED leads, $CERTS consent certificates"
