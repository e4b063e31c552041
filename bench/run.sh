#!/usr/bin/env bash
# Runs every benchmark one after the other (they measure time, so never in parallel) and rewrites
# bench/results/*.md. Needs the same machine set-up as the tests (scripts/install-deps.sh). Each benchmark starts
# and stops its own private dockerd where it needs one. Usage: bash bench/run.sh [audit|authz|lint|scan|vulndb|watch|report ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

declare -A BENCH=(
  [audit]="bench/audit/audit-100.ts"
  [authz]="bench/authz/decisions.ts"
  [lint]="bench/lint/corpus.ts"
  [scan]="bench/scan/scan.ts"
  [vulndb]="bench/vulndb/vulndb.ts"
  [watch-net]="bench/watch-net/net.ts"
  [redhat]="bench/redhat/redhat.ts"
  [watch]="bench/watch/watch.ts"
  [report]="bench/report/report.ts"
  [server]="bench/server/server.ts"
)
names=("$@")
[ "${#names[@]}" -gt 0 ] || names=(lint vulndb scan audit authz)
for name in "${names[@]}"; do
  script=${BENCH[$name]:-}
  if [ -z "$script" ]; then
    echo "bench/run.sh: unknown benchmark $name (one of: ${!BENCH[*]})" >&2
    exit 2
  fi
  echo "== bench $name (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  node --import tsx "$script"
done
