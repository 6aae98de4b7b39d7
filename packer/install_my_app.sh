#!/usr/bin/env bash
# Bakes the img-mgr Flask app into an image (run by Packer's shell provisioner
# as root on Amazon Linux 2023, as a `script`, so its exit status is the
# provisioner's: any failing step fails the bake). Everything is installed
# here, at bake time: the instance installs nothing at boot. Runtime
# configuration (S3 bucket, environment, region, AWS config file) comes from
# /etc/img-mgr/app.env, which the launch template's user data writes.
#
# The fork is not edited by hand: configure_app.sh, run once here (logged),
# makes a checkout that hard-codes upstream's bucket read IMG_MGR_BUCKET
# instead, and creates uploads/. No other change is made to the app's code.
#
# Usage: FLASK_REPO=https://github.com/you/flask-aws-storage.git FLASK_REF=master \
#          install_my_app.sh [--root DIR] [--skip-packages] [--skip-services]
#
#   FLASK_REF        branch, tag or commit; empty = the repository's default branch
#   --root DIR       install under DIR instead of / (tests; IMG_MGR_ROOT)
#   --skip-packages  do not install OS packages with dnf (IMG_MGR_SKIP_PACKAGES=1)
#   --skip-services  no service user, chown, systemctl or nginx -t (IMG_MGR_SKIP_SERVICES=1)
#
# Other settings (environment): IMG_MGR_FINGERPRINT (the bake's fingerprint, for
# the revision file static/img-mgr.json), IMG_MGR_PYTHON (python3), IMG_MGR_GUNICORN
# (pip spec of gunicorn), IMG_MGR_FALLBACK_REQUIREMENTS (used when the repo has
# no requirements.txt), IMG_MGR_USER (imgmgr), IMG_MGR_CONFIGURE_APP and
# IMG_MGR_HEALTH_CHECK (configure_app.sh and health-check.sh; default: next to
# this script; Packer uploads them to /tmp).
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
      sed -n '2,30p' "$0"
      exit 0
      ;;
    *) die "unknown argument: $1" ;;
  esac
done

: "${FLASK_REPO:?FLASK_REPO must be the git URL of the Flask app}"
flask_ref="${FLASK_REF:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
configure_script="${IMG_MGR_CONFIGURE_APP:-$here/configure_app.sh}"
health_check_script="${IMG_MGR_HEALTH_CHECK:-$here/health-check.sh}"
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
# An empty FLASK_REF takes the repository's default branch (what git clone
# checks out); no branch name is guessed.
checkout_app() {
  log "cloning $FLASK_REPO at ${flask_ref:-its default branch}"
  rm -rf "$app_dir"
  mkdir -p "$prefix"
  git clone --quiet "$FLASK_REPO" "$app_dir"
  local commit
  if [[ -z "$flask_ref" ]]; then
    commit="$(git -C "$app_dir" rev-parse --verify "HEAD^{commit}")"
  elif commit="$(git -C "$app_dir" rev-parse --quiet --verify "origin/$flask_ref^{commit}")"; then
    :
  elif commit="$(git -C "$app_dir" rev-parse --quiet --verify "$flask_ref^{commit}")"; then
    :
  else
    die "FLASK_REF '$flask_ref' is not a branch, tag or commit of $FLASK_REPO"
  fi
  git -C "$app_dir" -c advice.detachedHead=false checkout --quiet --detach "$commit"
  printf '%s\n' "$commit" >"$prefix/REVISION"
  log "app revision $commit"
}

# The one app-configuration step (shared with the local preview), run once.
configure_app() {
  [[ -f "$configure_script" ]] || die "configure_app.sh not found at $configure_script (set IMG_MGR_CONFIGURE_APP)"
  log "configuring the app with $configure_script"
  # The revision file (static/img-mgr.json) names the commit checked out above;
  # IMG_MGR_FINGERPRINT, when Packer passes it, the bake's fingerprint.
  IMG_MGR_APP_REVISION="$(cat "$prefix/REVISION")" bash "$configure_script" "$app_dir"
}

# The instance's health check (user data runs it before cfn-signal).
install_health_check() {
  [[ -f "$health_check_script" ]] || die "health-check.sh not found at $health_check_script (set IMG_MGR_HEALTH_CHECK)"
  mkdir -p "$prefix/bin"
  install -m 0755 "$health_check_script" "$prefix/bin/health-check.sh"
  log "installed $prefix/bin/health-check.sh"
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
# The app reads its bucket from IMG_MGR_BUCKET (configure_app.sh made it so).
# AWS_CONFIG_FILE names a config that makes boto3 presign S3 URLs with SigV4.
IMG_MGR_BUCKET=my-img-mgr-bucket
IMG_MGR_ENVIRONMENT=dev
AWS_DEFAULT_REGION=us-west-2
AWS_CONFIG_FILE=/etc/img-mgr/aws-config
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

# nginx on :80 proxies to gunicorn on 127.0.0.1:5000. It is the default
# server, so a request for any host name (the load balancer's health check,
# by IP) reaches the app and never the stock welcome page.
write_nginx_config() {
  mkdir -p "$root/etc/nginx/conf.d"
  cat >"$root/etc/nginx/conf.d/img-mgr.conf" <<'EOF'
server {
    listen 80 default_server;
    listen [::]:80 default_server;
    client_max_body_size 20m;

    location / {
        proxy_pass http://127.0.0.1:5000;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }

    # The revision file says which revision answers: a cache in front of the
    # site (a CDN) must never keep it, or the smoke test reads the old one.
    location = /static/img-mgr.json {
        proxy_pass http://127.0.0.1:5000;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_hide_header Cache-Control;
        proxy_hide_header Expires;
        add_header Cache-Control "no-store" always;
    }
}
EOF
}

# Only one server may be the default for :80: when the stock nginx.conf
# claims it too, its claim is dropped (logged) so that nginx -t passes.
release_stock_default_server() {
  local conf="$root/etc/nginx/nginx.conf"
  if [[ ! -f "$conf" ]] || ! grep -Eq '^[[:space:]]*listen[[:space:]].*default_server' "$conf"; then
    return 0
  fi
  sed -E -i '/^[[:space:]]*listen[[:space:]]/ s/[[:space:]]+default_server//' "$conf"
  log "nginx.conf: default_server removed from the stock server block; img-mgr.conf is the default server"
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
  release_stock_default_server
  # A configuration nginx rejects fails the bake here, not at the first boot.
  log "checking the nginx configuration (nginx -t)"
  nginx -t
  systemctl daemon-reload
  systemctl enable nginx.service img-mgr.service
}

main() {
  [[ "$skip_packages" == 1 ]] || install_packages
  checkout_app
  configure_app
  install_python_deps
  write_run_script
  install_health_check
  write_env_example
  write_systemd_unit
  write_nginx_config
  [[ "$skip_services" == 1 ]] || enable_services
  log "installed img-mgr $(cat "$prefix/REVISION") under ${root:-/}"
}

main
