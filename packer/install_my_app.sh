#!/usr/bin/env bash
# Bakes the img-mgr Flask app into an image (run by Packer's shell provisioner
# as root on Amazon Linux 2023). Everything is installed here, at bake time:
# the instance installs nothing at boot. Runtime configuration (S3 bucket,
# environment, region) comes from /etc/img-mgr/app.env, which the launch
# template's user data writes; the app's code is never edited.
#
# Usage: FLASK_REPO=https://github.com/you/flask-aws-storage.git FLASK_REF=main \
#          install_my_app.sh [--root DIR] [--skip-packages] [--skip-services]
#
#   --root DIR       install under DIR instead of / (tests; IMG_MGR_ROOT)
#   --skip-packages  do not install OS packages with dnf (IMG_MGR_SKIP_PACKAGES=1)
#   --skip-services  no service user, chown, systemctl or nginx -t (IMG_MGR_SKIP_SERVICES=1)
#
# Other settings (environment): IMG_MGR_PYTHON (python3), IMG_MGR_GUNICORN
# (pip spec of gunicorn), IMG_MGR_FALLBACK_REQUIREMENTS (used when the repo has
# no requirements.txt), IMG_MGR_USER (imgmgr).
set -euo pipefail

root="${IMG_MGR_ROOT:-/}"
skip_packages="${IMG_MGR_SKIP_PACKAGES:-0}"
skip_services="${IMG_MGR_SKIP_SERVICES:-0}"

log() { printf 'install_my_app: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

while (($#)); do
  case "$1" in
    --root)
      [[ $# -ge 2 ]] || die "--root needs a directory"
      root="$2"
      shift 2
      ;;
    --skip-packages)
      skip_packages=1
      shift
      ;;
    --skip-services)
      skip_services=1
      shift
      ;;
    -h | --help)
      sed -n '2,20p' "$0"
      exit 0
      ;;
    *) die "unknown argument: $1" ;;
  esac
done

: "${FLASK_REPO:?FLASK_REPO must be the git URL of the Flask app}"
flask_ref="${FLASK_REF:-main}"
python="${IMG_MGR_PYTHON:-python3}"
gunicorn_spec="${IMG_MGR_GUNICORN:-gunicorn}"
fallback_requirements="${IMG_MGR_FALLBACK_REQUIREMENTS:-flask boto3}"
service_user="${IMG_MGR_USER:-imgmgr}"

root="${root%/}"
prefix="$root/opt/img-mgr"
app_dir="$prefix/app"
venv="$prefix/venv"
etc_dir="$root/etc/img-mgr"
env_file="$etc_dir/app.env"

install_packages() {
  log "installing OS packages"
  dnf install -y --setopt=install_weak_deps=False git python3 python3-pip nginx aws-cfn-bootstrap
  dnf clean all
}

# Clones FLASK_REPO and checks out FLASK_REF (branch, tag or commit), detached.
checkout_app() {
  log "cloning $FLASK_REPO at $flask_ref"
  rm -rf "$app_dir"
  mkdir -p "$prefix"
  git clone --quiet "$FLASK_REPO" "$app_dir"
  local commit
  if commit="$(git -C "$app_dir" rev-parse --quiet --verify "origin/$flask_ref^{commit}")"; then
    :
  elif commit="$(git -C "$app_dir" rev-parse --quiet --verify "$flask_ref^{commit}")"; then
    :
  else
    die "FLASK_REF '$flask_ref' is not a branch, tag or commit of $FLASK_REPO"
  fi
  git -C "$app_dir" -c advice.detachedHead=false checkout --quiet --detach "$commit"
  printf '%s\n' "$commit" >"$prefix/REVISION"
  mkdir -p "$app_dir/uploads"
  log "app revision $commit"
}

