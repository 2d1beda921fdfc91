#!/usr/bin/env bash
# CSV import benchmark: generates ROWS leads (default 1,000,000; unique phones, names, states, consent columns, a
# share of bad rows) and imports them with `leadline import` into a new database, printing rows/s and peak RSS.
# Usage: Tests/Benchmarks/csv-import.sh [ROWS]        (needs /usr/bin/time: apt-get install time)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-1000000}
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed: apt-get install -y time" >&2; exit 1; }
# LEADLINE_BIN=path: import with that binary, unbuilt (as in lib.sh).
if [ -n "${LEADLINE_BIN:-}" ]; then BIN=$LEADLINE_BIN; else ./install.sh --build >/dev/null; BIN=.build/release/leadline; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$ROWS" "$WORK/leads.csv" <<'PY'
import sys
rows, path = int(sys.argv[1]), sys.argv[2]
states = ["TX", "CA", "NV", "FL", "NY", "OH", "WA", "AZ"]
with open(path, "w") as out:
    out.write("Phone Number,First Name,Last Name,Email,State,Zip,Opt-In Date,Consent Language,Landing Page\n")
    for i in range(rows):
        if i % 50 == 49:  # 2% bad rows
            out.write(f"12{i},Bad,Row,not-an-email,ZZ,1,,,\n")
            continue
        area = 201 + (i // 10_000_000)
        out.write(f"{area}{i % 10_000_000:07d},First{i % 997},Last{i % 991},p{i}@example.com,{states[i % 8]},{75000 + i % 999},"
                  f"2026-11-01T10:00:00Z,\"I agree to be contacted, including by automated calls\",https://example.com/q\n")
PY
SIZE=$(du -h "$WORK/leads.csv" | cut -f1)
"$BIN" tenant create bench --db "$WORK/import.db" >/dev/null
/usr/bin/time -v "$BIN" import "$WORK/leads.csv" --tenant bench --json --db "$WORK/import.db" > "$WORK/report.json" 2> "$WORK/time.txt"
RSS_KB=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
python3 - "$WORK/report.json" "$RSS_KB" "$SIZE" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
rss_mb = int(sys.argv[2]) / 1024
print(f"imported {report['rows']:,} rows ({sys.argv[3]} CSV): {report['created']:,} created, {report['duplicate']:,} duplicate, "
      f"{report['rejected']:,} rejected in {report['seconds']:.1f} s")
print(f"rows/s: {report['rows'] / report['seconds']:,.0f} (target >= 50,000)   peak RSS: {rss_mb:.0f} MB (target <= 200 MB)")
PY
