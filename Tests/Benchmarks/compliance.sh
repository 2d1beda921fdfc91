#!/usr/bin/env bash
# Compliance gate checks per second and do-not-call lookups per second, in process (release build).
# Targets (issue 4): gate >= 200k checks/s, DNC >= 1M lookups/s.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product compliance-benchmark >/dev/null
"$(swift build -c release --show-bin-path)/compliance-benchmark"
