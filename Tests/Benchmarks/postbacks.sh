#!/usr/bin/env bash
# Revenue postback benchmark: GET /v1/postbacks/calls matched by caller id (±4 h, nearest first) with 1,000,000 transfers
# in the database (target >= 10,000 matched postbacks/s). The transfers are written with SQL straight into the file
# (the server stopped): 1,000,000 leads, calls and transfers over the last year, the newest 200,000 within the last
# 3 hours, so each hit finds its transfer by the consumer's number. Each wrk request is a different consumer's hit.
# Usage: Tests/Benchmarks/postbacks.sh [DURATION_SECONDS] [CONNECTIONS]     (needs wrk, curl and python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
. Tests/Benchmarks/lib.sh
start_server
DB="$WORK/bench.db"
curl -fsS -X POST "$URL/api/v1/destinations" -H "X-API-Key: $KEY" -H "Content-Type: application/json" \
  -d '{"name":"bench line","phone":"5125550142"}' >/dev/null
TOKEN=$(curl -fsS -X POST "$URL/api/v1/calling/postback-url" -H "X-API-Key: $KEY" | sed 's/.*token=\([^"]*\)".*/\1/')
stop_server

echo "Seeding 1,000,000 leads, calls and transfers…"
SEED_START=$(date +%s)
python3 - "$DB" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
tenant = db.execute("SELECT id FROM tenants").fetchone()[0]
line = db.execute("SELECT id FROM destinations").fetchone()[0]
N, RECENT = 1_000_000, 200_000
now = time.time()
# i < RECENT: the last 3 hours (the consumers the benchmark's hits come from); the rest over the year before.
db.execute("""
  CREATE TEMP TABLE seq AS
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
  SELECT i, strftime('%Y-%m-%dT%H:%M:%fZ',
                     CASE WHEN i < ? THEN ? - 10800 + i * (10800.0 / ?) ELSE ? - 86400 - (i - ?) * (365.0 * 86400 / ?) END,
                     'unixepoch') AS at,
         printf('+1702%07d', i) AS phone
  FROM n
""", (N, RECENT, now, RECENT, now, RECENT, N))
db.execute("BEGIN")
db.execute("""
  INSERT INTO leads (id, tenant_id, phone, status, score, score_reasons, created_at, updated_at)
  SELECT printf('%08x-0000-7000-8000-%012x', i, i), ?, phone, 'transferred', 50, '[]', at, at FROM seq
""", (tenant,))
db.execute("""
  INSERT INTO call_attempts (id, tenant_id, lead_id, attempt_no, provider, to_number, status, outcome, lead_status_before, compliance,
                             created_at, updated_at)
  SELECT printf('call_%08x', i), ?, printf('%08x-0000-7000-8000-%012x', i, i), 1, 'simulator', phone, 'ended', 'transferred', 'new',
         '{"allowed":true}', at, at FROM seq
""", (tenant,))
db.execute("""
  INSERT INTO transfers (id, tenant_id, lead_id, attempt_id, destination_id, destination_phone, caller_id, status, started_at, bridged_at,
                         ended_at, duration_seconds)
  SELECT printf('xfer_%08x', i), ?, printf('%08x-0000-7000-8000-%012x', i, i), printf('call_%08x', i), ?, '+15125550142', phone,
         'ended', at, at, at, 180 FROM seq
""", (tenant, line))
# The daily sums `leadline` keeps as it inserts each lead, rebuilt for the leads written straight to the file.
db.execute("DELETE FROM lead_daily WHERE tenant_id = ?", (tenant,))
db.execute("INSERT INTO lead_daily SELECT tenant_id, substr(created_at, 1, 10), status, count(*) FROM leads WHERE tenant_id = ? GROUP BY 1, 2, 3", (tenant,))
db.execute("COMMIT")
print("transfers %d" % db.execute("SELECT count(*) FROM transfers").fetchone()[0])
db.close()
PY
echo "Seeded in $(( $(date +%s) - SEED_START )) s; database $(du -h "$DB" | cut -f1)."
serve_database "$DB"

# Each request a different consumer among the recent 200,000: thread t takes numbers t, t+2, t+4, …
cat > "$WORK/postbacks.lua" <<LUA
local counter = 0
local threads = 0
function setup(thread) thread:set("offset", threads); threads = threads + 1 end
function request()
  local i = offset + counter * 2
  counter = counter + 1
  return wrk.format("GET", string.format("/v1/postbacks/calls?token=$TOKEN&caller_id=%%2B1702%07d&duration=247&buyer=Acme&payout=38.50", i % 200000))
end
LUA
echo "Leadline postbacks benchmark: $KIND binary, $(nproc) cores, wrk -t2 -c$CONNECTIONS -d${DURATION}s, 1,000,000 transfers"
header
read -r rps p50 p99 <<<"$(measure -s "$WORK/postbacks.lua" "$URL/")"
row "GET /v1/postbacks/calls (match by caller id)" "$rps" "$p50" "$p99"
stop_server
python3 - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
total, matched = db.execute("SELECT count(*), count(transfer_id) FROM postbacks").fetchone()
charged = db.execute("SELECT count(*) FROM ledger_transactions WHERE transfer_id IS NOT NULL").fetchone()[0]
print("postbacks stored %d, matched %d, charges %d" % (total, matched, charged))
PY
echo "verify: $("$BIN" verify --db "$DB" 2>&1 | head -n 1)"
