#!/usr/bin/env bash
# make bench [BENCH="rescore check aging scorecard"] [BENCH_ARGS=...]: the benchmarks under bench/, each on its
# own database bench_<name>, created and seeded the first time, reused (with the addon upgraded) after.
source "$(dirname "$0")/lib.sh"
setup_all
cd "$ROOT"
for name in ${BENCH:-rescore check aging scorecard}; do
  [ -f "bench/bench_$name.py" ] ||
    die "no benchmark bench/bench_$name.py (choose among: $(ls bench | sed -n 's/^bench_\(.*\)\.py$/\1/p' | xargs))"
  say "bench $name"
  # shellcheck disable=SC2086  # BENCH_ARGS is a list of options
  "$PY" "bench/bench_$name.py" -c "$CONF" -d "bench_$name" ${BENCH_ARGS:-}
done
