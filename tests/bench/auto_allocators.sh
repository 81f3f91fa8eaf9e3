#!/bin/bash
# auto_allocators.sh - what the automatic policy, at its defaults, leaves
# of real allocators' page tables.  For each allocator (Debian's jemalloc,
# tcmalloc, glibc malloc) tests/helpers/allocs allocates objects of 8 KiB
# to 1 MiB up to 2 GiB, writes them, frees them all and purges;
# then the policy is turned on with nothing but enabled=1 and VmPTE is
# read S seconds later (two default scan intervals).  allocator=split and
# allocator=unaligned are the patterns PT_RECLAIM misses: a 2 GiB
# headline given back in two 1 MiB MADV_DONTNEEDs per 2 MiB (ptestress
# headline --split), or in 2 MiB ones shifted by 1 MiB (--unaligned).  auto_cpu_pct is
# the policy thread's CPU time (/proc/PID/schedstat) over the S seconds,
# in percent of one CPU.  One line per allocator:
#   bench auto_allocators kernel=K allocator=A vmpte_purged_kb=N vmpte_auto_kb=N seconds=S auto_cpu_pct=P
# and first, the policy's own time per second on an idle guest:
#   bench auto_idle kernel=K seconds=S passes=N auto_ns_per_s=N
# Runs in the guest (scripts/bench).  Env: PTE_REF_KO, PTE_REF_BENCH_ALLOC_MIB
# (2048), PTE_REF_BENCH_AUTO_SECONDS (20).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/guest/lib.sh
. "$here/../guest/lib.sh"
mib=${PTE_REF_BENCH_ALLOC_MIB:-2048}
secs=${PTE_REF_BENCH_AUTO_SECONDS:-20}
lib=/usr/lib/x86_64-linux-gnu
tck=$(getconf CLK_TCK)

# cpu_ns PID: the CPU time of a task in ns: /proc/PID/schedstat's first
# field (CONFIG_SCHED_INFO), else utime + stime of /proc/PID/stat.
cpu_ns() {
	if [ -r "/proc/$1/schedstat" ]; then
		awk '{ print $1 }' "/proc/$1/schedstat"
	else
		awk -v hz="$tck" '{ printf "%.0f\n", ($14 + $15) * 1e9 / hz }' "/proc/$1/stat"
	fi
}

# measure NAME PID: VmPTE now, policy on at its defaults, VmPTE later.
measure() {
	local name=$1 pid=$2 purged t0 c0 kt after cpu
	purged=$(vmpte "$pid")
	"$WR" "$D/auto" enabled=1 >/dev/null
	kt=$(kv thread_pid <"$D/auto")
	c0=$(cpu_ns "$kt")
	t0=$(date +%s%N)
	sleep "$secs"
	after=$(vmpte "$pid")
	cpu=$(awk -v c="$(($(cpu_ns "$kt") - c0))" -v ns="$(($(date +%s%N) - t0))" \
		'BEGIN { printf "%.3f", 100 * c / ns }')
	"$WR" "$D/auto" enabled=0 >/dev/null
	echo "# $name: $(grep -E '^(frees_auto|auto_passes|auto_tables_scanned|auto_ns) ' "$D/stats" | tr '\n' ' ')"
	echo "bench auto_allocators kernel=$(uname -r) allocator=$name vmpte_purged_kb=$purged vmpte_auto_kb=$after seconds=$secs auto_cpu_pct=$cpu"
}

load_module
# The policy at its defaults on an idle guest: its passes add no code to
# the fault path (no probe), only their own time, per second of idle.
"$WR" "$D/stats" 0 >/dev/null
"$WR" "$D/auto" enabled=1 >/dev/null
sleep "$secs"
"$WR" "$D/auto" enabled=0 >/dev/null
echo "bench auto_idle kernel=$(uname -r) seconds=$secs passes=$(kv auto_passes <"$D/stats") auto_ns_per_s=$(($(kv auto_ns <"$D/stats") / secs))"
for a in jemalloc tcmalloc glibc; do
	case $a in
	jemalloc) pre=$lib/libjemalloc.so.2 ;;
	tcmalloc) pre=$lib/libtcmalloc.so.4 ;;
	glibc) pre= ;;
	esac
	if [ -n "$pre" ] && [ ! -e "$pre" ]; then
		echo "# $a: $pre missing (scripts/setup installs it)"
		continue
	fi
	"$WR" "$D/stats" 0 >/dev/null
	START_BG_SECONDS=600 start_bg ao apid env LD_PRELOAD="$pre" "$TOP/tests/helpers/allocs" -m "$mib" -k 0
	grep '^allocator=' "$ao" | sed 's/^/# /'
	measure "$a" "$apid"
	kill -USR2 "$apid"
	for i in $(seq 300); do grep -q '^verify' "$ao" && break; sleep 0.1; done
	echo "# $a: $(grep '^verify' "$ao")"
	stop_bg "$apid"
done
for pat in split unaligned; do
	"$WR" "$D/stats" 0 >/dev/null
	START_BG_SECONDS=600 start_bg ho hpid "$PTESTRESS" headline --size "${mib}M" --stride 2M --$pat --wait
	measure $pat "$hpid"
	stop_bg "$hpid"
done
rmmod pte_ref
