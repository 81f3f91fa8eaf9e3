#!/bin/bash
# reclaim_vs_munmap.sh - the series' headline on a kernel without it, and
# what forced reclaim costs next to the kernel's own way of freeing the same
# tables.  Each run builds a 50 GiB headline process (25,600 empty PTE
# tables, given back in two 1 MiB MADV_DONTNEEDs per 2 MiB, which
# PT_RECLAIM leaves too), reclaims it (timing the write to `reclaim`),
# then builds another and munmaps its region (timed inside ptestress).
# Runs interleave.  Prints the `headline` and `headline_split` lines too.
# Runs in the guest (scripts/bench).  Env: PTE_REF_KO, PTE_REF_BENCH_RUNS
# (7), PTE_REF_BENCH_SIZE (50G).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/guest/lib.sh
. "$here/../guest/lib.sh"
runs=${PTE_REF_BENCH_RUNS:-7}
size=${PTE_REF_BENCH_SIZE:-50G}


load_module
# The series' headline: one MADV_DONTNEED per aligned 2 MiB.  On 6.14+
# PT_RECLAIM frees those tables itself, so what is timed below is the
# pattern it misses: two 1 MiB MADV_DONTNEEDs per 2 MiB (--split), the
# same 25,600 empty tables on every kernel.
start_bg ho hpid "$PTESTRESS" headline --size "$size" --stride 2M --wait
before=$(vmpte "$hpid")
"$WR" "$D/reclaim" "$hpid" >/dev/null
after=$(vmpte "$hpid")
stop_bg "$hpid"
grep -E '^(headline|after) ' "$ho"
echo "headline kernel=$(uname -r) vmpte_before_kb=$before vmpte_after_kb=$after"
: >/tmp/reclaim.ns
: >/tmp/munmap.ns
for i in $(seq "$runs"); do
	start_bg ho hpid "$PTESTRESS" headline --size "$size" --stride 2M --split --wait
	before=$(vmpte "$hpid")
	r=$("$WR" -t "$D/reclaim" "$hpid")
	after=$(vmpte "$hpid")
	stop_bg "$hpid"
	[ "${r%% *}" = OK ] || { echo "reclaim failed: $r"; exit 1; }
	echo "${r##*ns=}" >>/tmp/reclaim.ns
	if [ "$i" = 1 ]; then
		grep -E '^(headline|after) ' "$ho"
		echo "# reclaim: $(grep -E '^(scanned|freed|skipped_not_empty) ' "$D/reclaim" | tr '\n' ' ')"
		echo "headline_split kernel=$(uname -r) vmpte_before_kb=$before vmpte_after_kb=$after"
	fi
	m=$("$PTESTRESS" headline --size "$size" --stride 2M --split --munmap | grep '^munmap ')
	echo "$m" | kvl ns >>/tmp/munmap.ns
done
r=$(median </tmp/reclaim.ns)
m=$(median </tmp/munmap.ns)
echo "# reclaim ns: $(tr '\n' ' ' </tmp/reclaim.ns)"
echo "# munmap ns: $(tr '\n' ' ' </tmp/munmap.ns)"
echo "# median reclaim ${r} ns, median munmap ${m} ns"
rmmod pte_ref
echo "bench reclaim_vs_munmap kernel=$(uname -r) ratio=$(awk -v r="$r" -v m="$m" 'BEGIN { printf "%.3f", r / m }') runs=$runs"
