#!/usr/bin/env bash
# Installs what the test suite needs from outside npm: Debian's Chromium for the dashboard's
# browser test (driven by playwright-core). Runs before `npm test`; does nothing when present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "test setup: installing Debian chromium for the browser test…"
if [ "$(id -u)" -ne 0 ]; then
  echo "test setup: not root; install chromium with: sudo apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
echo "test setup: chromium $(chromium --version 2>/dev/null || echo installed)"
