#!/usr/bin/env bash
# Tags a release: creates the annotated tag vX.Y.Z on a commit and moves the
# major tag vX to it, the tag that callers follow (`...@v1`). Only the major
# tag is ever force-pushed; an existing vX.Y.Z is never replaced, and vX is
# not moved back when a higher vX.*.* release already exists. The tag's
# message carries the version's section of CHANGELOG.md at that commit
# (release-notes.sh), and a version without one is not released.
#
#   release-tags.sh VERSION COMMIT REMOTE
#
# Both tags go in one atomic push: when the remote refuses either, neither
# lands. GitHub refuses to move a tag to a commit whose .github/workflows/
# differs unless the token may write workflows, and this repository's
# workflows change in nearly every release, so the token must be a GitHub
# App installation token with contents and workflows write (release.yml).
# A re-run completes a release: a vX.Y.Z that already names COMMIT is kept
# and only vX is moved; a vX.Y.Z on another commit stops the release.
#
# REMOTE is a git URL or path. For an https:// remote, GITHUB_TOKEN (when set)
# authenticates the pushes through an HTTP header, never through the URL.
set -euo pipefail

die() { echo "::error::$*"; exit 1; }

[[ $# -eq 3 ]] || die "usage: release-tags.sh VERSION COMMIT REMOTE"
version="$1" commit="$2" remote="$3"
[[ "$version" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
  die "Input 'version' has '${version}', which is not X.Y.Z (three numbers, no leading v or zeros)."
major="v${BASH_REMATCH[1]}"
tag="v${version}"
[[ "$commit" =~ ^[0-9a-f]{40}$ ]] || die "'${commit}' is not a full commit SHA."
git cat-file -e "${commit}^{commit}" 2>/dev/null || die "Commit ${commit} is not in this checkout."
notes_script="$(dirname "${BASH_SOURCE[0]}")/release-notes.sh"
notes="$(bash "$notes_script" "$version" "$commit")" || { printf '%s\n' "$notes"; exit 1; }

if [[ "$remote" == https://* && -n "${GITHUB_TOKEN:-}" ]]; then
  # What actions/checkout does, kept to this process: no token on disk or in a URL.
  basic="$(printf 'x-access-token:%s' "$GITHUB_TOKEN" | base64 -w0)"
  echo "::add-mask::${basic}"
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.${remote}.extraheader" GIT_CONFIG_VALUE_0="AUTHORIZATION: basic ${basic}"
fi

existing="$(git ls-remote --tags "$remote" "refs/tags/${major}.*")" || die "Cannot list the tags of ${remote}."
# The commit an existing vX.Y.Z names: its peeled line for an annotated tag, else its own line.
released="$(awk -v ref="refs/tags/${tag}" '$2 == ref "^{}" { peeled = $1 } $2 == ref { own = $1 }
  END { print (peeled != "" ? peeled : own) }' <<<"$existing")"
if [[ -n "$released" && "$released" != "$commit" ]]; then
  die "${tag} already exists on ${remote} at ${released}; release a new version instead of replacing one."
fi
highest="$( (awk '{ print $2 }' <<<"$existing" | grep -E "^refs/tags/${major}\.[0-9]+\.[0-9]+$" | sed 's|^refs/tags/||'; echo "$tag") | sort -V | tail -n1)"

refspecs=()
if [[ -z "$released" ]]; then
  export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-github-actions[bot]}"
  export GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}"
  export GIT_AUTHOR_NAME="$GIT_COMMITTER_NAME" GIT_AUTHOR_EMAIL="$GIT_COMMITTER_EMAIL"
  # whitespace cleanup only: the default would drop the notes' `### Added` headings as comments.
  git tag --force --annotate --cleanup=whitespace --message "img-mgr actions ${tag}"$'\n\n'"${notes}" "$tag" "$commit"
  refspecs+=("refs/tags/${tag}:refs/tags/${tag}")
fi
# The leading + forces the major tag alone; vX.Y.Z is only ever created.
[[ "$highest" == "$tag" ]] && refspecs+=("+${commit}:refs/tags/${major}")

if ((${#refspecs[@]})); then
  if ! output="$(git push --atomic "$remote" "${refspecs[@]}" 2>&1)"; then
    printf '%s\n' "$output"
    if grep -qF "without \`workflows\` permission" <<<"$output"; then
      die "${remote} refused the release, and neither tag landed: the token lacks the \`workflows\` permission" \
        "that moving ${major} to a commit with other workflows needs. Give the release job a GitHub App token" \
        "with contents and workflows write (README, Releasing), then re-run."
    fi
    die "${remote} refused the release, and neither tag landed; fix the cause above and re-run."
  fi
fi
if [[ -z "$released" ]]; then echo "Created ${tag} at ${commit}."; else echo "${tag} is already at ${commit}."; fi
if [[ "$highest" != "$tag" ]]; then
  echo "::warning::${major} stays on ${highest}, which is newer than ${tag}."
else
  echo "Moved ${major} to ${commit} (${tag})."
fi
