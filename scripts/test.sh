#!/usr/bin/env bash
# The whole test suite (the command .ci/run calls): installs what is missing, type-checks, lints, starts a private
# dockerd for engine tests, runs every test/**/*.test.ts with node's test runner, and always tears the engine down.
# --unit runs only what needs no engine (engine suites are skipped, not faked).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

unit=0
if [ "${1:-}" = "--unit" ]; then unit=1; shift; fi

# BULKHEAD_TEST_FAST=1 skips the whole-project typecheck, lint and build (for iterating on one area's tests).
if [ "${BULKHEAD_TEST_FAST:-0}" != "1" ]; then
  echo "== typecheck" >&2
  npx tsc -p tsconfig.json --noEmit
  echo "== lint" >&2
  npx eslint --max-warnings 0 .
  echo "== build" >&2
  rm -rf dist
  npx tsc -p tsconfig.build.json
fi

# The one layout (CONTRIBUTING.md "Tests"): every *.test.ts under test/<area>/; a test file anywhere else stops the run.
listed=$(node --import tsx scripts/test-files.ts)
mapfile -t all_files <<<"$listed"
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  files=("${all_files[@]}")
fi

if [ "$unit" -eq 1 ]; then
  export BULKHEAD_TEST_ENGINE=skip
else
  ENGINE_DIR=$(mktemp -d /tmp/bh-test-XXXXXX)
  cleanup() { node --import tsx test/harness/engine-cli.ts stop "$ENGINE_DIR" || true; }
  trap cleanup EXIT
  echo "== starting test engine in $ENGINE_DIR" >&2
  BULKHEAD_TEST_DOCKER_HOST=$(node --import tsx test/harness/engine-cli.ts start "$ENGINE_DIR")
  export BULKHEAD_TEST_DOCKER_HOST BULKHEAD_TEST_ENGINE_DIR="$ENGINE_DIR"
fi

echo "== tests (${#files[@]} files)" >&2
node --import tsx --test --test-concurrency="${BULKHEAD_TEST_CONCURRENCY:-2}" --test-timeout=900000 "${files[@]}"
