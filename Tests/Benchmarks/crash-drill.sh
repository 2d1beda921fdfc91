#!/usr/bin/env bash
# Crash drill: the shipped binary is killed with SIGKILL ROUNDS times (default 20) while 8 threads write to it (new
# leads through EZLeeds inbound, each routed to a buyer and charged; pings posted and sold). After every kill, every
# write the server had acknowledged must be in the database (each lead; each sale with its ledger charge), the server
# must start again on the same file, and at the end `leadline verify` must pass (integrity, foreign keys, ledger).
# Usage: Tests/Benchmarks/crash-drill.sh [ROUNDS]      (needs curl; wrk only because lib.sh checks for it)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-20}
. Tests/Benchmarks/lib.sh
start_server
DB="$WORK/bench.db"
seed_writer_targets
ACKS="$WORK/acknowledged"
: > "$ACKS"
echo "Crash drill: $KIND binary, $ROUNDS rounds of SIGKILL under write load"
for round in $(seq 1 "$ROUNDS"); do
  python3 Tests/Benchmarks/crash-writer.py "$URL" "$KEY" "$ACKS" "$round" &
  WRITER=$!
  sleep "$(python3 -c "import random; random.seed($round); print(round(random.uniform(1.5, 4.0), 2))")"
  kill -KILL "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
  kill "$WRITER"; wait "$WRITER" 2>/dev/null || true
  printf 'round %2d: ' "$round"
  python3 Tests/Benchmarks/check-acknowledged.py "$DB" "$ACKS"
  serve_database "$DB"
  [ -n "$PORT" ] || { echo "the server did not start again after round $round:"; cat "$WORK/serve.out"; exit 1; }
done
stop_server
"$BIN" verify --db "$DB"
