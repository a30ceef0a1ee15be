#!/usr/bin/env bash
# make demo: set up, (re)create the demo database with generated data, then serve it.
source "$(dirname "$0")/lib.sh"
setup_all
ensure_installed
DB=${DEMO_DB:-credit_demo}
say "recreating $DB from $INSTALLED"
clone_db "$INSTALLED" "$DB"
say "generating the demo dataset"
"$PY" "$ROOT/scripts/demo_data.py" -c "$CONF" -d "$DB" ||
  die "generating the demo dataset failed (see the lines above)"
if [ -n "${NO_SERVE:-}" ]; then
  say "database $DB is ready (NO_SERVE set: not serving)"
  exit 0
fi
say "serving $DB on http://localhost:${HTTP_PORT:-8069} (login admin / admin); Ctrl-C stops"
exec "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DB" --db-filter="^$DB\$" --log-level=warn 2> >(quiet_root >&2)
