#!/usr/bin/env bash
# Configures a checkout of the Flask app so that it runs as img-mgr deploys it,
# without an edit to the fork. Shared by the bake (install_my_app.sh) and the
# local preview (img-mgr-pipeline), so both run the same app.
#
# Usage: configure_app.sh APP_DIR
#
# - Upstream's app.py hard-codes its S3 bucket (BUCKET = "lats-image-data"), a
#   bucket that belongs to someone else. When that constant is there, it is
#   replaced, once, by a read of IMG_MGR_BUCKET from the environment (the
#   instance gets it from /etc/img-mgr/app.env). An app that already reads its
#   bucket some other way is left alone.
# - Upstream saves uploads to uploads/ before sending them to S3, but the
#   repository has no such folder: it is created.
# - The revision file static/img-mgr.json says which app revision answers:
#   {"appRevision": ..., "fingerprint": ...}. Flask serves static/ itself, so
#   an instance and the local preview answer /static/img-mgr.json alike, and
#   the smoke test reads it through the front door. The revision is
#   IMG_MGR_APP_REVISION, else the checkout's commit; the fingerprint is
#   IMG_MGR_FINGERPRINT (the bake's; left out when empty). An instance adds
#   its AMI id at boot (img-mgr.yaml's user data). static/ is created when the
#   app has none (upstream has none).
set -euo pipefail

log() { printf 'configure_app: %s\n' "$*" >&2; }

app_dir="${1:?usage: configure_app.sh APP_DIR}"
[[ -d "$app_dir" ]] || { log "error: $app_dir is not a directory"; exit 1; }
app_py="$app_dir/app.py"

hard_coded='^BUCKET[[:space:]]*=[[:space:]]*["'"'"'][^"'"'"']*["'"'"'][[:space:]]*$'
if [[ -f "$app_py" ]] && grep -Eq "$hard_coded" "$app_py"; then
  constant="$(grep -Em1 "$hard_coded" "$app_py")"
  sed -E -i "s/$hard_coded/BUCKET = os.environ[\"IMG_MGR_BUCKET\"]/" "$app_py"
  grep -Eq '^import os([[:space:]]|$)' "$app_py" || sed -i '1i import os' "$app_py"
  log "app.py: '$constant' replaced by BUCKET = os.environ[\"IMG_MGR_BUCKET\"]"
else
  log "app.py has no hard-coded BUCKET constant; left as it is"
fi

mkdir -p "$app_dir/uploads"
log "uploads/ is ready"

revision="${IMG_MGR_APP_REVISION:-}"
if [[ -z "$revision" ]]; then
  revision="$(git -C "$app_dir" rev-parse --quiet --verify 'HEAD^{commit}' 2>/dev/null || true)"
fi
[[ -n "$revision" ]] || {
  log "error: no app revision for static/img-mgr.json: set IMG_MGR_APP_REVISION, or run on a git checkout"
  exit 1
}
# Printable ASCII without blanks only (what the smoke test's parser accepts):
# then a backslash and a double quote are all that JSON needs escaped.
json_string() {
  local name="$1" value="$2" LC_ALL=C
  if [[ ! "$value" =~ ^[!-~]{1,200}$ ]]; then
    log "error: $name is not 1 to 200 printable characters without blanks"
    exit 1
  fi
  value="${value//\\/\\\\}"
  printf '"%s"' "${value//\"/\\\"}"
}
fields="\"appRevision\": $(json_string IMG_MGR_APP_REVISION "$revision")"
if [[ -n "${IMG_MGR_FINGERPRINT:-}" ]]; then
  fields+=", \"fingerprint\": $(json_string IMG_MGR_FINGERPRINT "$IMG_MGR_FINGERPRINT")"
fi
mkdir -p "$app_dir/static"
printf '{%s}\n' "$fields" >"$app_dir/static/img-mgr.json.tmp"
mv -f "$app_dir/static/img-mgr.json.tmp" "$app_dir/static/img-mgr.json"
log "static/img-mgr.json: app revision $revision${IMG_MGR_FINGERPRINT:+, fingerprint $IMG_MGR_FINGERPRINT}"
