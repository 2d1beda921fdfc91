#!/usr/bin/env bash
# Backup drill: `leadline backup` taken from a live server under write load (the crash drill's 8 writers), then:
#   - the backup passes `leadline verify` (integrity, foreign keys, the ledger balances);
#   - every write acknowledged before the backup began is in it (each lead; each sale with its charge);
#   - `leadline restore` puts it in place of a new database, the server starts on it and its reports agree with it.
# Usage: Tests/Benchmarks/backup-drill.sh [SECONDS_OF_LOAD_BEFORE_THE_BACKUP]      (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
LOAD=${1:-20}
. Tests/Benchmarks/lib.sh
start_server
DB="$WORK/bench.db"
seed_writer_targets
ACKS="$WORK/acknowledged"
: > "$ACKS"
echo "Backup drill: $KIND binary, a backup after ${LOAD}s of write load, taken while the writers go on"
python3 Tests/Benchmarks/crash-writer.py "$URL" "$KEY" "$ACKS" 1 &
WRITER=$!
sleep "$LOAD"
cp "$ACKS" "$WORK/acknowledged-before"
STARTED=$(date +%s.%N)
"$BIN" backup --db "$DB" "$WORK/backup.db"
ENDED=$(date +%s.%N)
sleep 3
kill "$WRITER"; wait "$WRITER" 2>/dev/null || true
stop_server
echo "backup took $(echo "$ENDED - $STARTED" | bc) s under load; the live database had $(wc -l < "$ACKS") acknowledged writes when the writers stopped"
"$BIN" verify --db "$WORK/backup.db"
printf 'in the backup, of the writes acknowledged before it began: '
python3 Tests/Benchmarks/check-acknowledged.py "$WORK/backup.db" "$WORK/acknowledged-before"

"$BIN" restore --db "$WORK/restored.db" "$WORK/backup.db"
serve_database "$WORK/restored.db"
IN_BACKUP=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM leads').fetchone()[0])" "$WORK/backup.db")
REPORTED=$(curl -fsS -H "X-API-Key: $KEY" "$URL/api/v1/leads?per_page=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['total'])")
stop_server
echo "restored: the server started on it and reports $REPORTED leads; the backup holds $IN_BACKUP"
[ "$REPORTED" = "$IN_BACKUP" ] || { echo "they differ" >&2; exit 1; }
