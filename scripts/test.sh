#!/usr/bin/env bash
# The whole test suite: `npm test`.
#   1. system packages (chromium, postgresql, libusb) installed when missing
#   2. a real PostgreSQL server for the integration tests
#   3. the Electron bundles built (main, preload, renderer)
#   4. unit + integration tests (vitest), then end-to-end tests (Playwright, Chromium)
# Ends with one line "N passed, N failed" over every runner.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh || exit 1

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  TEST_DATABASE_URL="$(bash scripts/pg-test.sh | tail -n 1)" || { echo "PostgreSQL setup failed"; exit 1; }
  export TEST_DATABASE_URL
fi
echo "Integration tests use PostgreSQL at ${TEST_DATABASE_URL%%@*}@…"

npx electron-vite build >/tmp/kassa-build.log 2>&1 || { cat /tmp/kassa-build.log; echo "electron-vite build failed"; exit 1; }

mkdir -p test-results
rm -f test-results/vitest.json test-results/playwright.json

npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
vitest_rc=$?

PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json npx playwright test --reporter=list,json
playwright_rc=$?

node scripts/test-summary.mjs test-results/vitest.json test-results/playwright.json
summary_rc=$?

[ $vitest_rc -eq 0 ] && [ $playwright_rc -eq 0 ] && [ $summary_rc -eq 0 ]
