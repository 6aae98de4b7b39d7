#!/usr/bin/env bash
# Proves, before an instance reports itself healthy, that img-mgr's one feature
# works: the page answers AND the instance can write to the bucket the app is
# configured to use. Upstream's GET / answers 200 even when every upload would
# fail (it swallows listing errors), so the page alone proves nothing.
#
# Baked into the image as /opt/img-mgr/bin/health-check.sh by install_my_app.sh;
# the launch template's user data runs it (as root, with the instance role)
# and passes its exit status to cfn-signal. Exit 0 = healthy, 1 = not.
#
# 1. Loads the service's environment (IMG_MGR_ENV_FILE, default /etc/img-mgr/app.env).
# 2. Polls IMG_MGR_HEALTH_URL (default http://127.0.0.1/, nginx -> gunicorn)
#    until it answers 2xx, at most IMG_MGR_HEALTH_ATTEMPTS times (60), about
#    IMG_MGR_HEALTH_INTERVAL seconds apart (5, plus jitter).
# 3. Loads the app module (IMG_MGR_WSGI_APP's module, default app) from
#    IMG_MGR_APP_DIR with IMG_MGR_PYTHON (the app's virtualenv) and reads its
#    BUCKET (IMG_MGR_BUCKET when the app has none), then writes and deletes a
#    probe object under img-mgr-health/ there, with the same boto3, config
#    and credentials the app uses. Up to IMG_MGR_PROBE_ATTEMPTS tries (3).
set -euo pipefail

prefix="${IMG_MGR_PREFIX:-/opt/img-mgr}"
env_file="${IMG_MGR_ENV_FILE:-/etc/img-mgr/app.env}"

log() { printf 'health-check: %s\n' "$*" >&2; }

if [[ -f "$env_file" ]]; then
  set -a
  # shellcheck disable=SC1090 # written by user data at boot
  . "$env_file"
  set +a
else
  log "no $env_file; using the current environment"
fi

url="${IMG_MGR_HEALTH_URL:-http://127.0.0.1/}"
attempts="${IMG_MGR_HEALTH_ATTEMPTS:-60}"
interval="${IMG_MGR_HEALTH_INTERVAL:-5}"
probe_attempts="${IMG_MGR_PROBE_ATTEMPTS:-3}"
app_dir="${IMG_MGR_APP_DIR:-$prefix/app}"
python="${IMG_MGR_PYTHON:-$prefix/venv/bin/python}"
wsgi_app="${IMG_MGR_WSGI_APP:-app:app}"

# Sleeps about $interval seconds, with up to 2 s of jitter.
pause() { sleep "$((interval + RANDOM % 3))"; }

page_answers() {
  local attempt
  for ((attempt = 1; attempt <= attempts; attempt++)); do
    if curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null; then
      log "$url answers (attempt $attempt)"
      return 0
    fi
    ((attempt == attempts)) || pause
  done
  log "error: $url did not answer 2xx after $attempts attempts"
  return 1
}

# Writes and deletes one object in the app's bucket; prints one line either way.
probe_bucket() {
  PYTHONDONTWRITEBYTECODE=1 "$python" - "$app_dir" "${wsgi_app%%:*}" <<'PY'
import importlib, os, socket, sys, time

app_dir, module_name = sys.argv[1], sys.argv[2]
sys.path.insert(0, app_dir)
os.chdir(app_dir)
try:
    module = importlib.import_module(module_name)
except Exception as error:  # the app would not start either
    print(f"health-check: error: cannot load the app ({module_name} in {app_dir}): {type(error).__name__}: {error}")
    sys.exit(1)
bucket = getattr(module, "BUCKET", None) or os.environ.get("IMG_MGR_BUCKET")
if not bucket:
    print("health-check: error: the app names no bucket (no BUCKET in the app, no IMG_MGR_BUCKET)")
    sys.exit(1)

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

client = boto3.client("s3", config=Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2}))
key = f"img-mgr-health/{socket.gethostname()}-{int(time.time())}"
try:
    put = client.put_object(Bucket=bucket, Key=key, Body=b"img-mgr health probe\n")
    version = put.get("VersionId")
    if version:  # a versioned bucket keeps nothing of the probe
        client.delete_object(Bucket=bucket, Key=key, VersionId=version)
    else:
        client.delete_object(Bucket=bucket, Key=key)
except ClientError as error:
    code = error.response.get("Error", {}).get("Code", "error")
    print(f"health-check: error: cannot write to the app's bucket {bucket}: {code}")
    sys.exit(1)
except BotoCoreError as error:
    print(f"health-check: error: cannot write to the app's bucket {bucket}: {error}")
    sys.exit(1)
print(f"health-check: wrote and deleted s3://{bucket}/{key}")
PY
}

bucket_writable() {
  local attempt
  for ((attempt = 1; attempt <= probe_attempts; attempt++)); do
    if probe_bucket >&2; then return 0; fi
    if ((attempt < probe_attempts)); then
      log "probe attempt $attempt of $probe_attempts failed; retrying"
      pause
    fi
  done
  return 1
}

page_answers || exit 1
bucket_writable || exit 1
log "healthy"
