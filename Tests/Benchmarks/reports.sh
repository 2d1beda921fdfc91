#!/usr/bin/env bash
# Reports benchmark: GET /api/v1/reports/dashboard and /api/v1/reports/campaigns (target p95 <= 50 ms) over a database
# of 1,000,000 leads spread over the last 365 days, 900,000 of them sold (to 50 buyers in 20 campaigns), 100,000 of
# those returned and credited: 1,000,000 ledger transactions, 2,000,000 ledger entries. The rows are written with
# SQL straight into the file (the server stopped), so the triggers keep the rollups exactly as the server's writes do.
# Usage: Tests/Benchmarks/reports.sh [DURATION_SECONDS] [CONNECTIONS]     (needs wrk, curl and python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
CONNECTIONS=${2:-8}
. Tests/Benchmarks/lib.sh
start_server
DB="$WORK/bench.db"

for i in $(seq 1 20); do
  curl -fsS -X POST "$URL/api/v1/campaigns" -H "X-API-Key: $KEY" -H "Content-Type: application/json" \
    -d "{\"name\":\"campaign-$i\",\"campaign_type\":\"legal_pi\"}" >/dev/null
done
for i in $(seq 1 50); do
  curl -fsS -X POST "$URL/api/v1/buyers" -H "X-API-Key: $KEY" -H "Content-Type: application/json" \
    -d "{\"name\":\"buyer-$i\",\"bid_cents\":$((1000 + i * 50))}" >/dev/null
done
stop_server

echo "Seeding 1,000,000 leads and 2,000,000 ledger entries…"
SEED_START=$(date +%s)
python3 - "$DB" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
tenant = db.execute("SELECT id FROM tenants").fetchone()[0]
buyers = [r[0] for r in db.execute("SELECT id FROM buyers ORDER BY id")]
campaigns = [r[0] for r in db.execute("SELECT id FROM campaigns ORDER BY id")]
db.execute("CREATE TEMP TABLE b(n INTEGER PRIMARY KEY, id TEXT)")
db.executemany("INSERT INTO b VALUES (?, ?)", enumerate(buyers))
db.execute("CREATE TEMP TABLE c(n INTEGER PRIMARY KEY, id TEXT)")
db.executemany("INSERT INTO c VALUES (?, ?)", enumerate(campaigns))
start = time.time() - 365 * 86400
N = 1_000_000
# i → a time over the last year, a status, a buyer, a campaign.
db.execute("""
  CREATE TEMP TABLE seq AS
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
  SELECT i, strftime('%Y-%m-%dT%H:%M:%fZ', ? + i * (365.0 * 86400 / ?), 'unixepoch') AS at,
         CASE WHEN i % 10 = 9 THEN 'new' WHEN i % 10 = 8 THEN 'returned' WHEN i % 10 < 3 THEN 'accepted' ELSE 'delivered' END AS status,
         i % 50 AS b, i % 20 AS c
  FROM n
""", (N, start, N))
db.execute("BEGIN")
db.execute("""
  INSERT INTO leads (id, tenant_id, phone, status, score, score_reasons, created_at, updated_at, buyer_id, sold_price_cents)
  SELECT printf('%08x-0000-7000-8000-%012x', i, i), ?, printf('+1702555%04d', i % 10000), status, 50, '[]', at, at,
         CASE WHEN status = 'new' THEN NULL ELSE (SELECT id FROM b WHERE n = seq.b) END,
         CASE WHEN status = 'new' THEN NULL ELSE 1000 + seq.b * 50 END
  FROM seq
""", (tenant,))
db.execute("""
  INSERT INTO lead_sales (id, tenant_id, lead_id, buyer_id, campaign_id, price_cents, exclusivity, status, created_at, updated_at,
                          returned_at, reason)
  SELECT printf('sale_%08x', i), ?, printf('%08x-0000-7000-8000-%012x', i, i), (SELECT id FROM b WHERE n = seq.b),
         (SELECT id FROM c WHERE n = seq.c), 1000 + seq.b * 50, 'shared', status, at, at,
         CASE WHEN status = 'returned' THEN at END, CASE WHEN status = 'returned' THEN 'invalid_phone' END
  FROM seq WHERE status != 'new'
""", (tenant,))
db.execute("""
  INSERT INTO ledger_transactions (id, tenant_id, kind, buyer_id, lead_id, sale_id, amount_cents, description, actor, created_at)
  SELECT 'bill_' || substr(id, 6), tenant_id, 'charge', buyer_id, lead_id, id, price_cents, 'Lead delivered', 'seed', created_at
  FROM lead_sales
""")
db.execute("""
  INSERT INTO ledger_transactions (id, tenant_id, kind, buyer_id, lead_id, sale_id, amount_cents, description, reason, actor, created_at)
  SELECT 'ref_' || substr(id, 6), tenant_id, 'refund', buyer_id, lead_id, id, price_cents, 'Lead returned', reason, 'seed', created_at
  FROM lead_sales WHERE status = 'returned'
""")
db.execute("""
  INSERT INTO ledger_entries (transaction_id, tenant_id, account, amount_cents, created_at)
  SELECT id, tenant_id, 'buyer:' || buyer_id, CASE kind WHEN 'charge' THEN -amount_cents ELSE amount_cents END, created_at
  FROM ledger_transactions
""")
db.execute("""
  INSERT INTO ledger_entries (transaction_id, tenant_id, account, amount_cents, created_at)
  SELECT id, tenant_id, CASE kind WHEN 'charge' THEN 'revenue' ELSE 'refunds' END,
         CASE kind WHEN 'charge' THEN amount_cents ELSE -amount_cents END, created_at
  FROM ledger_transactions
""")
# The daily sums `leadline` keeps as it inserts each lead, rebuilt for the leads written straight to the file.
db.execute("DELETE FROM lead_daily WHERE tenant_id = ?", (tenant,))
db.execute("INSERT INTO lead_daily SELECT tenant_id, substr(created_at, 1, 10), status, count(*) FROM leads WHERE tenant_id = ? GROUP BY 1, 2, 3", (tenant,))
db.execute("COMMIT")
counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("leads", "lead_sales", "ledger_transactions", "ledger_entries")]
print("leads %d, sales %d, ledger transactions %d, ledger entries %d" % tuple(counts))
db.close()
PY
echo "Seeded in $(( $(date +%s) - SEED_START )) s; database $(du -h "$DB" | cut -f1)."
echo "verify: $("$BIN" verify --db "$DB" 2>&1 | head -n 1)"

