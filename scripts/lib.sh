# Shared helpers for the project's make targets. Source it; do not run it.
# Every failure is one line on stderr that says what to do.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo-18.0}
VENV=$ROOT/.venv
PY=$VENV/bin/python
STATE=$ROOT/.odoo          # generated config, logs and filestore; never committed
CONF=$STATE/odoo.conf
ODOO_BRANCH=18.0
ODOO_GIT=${ODOO_GIT:-https://github.com/odoo/odoo.git}
TEMPLATE_MODULES=sale_management,account,payment_demo

die() { echo "error: $*" >&2; exit 1; }
say() { echo "==> $*"; }

pg_target() {
  echo "host=${PGHOST:-/var/run/postgresql (unix socket)} port=${PGPORT:-5432} user=${PGUSER:-$(id -un)}"
}

ensure_odoo() {
  if [ -f "$ODOO_SRC/odoo/release.py" ]; then
    grep -q "^version_info = (18, 0" "$ODOO_SRC/odoo/release.py" ||
      die "$ODOO_SRC holds an Odoo that is not 18.0; point ODOO_SRC at an Odoo 18.0 source tree"
    return
  fi
  if [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ]; then
    die "$ODOO_SRC exists but holds no Odoo source (no odoo/release.py); empty it or set ODOO_SRC to an Odoo 18.0 tree"
  fi
  if timeout 20 git ls-remote --exit-code --heads "$ODOO_GIT" "$ODOO_BRANCH" >/dev/null 2>&1; then
    say "cloning Odoo $ODOO_BRANCH into $ODOO_SRC (shallow)"
    mkdir -p "$(dirname "$ODOO_SRC")"
    git clone -q --depth 1 --branch "$ODOO_BRANCH" "$ODOO_GIT" "$ODOO_SRC" ||
      die "cloning $ODOO_GIT into $ODOO_SRC failed; put an Odoo 18.0 source tree there or set ODOO_SRC"
  else
    die "no Odoo 18 source at $ODOO_SRC and $ODOO_GIT is unreachable: put an Odoo 18.0 source tree (the folder holding odoo-bin) at $ODOO_SRC, or set ODOO_SRC=/path/to/odoo-18.0"
  fi
}

odoo_addons_path() {
  local p="$ODOO_SRC/odoo/addons"
  [ -d "$ODOO_SRC/addons" ] && p="$ODOO_SRC/addons,$p"
  echo "$p,$ROOT"
}

VENV_RECIPE=1  # bump when ensure_venv changes how the venv is built

venv_key() {
  cat "$ODOO_SRC/requirements.txt" "$ROOT/requirements.txt" | sha1sum | cut -c1-12
  python3 --version
  echo "$VENV_RECIPE"
}

ensure_venv() {
  local key; key=$(venv_key)
  if [ -f "$VENV/.ready" ] && [ "$(cat "$VENV/.ready")" = "$key" ]; then
    return
  fi
  say "building $VENV (Odoo requirements from $ODOO_SRC and the project's)"
  python3 -m venv "$VENV" || die "python3 -m venv failed; install python3-venv (Python 3.11)"
  local log=$STATE/pip.log
  mkdir -p "$STATE"
  {
    "$PY" -m pip install -q "setuptools<70" "setuptools_scm<8" wheel Cython &&
    # python-ldap needs system headers and only auth_ldap uses it
    grep -v '^python-ldap' "$ODOO_SRC/requirements.txt" >"$STATE/odoo-requirements.txt" &&
    "$PY" -m pip install -q --no-build-isolation -r "$STATE/odoo-requirements.txt" &&
    "$PY" -m pip install -q -r "$ROOT/requirements.txt"
  } >"$log" 2>&1 || die "pip install failed: $(grep -m1 -E '^(ERROR|error)' "$log" || tail -n1 "$log") (full log: $log)"
  # Odoo is used from its source tree, not installed: a .pth makes `import odoo` work.
  "$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' |
    xargs -I{} sh -c "echo '$ODOO_SRC' > '{}/odoo_src.pth'"
  echo "$key" >"$VENV/.ready"
}

pg_is_local() {
  case "${PGHOST:-}" in ""|/*|localhost|127.0.0.1|::1) return 0 ;; *) return 1 ;; esac
}

ensure_pg() {
  pg_isready -q -t 3 && return
  if pg_is_local && command -v pg_lsclusters >/dev/null; then
    say "PostgreSQL is down; starting the local cluster"
    pg_lsclusters -h | while read -r ver name port status _; do
      [ "$status" = online ] || pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >/dev/null 2>&1 || true
    done
    for _ in $(seq 20); do pg_isready -q -t 1 && return; sleep 0.5; done
  fi
  die "PostgreSQL does not answer at $(pg_target); start it, or set PGHOST, PGPORT and PGUSER to a server that does"
}

write_conf() {
  mkdir -p "$STATE/data"
  cat >"$CONF" <<CONF
[options]
addons_path = $(odoo_addons_path)
data_dir = $STATE/data
admin_passwd = admin
db_host = ${PGHOST:-False}
db_port = ${PGPORT:-False}
db_user = ${PGUSER:-False}
db_password = ${PGPASSWORD:-False}
http_port = ${HTTP_PORT:-8069}
list_db = True
without_demo = all
CONF
}

# Odoo warns on every start when run as root, as in this machine's containers.
quiet_root() { grep -v "^Running as user 'root' is a security risk.$" || true; }

export PGOPTIONS="${PGOPTIONS:---client-min-messages=warning}"

psql_q() { psql -X -q -d postgres -tAc "$1"; }
db_exists() { [ "$(psql_q "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

drop_db() {
  psql_q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$1' AND pid <> pg_backend_pid()" >/dev/null
  dropdb --if-exists "$1"
  rm -rf "$STATE/data/filestore/$1"
}

# Runs odoo-bin with the project config; on failure prints Odoo's first error line, not the whole log.
odoo_run() {
  local log=$1; shift
  : >"$log"  # Odoo appends to its logfile; an old error must not be reported again
  if ! "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" --log-level=warn --logfile="$log" "$@" 2> >(quiet_root >&2); then
    die "Odoo failed: $(first_odoo_error "$log") (full log: $log)"
  fi
  if grep -qE ' (ERROR|CRITICAL) ' "$log"; then
    die "Odoo reported: $(first_odoo_error "$log") (full log: $log)"
  fi
}

first_odoo_error() {
  local line
  line=$(grep -m1 -E ' (ERROR|CRITICAL) ' "$1" | sed -E 's/^[0-9-]+ [0-9:,]+ [0-9]+ //') || true
  # The useful part of a traceback is usually its last line.
  local exc; exc=$(grep -m1 -E '^[A-Za-z_.]+(Error|Exception|Warning): ' "$1" || true)
  # A ParseError names the file on its first line and the reason below it (after the offending XML).
  local reason; reason=$(awk '
    !found && /^[A-Za-z_.]*ParseError: / { found = 1; next }
    found && (/^[0-9]{4}-[0-9]{2}-[0-9]{2} / || /^View error context:/) { exit }
    found && NF && !/^[<[:space:]]/ && !/^Error while validating view near:/ { print; exit }
  ' "$1")
  echo "${line:-$(tail -n1 "$1")}${exc:+ — $exc}${reason:+: $reason}"
}

template_name() {
  local key
  key=$( (sed -n 's/^version_info = //p' "$ODOO_SRC/odoo/release.py"; cat "$ODOO_SRC/odoo/release.py" "$ODOO_SRC/odoo/addons/base/__manifest__.py" 2>/dev/null | sha1sum; echo "$TEMPLATE_MODULES") | sha1sum | cut -c1-10)
  echo "credit_tpl_$key"
}

ensure_template() {
  TEMPLATE=$(template_name)
  db_exists "$TEMPLATE" && return
  say "building template database $TEMPLATE ($TEMPLATE_MODULES, no demo data; a few minutes, once)"
  local tmp=${TEMPLATE}_building
  drop_db "$tmp"
  createdb "$tmp" || die "createdb $tmp failed at $(pg_target)"
  odoo_run "$STATE/template.log" -d "$tmp" -i "$TEMPLATE_MODULES" --stop-after-init
  psql_q "ALTER DATABASE \"$tmp\" RENAME TO \"$TEMPLATE\"" || die "could not rename $tmp to $TEMPLATE"
  mv "$STATE/data/filestore/$tmp" "$STATE/data/filestore/$TEMPLATE" 2>/dev/null || true
}

# A fresh database copied from the template, with its filestore (assets live there).
clone_template() { clone_db "$TEMPLATE" "$1"; }

clone_db() {
  local source=$1 db=$2
  drop_db "$db"
  createdb -T "$source" "$db" || die "createdb -T $source $db failed at $(pg_target)"
  if [ -d "$STATE/data/filestore/$source" ]; then
    # copy the contents (the template's folder may be a symlink shared by worktrees)
    mkdir -p "$STATE/data/filestore/$db"
    cp -a "$STATE/data/filestore/$source/." "$STATE/data/filestore/$db/"
  fi
}

# What installing the addon depends on: the template and the addon's files, its tests aside.
installed_name() {
  local key
  key=$( (echo "$TEMPLATE"; cd "$ROOT" && find credit_management -path credit_management/tests -prune -o \
    -type f ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 sha1sum) | sha1sum | cut -c1-10)
  echo "credit_inst_$key"
}

# The template with the addon installed, cached under a name that changes with the addon's files:
# sets INSTALLED. A run whose addon did not change copies it instead of installing again.
ensure_installed() {
  INSTALLED=$(installed_name)
  db_exists "$INSTALLED" && return
  say "installing credit_management on a copy of $TEMPLATE (kept as $INSTALLED until the addon changes)"
  local tmp=${INSTALLED}_building old
  clone_template "$tmp"
  odoo_run "$STATE/install.log" -d "$tmp" -i credit_management --stop-after-init
  for old in $(psql_q "SELECT datname FROM pg_database WHERE datname LIKE 'credit\_inst\_%' AND datname NOT LIKE '%\_building'"); do
    drop_db "$old"
  done
  psql_q "ALTER DATABASE \"$tmp\" RENAME TO \"$INSTALLED\"" || die "could not rename $tmp to $INSTALLED"
  mv "$STATE/data/filestore/$tmp" "$STATE/data/filestore/$INSTALLED" 2>/dev/null || true
}

# Debian packages the project needs: wkhtmltopdf prints the PDF reports and fonts-wqy-microhei gives them
# Chinese glyphs; chromium runs the browser tour.
ensure_debian_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} = 0 ] && return
  say "installing Debian's ${missing[*]}"
  local log=$STATE/apt.log
  mkdir -p "$STATE"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
    >"$log" 2>&1 || die "could not install ${missing[*]} with apt-get: $(tail -n1 "$log") (full log: $log)"
}

setup_all() {
  ensure_odoo
  ensure_venv
  ensure_pg
  write_conf
  ensure_template
  ensure_debian_packages wkhtmltopdf fonts-wqy-microhei
}
