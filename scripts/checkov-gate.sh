#!/usr/bin/env bash
# checkov over the CloudFormation templates, offline, against the commented
# baseline cloudformation/checkov-baseline.txt: fails on a finding that is not
# in the baseline, and on a baseline line checkov no longer reports.
# Usage: scripts/checkov-gate.sh TEMPLATE...
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASELINE="$ROOT/cloudformation/checkov-baseline.txt"
(($#)) || { echo "checkov-gate: no templates given" >&2; exit 2; }

args=()
for template in "$@"; do args+=(-f "$template"); done
# --skip-download: no call to the vendor's API (the gate runs offline).
report="$(checkov --framework cloudformation --quiet --compact --skip-download -o json "${args[@]}" 2>/dev/null || true)"

python3 - "$BASELINE" "$report" <<'PY'
import json, os, sys

baseline_path, report = sys.argv[1], sys.argv[2]
try:
    results = json.loads(report)
except json.JSONDecodeError:
    sys.exit("checkov-gate: checkov produced no JSON report (is checkov installed? bash scripts/tools.sh checkov)")
results = results if isinstance(results, list) else [results]
found = set()
for result in results:
    for check in result.get("results", {}).get("failed_checks", []):
        found.add((check["check_id"], os.path.basename(check["file_path"]), check["resource"]))

accepted = {}
with open(baseline_path, encoding="utf-8") as baseline:
    for number, line in enumerate(baseline, 1):
        entry, _, reason = line.partition("#")
        fields = entry.split()
        if not fields:
            continue
        if len(fields) != 3 or not reason.strip():
            sys.exit(f"checkov-gate: {baseline_path}:{number}: expected 'CHECK_ID template resource  # reason'")
        accepted[tuple(fields)] = reason.strip()

new = sorted(found - accepted.keys())
stale = sorted(accepted.keys() - found)
for check_id, template, resource in new:
    print(f"checkov: {check_id} on {resource} in {template} is not in cloudformation/checkov-baseline.txt (fix it, or add it there with the reason)")
for check_id, template, resource in stale:
    print(f"checkov: cloudformation/checkov-baseline.txt accepts {check_id} on {resource} in {template}, which checkov no longer reports: remove the line")
if new or stale:
    sys.exit(1)
print(f"checkov: {len(found)} finding(s), all in the commented baseline")
PY
