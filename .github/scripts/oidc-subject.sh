#!/usr/bin/env bash
# Kept for one release, for copies of workflows-example/plan-on-pull-request.yml made before
# actions/workflow-step existed: they run this script from their img-mgr checkout after a failed
# configure-aws-credentials step. New copies use the action (step: explain-refused-token); the
# explanation lives in packages/workflow-run/src/oidc.ts. Environment: ROLE_TO_ASSUME.
set -euo pipefail
exec env INPUT_STEP=explain-refused-token "INPUT_ROLE-TO-ASSUME=${ROLE_TO_ASSUME:-}" \
  node "$(dirname "${BASH_SOURCE[0]}")/../../actions/workflow-step/dist/index.js"
