#!/usr/bin/env bash
# The main reads over a big database: COUNT leads (default 10,000,000) generated into one tenant
# (Tests/Benchmarks/generate-leads.py), then each read measured with wrk against the shipped binary: the lead2inbound
# list (keyset) and a page deep into it, the EZLeeds list (with its total) unfiltered, by status and days, 400 pages
# deep and by state, one lead, a phone search, the dashboard report, and the console's leads list, search and dashboard.
# Usage: Tests/Benchmarks/ten-million.sh [COUNT] [SECONDS_PER_READ]      (needs wrk, curl; several GB of disk)
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${1:-10000000}
DURATION=${2:-10}
CONNECTIONS=${CONNECTIONS:-8}
. Tests/Benchmarks/lib.sh
start_server
stop_server
DB="$WORK/bench.db"
TENANT=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT id FROM tenants').fetchone()[0])" "$DB")
echo "Generating $COUNT leads"
python3 Tests/Benchmarks/generate-leads.py "$DB" "$TENANT" "$COUNT"
echo "database: $(du -h "$DB" | cut -f1)"
serve_database "$DB"
console_session "$DB"
LEAD=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT id FROM leads ORDER BY rowid LIMIT 1 OFFSET 5000000').fetchone()[0])" "$DB" 2>/dev/null || true)
CURSOR=$(curl -fsS -H "Authorization: Bearer $KEY" "$URL/v1/leads?limit=500" | python3 -c "import json,sys; print(json.load(sys.stdin)['next_cursor'])")
for _ in 1 2 3 4 5 6 7 8; do
  CURSOR=$(curl -fsS -H "Authorization: Bearer $KEY" "$URL/v1/leads?limit=500&cursor=$CURSOR" | python3 -c "import json,sys; print(json.load(sys.stdin)['next_cursor'])")
done

echo "Reads over $COUNT leads: $KIND binary, $(nproc) cores, wrk -t2 -c$CONNECTIONS -d${DURATION}s"
header
row "GET /v1/leads?limit=50 (newest)" $(measure -H "Authorization: Bearer $KEY" "$URL/v1/leads?limit=50")
row "GET /v1/leads?limit=50&cursor=(4,500 deep)" $(measure -H "Authorization: Bearer $KEY" "$URL/v1/leads?limit=50&cursor=$CURSOR")
row "GET /v1/leads/{id}" $(measure -H "Authorization: Bearer $KEY" "$URL/v1/leads/$LEAD")
row "GET /api/v1/leads?per_page=25 (with total)" $(measure -H "X-API-Key: $KEY" "$URL/api/v1/leads?per_page=25")
row "GET /api/v1/leads?status=accepted&date_from=(30 days)" $(measure -H "X-API-Key: $KEY" "$URL/api/v1/leads?status=accepted&date_from=$(date -u -d '30 days ago' +%F)&per_page=25")
row "GET /api/v1/leads?page=400&per_page=25 (OFFSET 9,975)" $(measure -H "X-API-Key: $KEY" "$URL/api/v1/leads?page=400&per_page=25")
row "GET /api/v1/leads?state=TX&status=accepted" $(measure -H "X-API-Key: $KEY" "$URL/api/v1/leads?state=TX&status=accepted&per_page=25")
row "GET /api/v1/reports/dashboard" $(measure -H "X-API-Key: $KEY" "$URL/api/v1/reports/dashboard")
row "console /admin/leads" $(measure -H "Cookie: ll_session=$SESSION" "$URL/admin/leads?tenant=bench")
row "console /admin/leads?q=(a phone)" $(measure -H "Cookie: ll_session=$SESSION" "$URL/admin/leads?tenant=bench&q=%2B15125550123")
row "console /admin (dashboard)" $(measure -H "Cookie: ll_session=$SESSION" "$URL/admin?tenant=bench")
stop_server