# The virtualenv holds the app's requirements and gunicorn: nothing is
# downloaded when an instance boots.
install_python_deps() {
  log "creating virtualenv $venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --no-cache-dir --upgrade pip
  if [[ -f "$app_dir/requirements.txt" ]]; then
    "$venv/bin/pip" install --quiet --no-cache-dir -r "$app_dir/requirements.txt" "$gunicorn_spec"
  else
    log "no requirements.txt in the app; installing: $fallback_requirements"
    # shellcheck disable=SC2086 # a space-separated list of pip specs
    "$venv/bin/pip" install --quiet --no-cache-dir $fallback_requirements "$gunicorn_spec"
  fi
}

write_run_script() {
  mkdir -p "$prefix/bin"
  cat >"$prefix/bin/run.sh" <<EOF
#!/usr/bin/env bash
# Starts img-mgr under gunicorn. Configuration comes from the environment:
# systemd passes /etc/img-mgr/app.env (EnvironmentFile=); other callers may set
# IMG_MGR_ENV_FILE to a file of KEY=value lines to load first.
set -euo pipefail
if [[ -n "\${IMG_MGR_ENV_FILE:-}" ]]; then
  set -a
  # shellcheck disable=SC1090
  . "\$IMG_MGR_ENV_FILE"
  set +a
fi
cd "$app_dir"
exec "$venv/bin/gunicorn" \\
  --bind "\${IMG_MGR_BIND:-127.0.0.1:5000}" \\
  --workers "\${IMG_MGR_WORKERS:-2}" \\
  --access-logfile - \\
  "\${IMG_MGR_WSGI_APP:-app:app}"
EOF
  chmod 0755 "$prefix/bin/run.sh"
}

# An example of what user data writes; the real app.env is not part of the image.
write_env_example() {
  mkdir -p "$etc_dir"
  cat >"$etc_dir/app.env.example" <<'EOF'
# /etc/img-mgr/app.env is written at boot by the launch template's user data.
# The app reads these with os.environ (e.g. BUCKET = os.environ["IMG_MGR_BUCKET"]).
IMG_MGR_BUCKET=my-img-mgr-bucket
IMG_MGR_ENVIRONMENT=dev
AWS_DEFAULT_REGION=us-west-2
EOF
}

write_systemd_unit() {
  mkdir -p "$root/etc/systemd/system"
  cat >"$root/etc/systemd/system/img-mgr.service" <<EOF
[Unit]
Description=img-mgr Flask app (gunicorn)
After=network-online.target
Wants=network-online.target
# User data writes the env file, then restarts this unit.
ConditionPathExists=$env_file

[Service]
Type=simple
User=$service_user
Group=$service_user
WorkingDirectory=$app_dir
EnvironmentFile=$env_file
ExecStart=$prefix/bin/run.sh
Restart=on-failure
RestartSec=2
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=full
ProtectHome=true

[Install]
WantedBy=multi-user.target
EOF
}

# nginx on :80 proxies to gunicorn on 127.0.0.1:5000. conf.d is included
# before nginx.conf's own server block, so this one answers first on :80.
write_nginx_config() {
  mkdir -p "$root/etc/nginx/conf.d"
  cat >"$root/etc/nginx/conf.d/img-mgr.conf" <<'EOF'
server {
    listen 80;
    listen [::]:80;
    client_max_body_size 20m;

    location / {
        proxy_pass http://127.0.0.1:5000;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
}
EOF
}

enable_services() {
  log "creating service user and enabling services"
  if ! id -u "$service_user" >/dev/null 2>&1; then
    useradd --system --home-dir "$prefix" --shell /sbin/nologin "$service_user"
  fi
  chown -R "$service_user:$service_user" "$app_dir/uploads"
  # With SELinux enforcing, nginx may not connect to gunicorn without this.
  if command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled; then
    setsebool -P httpd_can_network_connect 1
  fi
  nginx -t
  systemctl daemon-reload
  systemctl enable nginx.service img-mgr.service
}

main() {
  [[ "$skip_packages" == 1 ]] || install_packages
  checkout_app
  install_python_deps
  write_run_script
  write_env_example
  write_systemd_unit
  write_nginx_config
  [[ "$skip_services" == 1 ]] || enable_services
  log "installed img-mgr $(cat "$prefix/REVISION") under ${root:-/}"
}

main
