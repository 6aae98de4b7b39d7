#!/usr/bin/env bash
# Explains, in one line, why AWS refused this job's GitHub OIDC token: runs
# after a failed aws-actions/configure-aws-credentials step. It asks for a
# token with the audience configure-aws-credentials uses (sts.amazonaws.com),
# reads its claims (no secret: the subject names the repository and the
# branch or environment) and prints the token's actual `sub` next to the
# subject the role must trust for this job, in the immutable form GitHub uses
# for repositories created since 2026-07-15, with the stack parameters that
# produce it: a job in an environment assumes that environment's deploy role
# (cloudformation/github-deploy-role.yaml), a job without one the bake role
# (cloudformation/github-oidc.yaml).
#
# Environment: ROLE_TO_ASSUME (for the message), and the runner's
# ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN.
set -euo pipefail

role="${ROLE_TO_ASSUME:-the role}"
if [[ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" || -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]]; then
  echo "::error::Could not assume ${role}: this job has no OIDC token; the calling job must grant 'permissions: id-token: write'."
  exit 0
fi

response="$(curl --fail --silent --show-error --retry 3 \
  -H "Authorization: bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" \
  "${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=sts.amazonaws.com")" || {
  echo "::error::Could not assume ${role}, and GitHub's token service did not answer, so the token's subject is unknown."
  exit 0
}
payload="$(jq -r .value <<<"$response" | cut -d. -f2 | tr '_-' '/+')"
while (( ${#payload} % 4 )); do payload+="="; done
claims="$(base64 -d <<<"$payload")"
claim() { jq -r --arg name "$1" '.[$name] // "" | tostring' <<<"$claims"; }

sub="$(claim sub)"
owner="$(claim repository_owner)"
owner_id="$(claim repository_owner_id)"
repository="$(claim repository)"
repository_id="$(claim repository_id)"
environment="$(claim environment)"
ref="$(claim ref)"
name="${repository#*/}"

if [[ -n "$environment" ]]; then
  context="environment:${environment}"
  template="cloudformation/github-deploy-role.yaml"
  parameter="Environment=${environment}"
else
  context="ref:${ref}"
  template="cloudformation/github-oidc.yaml"
  parameter="AllowedBranch=${ref#refs/heads/}"
fi
needed="repo:${owner}@${owner_id}/${name}@${repository_id}:${context}"
# The part of the actual subject before its context is what SubjectPrefix takes.
prefix="${sub%%:ref:*}"
prefix="${prefix%%:environment:*}"

echo "::error::Could not assume ${role}. This job's OIDC sub is '${sub}'; the role must trust '${needed}' (${template}: GitHubOwnerId=${owner_id} GitHubRepositoryId=${repository_id} ${parameter}, or SubjectPrefix=${prefix} when the sub has another form); its TrustedSubjects output lists what it trusts."
