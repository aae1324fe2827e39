#!/usr/bin/env bash
# Lints the OpenAPI document the service serves with Redocly's recommended rules plus ours
# (redocly.yaml). Telemetry and update checks off: nothing leaves the machine.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
node -r @swc-node/register scripts/openapi-document.ts "$out/openapi.json" >/dev/null || exit 1
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx --no-install redocly lint "$out/openapi.json" \
  --config redocly.yaml --format stylish >"$out/lint.txt" 2>&1
status=$?
# Redocly prints a Node 20 end-of-life banner on every run; the findings are what matter here.
grep -v -e '║' -e '╔' -e '╚' "$out/lint.txt" | grep -v '^\s*$'
exit $status
