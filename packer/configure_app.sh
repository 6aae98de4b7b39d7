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
