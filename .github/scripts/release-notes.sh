#!/usr/bin/env bash
# Prints the release notes of a version: its section of CHANGELOG.md as the
# commit to be released holds it (Keep a Changelog: `## [X.Y.Z] - date` up
# to the next `## ` heading). Fails, in one line, when that commit has no
# such section or the section says nothing, so no version is released
# without its notes. The release workflow checks it before building, and
# release-tags.sh puts the notes into the annotated tag.
#
#   release-notes.sh VERSION COMMIT
set -euo pipefail

die() { echo "::error::$*"; exit 1; }

[[ $# -eq 2 ]] || die "usage: release-notes.sh VERSION COMMIT"
version="$1" commit="$2"
changelog="$(git show "${commit}:CHANGELOG.md" 2>/dev/null)" || die "Commit ${commit} has no CHANGELOG.md."
notes="$(awk -v heading="## [${version}]" '
  index($0, heading) == 1 { found = 1; next }
  found && /^## / { exit }
  found { print }
' <<<"$changelog")"
# Leading and trailing blank lines are not notes.
notes="$(sed -e '/./,$!d' <<<"$notes" | sed -e ':end' -e '/^\n*$/{$d;N;b end' -e '}')"
[[ -n "$notes" ]] ||
  die "CHANGELOG.md at ${commit} has no notes under '## [${version}]'; move the Unreleased notes into that section first."
printf '%s\n' "$notes"