serve_database "$DB"

# wrk prints p50/p75/p90/p99; this script adds p95.
cat > "$WORK/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("P95 %.2f\n", latency:percentile(95.0) / 1000))
end
LUA
run() {  # label path
  local out rps p50 p95 p99
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/p95.lua" -H "X-API-Key: $KEY" "$URL$2")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
  p99=$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
  p95=$(echo "$out" | awk '$1=="P95" {print $2}')
  printf '%-58s %8.0f %8s %8s %8s\n' "$1" "$rps" "$p50" "$p95" "$p99"
}
LAST=$(python3 -c "import datetime; d=datetime.date.today().replace(day=1)-datetime.timedelta(days=1); print(d.strftime('%Y-%m'))")
echo "Leadline reports benchmark: $KIND binary, $(nproc) cores, wrk -t2 -c$CONNECTIONS -d${DURATION}s"
printf '%-58s %8s %8s %8s %8s\n' "endpoint" "req/s" "p50 ms" "p95 ms" "p99 ms"
run "GET /api/v1/reports/dashboard (current month)" "/api/v1/reports/dashboard"
run "GET /api/v1/reports/dashboard?period=$LAST (whole month)" "/api/v1/reports/dashboard?period=$LAST"
run "GET /api/v1/reports/dashboard (a whole year by from/to)" "/api/v1/reports/dashboard?from=$(date -u -d '-365 days' +%F)&to=$(date -u +%F)"
run "GET /api/v1/reports/campaigns (current month)" "/api/v1/reports/campaigns"
run "GET /api/v1/reports/campaigns?period=$LAST (whole month)" "/api/v1/reports/campaigns?period=$LAST"
run "GET /api/v1/reports/buyers?period=$LAST" "/api/v1/reports/buyers?period=$LAST"
run "GET /api/v1/billing/usage (current month)" "/api/v1/billing/usage"
