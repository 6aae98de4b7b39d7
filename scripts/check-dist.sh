#!/usr/bin/env bash
# Fails when a committed action bundle is stale or does not run.
# 1. Diffs every actions/*/dist, just rebuilt by turbo (`turbo run check-dist`
#    depends on each action's package task), against the commit.
# 2. Runs every bundle with no inputs under Node 24 (the runner's node24) and
#    under the node on PATH when that is another major (a developer's Node 22,
#    say): it must load, fail with one `::error::` line that names the input,
#    and do so within a second (best of 3 runs, so that a busy machine does not
#    fail the check; bench/bundles.mjs measures start-up properly).
# 3. Runs the post step of every action that has one (it is dist/index.js again,
#    with the state the main step saves): with nothing to clean up it must succeed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TOOLS_BIN="${IMG_MGR_TOOLS_DIR:-$ROOT/.tools}/bin"

# A wildcard pathspec matches whole paths, not leading directories: 'actions/*/dist'
# alone matches no file under dist/, so the check always passed. '*' crosses '/'.
DIST_FILES='actions/*/dist/*'
if ! git diff --quiet -- "$DIST_FILES" || [[ -n "$(git ls-files --others --exclude-standard -- "$DIST_FILES")" ]]; then
  echo "check-dist: the committed bundles are stale. Run 'npm run package' and commit actions/*/dist:" >&2
  git status --short -- "$DIST_FILES" >&2
  exit 1
fi
echo "check-dist: bundles match their sources"

declare -A NODES=([24]="$TOOLS_BIN/node24")
path_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ -n "${NODES[$path_major]:-}" ]] || NODES[$path_major]="node"
mapfile -t versions < <(printf '%s\n' "${!NODES[@]}" | sort -n)
status=0
for action in actions/*/; do
  name="$(basename "$action")"
  for version in "${versions[@]}"; do
    node_bin="${NODES[$version]}"
    major="$("$node_bin" -p 'process.versions.node.split(".")[0]')"
    [[ "$major" == "$version" ]] || { echo "check-dist: $node_bin is Node $major, not $version" >&2; exit 1; }
    ms=''
    for _ in 1 2 3; do
      started=$(date +%s%N)
      set +e
      out="$(env -i PATH="$PATH" HOME="$HOME" "$node_bin" "$action/dist/index.js" 2>&1)"
      code=$?
      set -e
      run_ms=$(( ($(date +%s%N) - started) / 1000000 ))
      if [[ -z "$ms" ]] || (( run_ms < ms )); then ms=$run_ms; fi
    done
    errors="$(grep -c '^::error::' <<<"$out" || true)"
    if [[ $code -eq 0 || "$errors" != 1 ]] || ! grep -q "^::error::Input '" <<<"$out" || grep -qE '^\s+at ' <<<"$out"; then
      echo "check-dist: $name on Node $version did not fail cleanly on missing input (exit $code):" >&2
      echo "$out" >&2
      status=1
    elif (( ms > 1000 )); then
      echo "check-dist: $name on Node $version took ${ms} ms to fail on missing input (limit 1000)" >&2
      status=1
    else
      echo "check-dist: $name on Node $version: exit $code in ${ms} ms: $(grep '^::error::' <<<"$out")"
    fi
    post="$(sed -n 's/^  post: *//p' "$action/action.yml")"
    [[ -n "$post" ]] || continue
    set +e
    out="$(env -i PATH="$PATH" HOME="$HOME" STATE_isPost=true "$node_bin" "$action/$post" 2>&1)"
    code=$?
    set -e
    if [[ $code -ne 0 ]] || grep -q '^::error' <<<"$out"; then
      echo "check-dist: $name's post step ($post) on Node $version failed with nothing to clean up (exit $code):" >&2
      echo "$out" >&2
      status=1
    else
      echo "check-dist: $name's post step ($post) on Node $version: exit 0: $(tail -n 1 <<<"$out")"
    fi
  done
done
exit $status
