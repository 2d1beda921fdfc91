"""Checks that every write crash-writer.py recorded as acknowledged is in the database: each lead, and each sale with
its ledger charge. Prints the counts; exits 1 when anything acknowledged is missing.
    python3 check-acknowledged.py DATABASE ACK_FILE
"""
import sqlite3, sys

database, ack_path = sys.argv[1], sys.argv[2]
leads, sales = [], []
for line in open(ack_path):
    parts = line.split()
    if len(parts) == 2 and parts[0] == "lead":
        leads.append(parts[1])
    elif len(parts) == 3 and parts[0] == "sale":
        sales.append((parts[1], parts[2]))
db = sqlite3.connect(database)
stored_leads = {row[0] for row in db.execute("SELECT id FROM leads")}
charged = {(row[0], row[1]) for row in db.execute(
    "SELECT s.lead_id, s.buyer_id FROM lead_sales s JOIN ledger_transactions t ON t.sale_id = s.id AND t.kind = 'charge'")}
missing_leads = [lead for lead in leads if lead not in stored_leads]
missing_sales = [sale for sale in sales if sale not in charged]
print("acknowledged: %d leads, %d sales; missing: %d leads, %d sales (or their charges)"
      % (len(leads), len(sales), len(missing_leads), len(missing_sales)))
sys.exit(1 if missing_leads or missing_sales else 0)
