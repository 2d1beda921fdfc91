"""Fills a migrated Leadline database with COUNT leads for one tenant, fast (batched inserts, the server stopped):
a year of arrivals in time order, US states and statuses in realistic shares, every lead with its own phone and email.
    python3 generate-leads.py DATABASE TENANT_ID COUNT
"""
import random, sqlite3, sys, time, uuid
from datetime import datetime, timedelta, timezone

database, tenant, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(1)
states = ["TX", "CA", "FL", "NY", "AZ", "NV", "GA", "IL", "OH", "PA", "NC", "WA", "CO", "MI", "NJ"]
statuses = ["new"] * 30 + ["qualified"] * 20 + ["delivered"] * 25 + ["accepted"] * 15 + ["returned"] * 3 + ["ineligible"] * 7
db = sqlite3.connect(database)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = OFF")
db.execute("PRAGMA cache_size = -1000000")
start = datetime.now(timezone.utc) - timedelta(days=365)
step = 365 * 86400 / count
began, batch = time.time(), []
for n in range(count):
    at = (start + timedelta(seconds=n * step)).strftime("%Y-%m-%dT%H:%M:%SZ")
    state = states[n % len(states)]
    status = statuses[random.randrange(len(statuses))]
    batch.append((str(uuid.UUID(int=random.getrandbits(128), version=4)), tenant, "+1512%07d" % (n % 10_000_000),
                  "lead%d@example.com" % n, "First%d" % (n % 997), "Last%d" % (n % 991), state, "787%02d" % (n % 100), "bulk",
                  "auto_insurance", status, 60 + n % 40, "[]", at, at))
    if len(batch) == 100_000 or n == count - 1:
        db.executemany("""INSERT INTO leads (id, tenant_id, phone, email, first_name, last_name, state, zip_code, source, campaign_type,
                          status, score, score_reasons, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", batch)
        db.commit()
        batch = []
        if (n + 1) % 1_000_000 == 0:
            print("  %d leads, %.0f s" % (n + 1, time.time() - began), flush=True)
# The daily sums `leadline` keeps as it inserts each lead, rebuilt for the leads written straight to the file.
db.execute("DELETE FROM lead_daily WHERE tenant_id = ?", (tenant,))
db.execute("INSERT INTO lead_daily SELECT tenant_id, substr(created_at, 1, 10), status, count(*) FROM leads WHERE tenant_id = ? GROUP BY 1, 2, 3", (tenant,))
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.execute("ANALYZE")
db.close()
print("generated %d leads in %.0f s" % (count, time.time() - began))
