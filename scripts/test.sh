#!/usr/bin/env bash
# make test: set up, then run the whole suite on a fresh copy of the template.
source "$(dirname "$0")/lib.sh"
setup_all
ensure_debian_packages chromium
ensure_installed
DB=${TEST_DB:-credit_test}
say "fresh test database $DB from $INSTALLED"
clone_db "$INSTALLED" "$DB"
# Tests that need their own server or an uninstall copy $INSTALLED rather than install again.
export CREDIT_TEMPLATE_DB=$TEMPLATE CREDIT_INSTALLED_DB=$INSTALLED CREDIT_ODOO_CONF=$CONF \
  CREDIT_ODOO_BIN=$ODOO_SRC/odoo-bin CREDIT_PY=$PY
cd "$ROOT"
say "running the suite"
exec "$PY" -m pytest credit_management/tests \
  --odoo-database="$DB" --odoo-config="$CONF" --odoo-http "$@"
