#!/usr/bin/env bash
# The console in a real browser: installs Chromium and its driver (Debian) and Selenium (PyPI) when missing, then
# walks through the console with the release binary (Tests/Browser/walkthrough.py). Screenshots: .build/screenshots.
#   Tests/Browser/run.sh [PATH/TO/leadline]
set -euo pipefail
cd "$(dirname "$0")/../.."
BINARY=${1:-.build/release/leadline}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for package in chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing ${missing[*]} for the browser test"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! python3 -c "import selenium" >/dev/null 2>&1; then
  echo "==> Installing selenium for the browser test"
  python3 -m pip install -q "selenium==4.51.0"
fi
# Selenium must use Debian's chromedriver, never download one.
SE_OFFLINE=true exec python3 Tests/Browser/walkthrough.py "$BINARY"
