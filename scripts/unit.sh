#!/usr/bin/env bash
# make unit: the Odoo-free core's tests (tests/unit), without Odoo's registry or a database.
source "$(dirname "$0")/lib.sh"
ensure_odoo
ensure_venv
cd "$ROOT"
"$PY" -m pytest tests/unit -p no:odoo -q -p no:warnings "$@"
