#!/usr/bin/env bash
# make screenshots: the demo data on its own database (credit_screens), then a headless Chromium walk of
# each role's main screens in English and Chinese, written to .odoo/screenshots/<lang>/.
source "$(dirname "$0")/lib.sh"
ensure_debian_packages chromium poppler-utils
DEMO_DB=credit_screens NO_SERVE=1 "$ROOT/scripts/demo.sh"
export ODOO_SRC
say "walking the screens (headless Chromium, 1366x768, en_US then zh_CN)"
"$PY" "$ROOT/scripts/screenshots.py" -c "$CONF" -d credit_screens --out "$STATE/screenshots"
say "screenshots in $STATE/screenshots"
