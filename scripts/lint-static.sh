#!/usr/bin/env bash
# Static checks over what TypeScript lint does not see: workflows (actionlint
# with shellcheck, zizmor), CloudFormation templates (cfn-lint), shell scripts
# (shellcheck); checkov over the templates with a commented baseline
# (scripts/checkov-gate.sh). The Packer templates are checked by
# tests/system/test/packer.test.ts (packer fmt -check, packer validate with and
# without the test variables), which knows how to leave out plugins.pkr.hcl for
# the test bed's Packer 1.6.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${IMG_MGR_TOOLS_DIR:-$ROOT/.tools}/bin"
export PATH="$BIN:$PATH"

mapfile -t workflows < <(git ls-files -co --exclude-standard -- '.github/workflows/*.yml' 'workflows-example/**/*.yml' 'workflows-example/*.yml' | sort -u)
mapfile -t templates < <(git ls-files -co --exclude-standard -- 'cloudformation/*.yaml' 'cloudformation/**/*.yaml' | grep -v '/parameters/' | sort -u || true)
mapfile -t scripts < <(git ls-files -co --exclude-standard -- '*.sh' | sort -u)

if ((${#workflows[@]})); then
  echo "actionlint: ${#workflows[@]} workflow(s)"
  actionlint -shellcheck "$BIN/shellcheck" "${workflows[@]}"
  # The pedantic persona: every finding, including help-level ones; exceptions are commented in
  # .github/zizmor.yml or next to the line they excuse.
  echo "zizmor (pedantic): ${#workflows[@]} workflow(s)"
  zizmor --offline --no-progress --persona=pedantic "${workflows[@]}"
fi
if ((${#templates[@]})); then
  echo "cfn-lint: ${#templates[@]} template(s)"
  cfn-lint -- "${templates[@]}"
  echo "checkov: ${#templates[@]} template(s), against cloudformation/checkov-baseline.txt"
  bash scripts/checkov-gate.sh "${templates[@]}"
fi
if ((${#scripts[@]})); then
  echo "shellcheck: ${#scripts[@]} script(s)"
  shellcheck "${scripts[@]}"
fi
echo "lint-static: clean"
