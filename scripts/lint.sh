#!/usr/bin/env bash
# make lint: ruff (lint and format check), then pylint-odoo's Odoo checks.
source "$(dirname "$0")/lib.sh"
ensure_odoo
ensure_venv
cd "$ROOT"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/pylint" --rcfile=setup.cfg credit_management
