#!/bin/bash
# census_vs_smaps.sh - one census of a 50 GiB headline process against
# `cat /proc/PID/smaps_rollup` of the same process, interleaved.  The
# process gives its memory back in two 1 MiB halves per 2 MiB (--split), so
# its 25,600 empty tables stay even where PT_RECLAIM runs (6.14+).
# Runs in the guest (scripts/bench).  Env: PTE_REF_KO, PTE_REF_BENCH_RUNS (7),
# PTE_REF_BENCH_SIZE (50G).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/guest/lib.sh
. "$here/../guest/lib.sh"
TIMEREAD=$TOP/tests/helpers/timeread
runs=${PTE_REF_BENCH_RUNS:-7}


load_module
start_bg ho hpid "$PTESTRESS" headline --size "${PTE_REF_BENCH_SIZE:-50G}" --stride 2M --split --wait
cat "$ho"
"$WR" "$D/target" "$hpid" >/dev/null
echo "# census: $(grep -E '^(pte_tables|empty_tables) ' "$D/census" | tr '\n' ' ')"

: >/tmp/census.ns
: >/tmp/smaps.ns
for i in $(seq "$runs"); do
	"$TIMEREAD" "$D/census" >>/tmp/census.ns
	"$TIMEREAD" "/proc/$hpid/smaps_rollup" >>/tmp/smaps.ns
done
c=$(median </tmp/census.ns)
s=$(median </tmp/smaps.ns)
echo "# census ns: $(tr '\n' ' ' </tmp/census.ns)"
echo "# smaps_rollup ns: $(tr '\n' ' ' </tmp/smaps.ns)"
echo "# median census ${c} ns, median smaps_rollup ${s} ns"
stop_bg "$hpid"
rmmod pte_ref
echo "bench census_vs_smaps_rollup kernel=$(uname -r) ratio=$(awk -v c="$c" -v s="$s" 'BEGIN { printf "%.3f", c / s }') runs=$runs"
