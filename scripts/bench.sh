#!/usr/bin/env bash
# make bench [BENCH="rescore check aging"] [BENCH_ARGS=...]: the benchmarks under bench/.
# Each runs on its own database, bench_<name>, created from the template with the addon the first
# time and upgraded to the current addon every time; the scripts seed it once and reuse the data.
source "$(dirname "$0")/lib.sh"
setup_all
cd "$ROOT"
for name in ${BENCH:-rescore check aging}; do
  [ -f "bench/bench_$name.py" ] ||
    die "no benchmark bench/bench_$name.py (choose among: $(ls bench | sed -n 's/^bench_\(.*\)\.py$/\1/p' | xargs))"
  db=bench_$name
  if db_exists "$db"; then
    odoo_run "$STATE/install-$db.log" -d "$db" -u credit_management --stop-after-init
  else
    say "creating $db"
    clone_template "$db"
    odoo_run "$STATE/install-$db.log" -d "$db" -i credit_management --stop-after-init
  fi
  say "bench $name"
  # shellcheck disable=SC2086  # BENCH_ARGS is a list of options
  "$PY" "bench/bench_$name.py" -c "$CONF" -d "$db" ${BENCH_ARGS:-}
done
