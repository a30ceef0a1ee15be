#!/usr/bin/env bash
# make test: set up, rerun the date-sensitive tests on the calendar's traps, then run the whole suite on
# the real today, each on a fresh copy of the installed database.
source "$(dirname "$0")/lib.sh"
setup_all
ensure_debian_packages chromium
ensure_installed
DB=${TEST_DB:-credit_test}
# Tests that need their own server or an uninstall copy $INSTALLED rather than install again.
export CREDIT_TEMPLATE_DB=$TEMPLATE CREDIT_INSTALLED_DB=$INSTALLED CREDIT_ODOO_CONF=$CONF \
  CREDIT_ODOO_BIN=$ODOO_SRC/odoo-bin CREDIT_PY=$PY
cd "$ROOT"
# The addon's tests, and the repository's own: the Odoo-free core (tests/unit), the out-of-process ones
# (their own servers, killed processes, an uninstall) and those on seeded ledgers or simulated bureaus.
SUITE=(credit_management/tests tests)
# Out-of-process tests: their servers run on the real clock, which a frozen one cannot reach.
NOT_ON_TRAPS=(test_sale_credit_concurrency test_scorecard_activation_race test_credit_bureau_rpc test_credit_collections_rpc test_sale_credit_tour test_install test_setup_errors)

run_suite() {  # database, then pytest's arguments
  local db=$1; shift
  clone_db "$INSTALLED" "$db"
  "$PY" -m pytest "${SUITE[@]}" --odoo-database="$db" --odoo-config="$CONF" --odoo-http "$@"
}

# One trap: the date-sensitive tests with the clock frozen there; prints one line.
run_trap() {  # instant, time zone, what it traps
  local now=$1 tz=$2 what=$3 db log ignore=()
  db=${DB}_trap_$(echo "$now" | tr -dc '0-9')
  log=$STATE/trap-$now.log
  for module in "${NOT_ON_TRAPS[@]}"; do
    for folder in "${SUITE[@]}"; do ignore+=(--ignore "$folder/$module.py"); done
  done
  if CREDIT_TEST_NOW=$now CREDIT_TEST_TZ=$([ "$tz" = UTC ] || echo "$tz") \
    run_suite "$db" -q -p no:warnings "${ignore[@]}" >"$log" 2>&1; then
    echo "    $now $tz ($what): $(tail -n1 "$log" | tr -d '=' | sed 's/^ *//')"
    drop_db "$db"
  else
    echo "    FAILED at $now $tz ($what): the suite depends on the calendar: $(tail -n1 "$log" | tr -d '=' | sed 's/^ *//') (log: $log)"
    grep -E '^(FAILED|ERROR) ' "$log" | sed 's/^/      /'
    return 1
  fi
}

if [ "${CREDIT_TRAPS:-1}" = 1 ] && [ $# = 0 ]; then
  say "the date-sensitive tests with the clock frozen on the calendar's traps (scripts/trap_dates.txt), two at a time"
  traps_failed=0 n=0 running=()
  while read -r now tz what; do
    case "$now" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    run_trap "$now" "$tz" "$what" >"$STATE/trap-$n.out" &
    running+=($!)
    if [ ${#running[@]} -ge 2 ]; then
      wait "${running[0]}" || traps_failed=1
      running=("${running[@]:1}")
    fi
  done <"$ROOT/scripts/trap_dates.txt"
  for pid in "${running[@]}"; do wait "$pid" || traps_failed=1; done
  for i in $(seq "$n"); do cat "$STATE/trap-$i.out"; done
fi

say "running the suite on today's date ($(date -u +%F), clock not frozen)"
status=0
run_suite "$DB" "$@" || status=$?
if [ "${traps_failed:-0}" = 1 ]; then
  echo "error: the suite passes today but not on every trap date above: a test depends on the calendar" >&2
  [ "$status" = 0 ] && status=1
fi
exit "$status"
