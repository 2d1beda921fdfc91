#!/usr/bin/env bash
# Dialer benchmark: how many simulated calls per second the dialer places and follows to the end. The server runs on a
# simulated clock (a weekday, 11:00 in Texas) so fast that the voice simulator's pauses are nothing; LEADS leads
# (default 5,000) with consent are sent first (a share of each test number's outcome: transferred, no answer,
# voicemail, not qualified, opt-out, busy), then the dialer is let go and timed until every first call has ended.
# Usage: Tests/Benchmarks/dialer.sh [LEADS] [CONCURRENT_CALLS]     (needs curl and python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
LEADS=${1:-5000}
CONCURRENT=${2:-200}
. Tests/Benchmarks/lib.sh
start_server --clock-start 2026-07-22T16:00:00Z --clock-speed 100000
"$BIN" dialer pause --db "$WORK/bench.db" >/dev/null
curl -fsS -X PATCH "$URL/api/v1/calling/settings" -H "X-API-Key: $KEY" -H "Content-Type: application/json" \
  -d "{\"max_concurrent_calls\":$CONCURRENT,\"max_attempts\":1}" >/dev/null
curl -fsS -X POST "$URL/api/v1/destinations" -H "X-API-Key: $KEY" -H "Content-Type: application/json" \
  -d '{"name":"bench line","phone":"5125550142"}' >/dev/null
echo "Sending $LEADS leads…"
python3 - "$URL" "$KEY" "$LEADS" <<'PY'
import http.client, json, sys, urllib.parse
url, key, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port)
endings = ["0100", "0200", "0300", "0400", "0500", "0600"]
for i in range(count):
    phone = "512%03d%s" % (100 + i // 6 % 900, endings[i % 6]) if i < 5400 else "512%07d" % (2000000 + i)
    body = json.dumps({"phone": phone, "state": "TX", "first_name": "Bench",
                       "consent": {"consent_timestamp": "2026-07-05T12:00:00Z", "consent_text_version": "v1",
                                   "source_url": "https://example.com"}})
    conn.request("POST", "/v1/leads", body, {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    reply = conn.getresponse(); reply.read()
    if reply.status not in (200, 201): sys.exit("lead %d: %d" % (i, reply.status))
PY
START=$(date +%s.%N)
"$BIN" dialer resume --db "$WORK/bench.db" >/dev/null
while :; do
  LEFT=$(python3 - "$WORK/bench.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM call_queue WHERE status != 'done'").fetchone()[0]
      + db.execute("SELECT count(*) FROM call_attempts WHERE ended_at IS NULL AND status != 'blocked'").fetchone()[0])
PY
)
  [ "$LEFT" = "0" ] && break
  sleep 0.5
done
END=$(date +%s.%N)
python3 - "$WORK/bench.db" "$START" "$END" "$KIND" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seconds = float(sys.argv[3]) - float(sys.argv[2])
calls = db.execute("SELECT count(*) FROM call_attempts").fetchone()[0]
outcomes = dict(db.execute("SELECT coalesce(outcome, status), count(*) FROM call_attempts GROUP BY 1").fetchall())
transfers = db.execute("SELECT count(*) FROM transfers").fetchone()[0]
print("Leadline dialer benchmark: %s binary" % sys.argv[4])
print("%d calls placed and followed to the end in %.1f s: %.0f calls/s (%d transfers)" % (calls, seconds, calls / seconds, transfers))
print("outcomes: " + ", ".join("%s %d" % kv for kv in sorted(outcomes.items())))
PY
echo "verify: $("$BIN" verify --db "$WORK/bench.db" 2>&1 | head -n 1)"
