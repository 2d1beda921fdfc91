#!/usr/bin/env bash
# Proof under load: a mixed run against the shipped binary for SECONDS (default 600) and what it sustained.
#   - `leadline simulate load --target`: 32 senders at once pushing leads (EZLeeds inbound with direct routing, ping
#     then post, lead2inbound), 5 live mock buyers and 2 fixed ones, solar leads called by the voice simulator and
#     transferred, postbacks from the mock call platform, accepts and returns;
#   - wrk reading console pages with a signed-in session at the same time (the leads list and the dashboard);
#   - the server's resident memory sampled every second (and its peak, VmHWM), and `leadline verify` at the end.
# Usage: Tests/Benchmarks/load-mixed.sh [SECONDS]      (needs wrk and curl; the simulator shares the 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-600}
. Tests/Benchmarks/lib.sh
start_server --allow-private-targets
DB="$WORK/bench.db"

console_session "$DB"

echo "Leadline mixed load: $KIND binary, $(nproc) cores, ${SECONDS_TO_RUN}s; simulator, wrk and server share the cores"
( while kill -0 "$SERVER" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || true; sleep 1
  done ) > "$WORK/rss" &
SAMPLER=$!

"$BIN" simulate load --target "$URL" --key "$KEY" --duration "${SECONDS_TO_RUN}s" --json --quiet > "$WORK/report.json" &
SIMULATOR=$!
sleep 5
cat > "$WORK/console.lua" <<'LUA'
local pages = {"/admin/leads", "/admin", "/admin/buyers", "/admin/billing"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", pages[(n % #pages) + 1])
end
LUA
CONSOLE=$(CONNECTIONS=4 DURATION=$((SECONDS_TO_RUN - 10)) measure -s "$WORK/console.lua" -H "Cookie: ll_session=$SESSION" "$URL")
wait "$SIMULATOR" || echo "warning: the simulator exited $? (errors or a broken invariant in its report)" >&2
PEAK=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
stop_server
kill "$SAMPLER" 2>/dev/null || true
VERIFY=$("$BIN" verify --db "$DB" 2>&1 | tail -n 1)

python3 - "$WORK/report.json" "$WORK/rss" "$PEAK" "$CONSOLE" "$VERIFY" "$SECONDS_TO_RUN" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
rss = [int(x) for x in open(sys.argv[2]).read().split() if x.isdigit()]
peak_kb, console, verify, seconds = int(sys.argv[3]), sys.argv[4].split(), sys.argv[5], int(sys.argv[6])
counts, latency = report["counts"], report["latency"]
wall = max(report["wall_seconds"], 1)
requests = sum(op["requests"] for op in latency.values())
print(f"\n{'requests by the lead source':<34}{requests:>9}  ({requests / wall:,.0f}/s over {wall} s)")
print(f"{'leads sent':<34}{counts.get('leads', 0):>9}  ({counts.get('leads', 0) / wall:,.1f}/s)")
print(f"{'leads sold / accepted / returned':<34}{counts.get('sold', 0):>9} / {counts.get('accepted', 0)} / {counts.get('returned', 0)}")
print(f"{'postbacks matched':<34}{counts.get('postbacks.matched', 0):>9}")
print(f"{'errors (5xx or no answer)':<34}{counts.get('errors', 0):>9}")
print(f"\n{'operation':<14}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
for name, op in sorted(latency.items()):
    print(f"{name:<14}{op['requests']:>10}{op['p50_ms']:>10.1f}{op['p99_ms']:>10.1f}{op['max_ms']:>10.1f}")
print(f"{'console pages':<14}{float(console[0]) * seconds:>10.0f}{float(console[1]):>10.1f}{float(console[2]):>10.1f}   ({float(console[0]):.0f}/s, wrk -c4)")
print(f"\nserver resident memory: peak {peak_kb / 1024:.0f} MB (VmHWM), at the end {rss[-1] / 1024 if rss else 0:.0f} MB, median {sorted(rss)[len(rss) // 2] / 1024 if rss else 0:.0f} MB")
print(f"leadline verify: {verify}")
PY
