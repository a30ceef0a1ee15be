#!/usr/bin/env bash
# make lint: ruff (lint and format check), then pylint-odoo's Odoo checks.
# make format (lint.sh --fix): apply ruff's formatting and safe fixes instead, and write README.rst.
source "$(dirname "$0")/lib.sh"
ensure_odoo
ensure_venv
cd "$ROOT"
# Ruff reads no setup.cfg: hand it the [ruff] section line by line.
ruff_config=()
while IFS= read -r line; do
  ruff_config+=(--config "$line")
done < <(sed -n '/^\[ruff\]/,/^\[/{/^\[/d;/^#/d;/^\s*$/d;p}' setup.cfg)
if [ "${1:-}" = --fix ]; then
  "$VENV/bin/ruff" check "${ruff_config[@]}" --fix --quiet . || true
  "$PY" scripts/gen_readme.py
  exec "$VENV/bin/ruff" format "${ruff_config[@]}" .
fi
status=0
"$VENV/bin/ruff" check "${ruff_config[@]}" . || status=1
"$VENV/bin/ruff" format --check "${ruff_config[@]}" . || status=1
"$VENV/bin/pylint" --rcfile=setup.cfg credit_management || status=1
"$PY" scripts/gen_readme.py --check || status=1
[ "$status" = 0 ] && say "lint: clean"
exit "$status"
