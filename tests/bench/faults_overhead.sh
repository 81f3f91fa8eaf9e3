#!/bin/bash
# faults_overhead.sh - what pte_ref costs on the page-fault path.
# `ptestress faults` (the series' multi-fault test: each thread faults in
# its own region and MADV_DONTNEEDs it, in a loop) with the module not
# loaded, loaded and idle, and loaded with counting on (its kprobes and
# tlb_flush probe attached).  The three states are interleaved, their order
# rotated each run; the ratios are of medians, to not loaded.
# TCG makes single measurements noisy (about 10 % between runs): many
# short ones, medians, and an A/A line (the not-loaded runs, odd against
# even) that shows how small a difference this boot can resolve.
# Runs in the guest (scripts/bench).  Env: PTE_REF_KO, PTE_REF_FAULTS_RUNS
# (15), PTE_REF_FAULTS_SECONDS (2 per measurement).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/guest/lib.sh
. "$here/../guest/lib.sh"
runs=${PTE_REF_FAULTS_RUNS:-21}
secs=${PTE_REF_FAULTS_SECONDS:-2}
states=(unloaded idle counting)

enter() {
	lsmod | grep -q '^pte_ref ' && unload_module
	case $1 in
	unloaded) ;;
	idle) load_module ;;
	counting) load_module && "$WR" "$D/stats" on >/dev/null ;;
	esac
}

# What counting adds, exactly: probe hits (kprobes and tlb_flush) per fault.
probe_hits() { awk '$1 == "frees_munmap_exit" || $1 == "tlb_flushes" { n += $2 } END { print n }' "$D/stats"; }

rm -f /tmp/faults.*
for i in $(seq "$runs"); do
	# Rotate the order: run 1 unloaded first, run 2 idle first...
	for j in 0 1 2; do
		s=${states[$(((i - 1 + j) % 3))]}
		enter "$s"
		for t in 1 2; do
			[ "$s" = counting ] && h0=$(probe_hits)
			out=$("$PTESTRESS" faults --threads "$t" --seconds "$secs" --interval 0 |
				grep '^faults threads=')
			kvl faults_per_sec <<<"$out" >>"/tmp/faults.$s.$t"
			[ "$s" = counting ] &&
				echo "$(($(probe_hits) - h0)) $(sed 's/.* faults=\([0-9]*\).*/\1/' <<<"$out")" >>"/tmp/faults.hits.$t"
		done
	done
done
lsmod | grep -q '^pte_ref ' && unload_module
for t in 1 2; do
	for s in "${states[@]}"; do
		echo "# threads=$t $s faults/s: $(tr '\n' ' ' <"/tmp/faults.$s.$t")"
	done
	base=$(median <"/tmp/faults.unloaded.$t")
	echo "# threads=$t counting: $(awk '{ h += $1; f += $2 } END {
		printf "%d probe hits in %d faults, %.2f per 1000 faults", h, f, h * 1000 / f }' \
		"/tmp/faults.hits.$t")"
	odd=$(awk 'NR % 2' "/tmp/faults.unloaded.$t" | median)
	even=$(awk '!(NR % 2)' "/tmp/faults.unloaded.$t" | median)
	echo "bench faults_unloaded_odd_vs_even kernel=$(uname -r) threads=$t" \
		"ratio=$(awk -v a="$odd" -v b="$even" 'BEGIN { printf "%.3f", a / b }') runs=$runs"
	for s in idle counting; do
		echo "bench faults_${s}_vs_unloaded kernel=$(uname -r) threads=$t" \
			"ratio=$(awk -v a="$(median <"/tmp/faults.$s.$t")" -v b="$base" \
				'BEGIN { printf "%.3f", a / b }') runs=$runs"
	done
done
