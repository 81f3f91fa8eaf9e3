# shellcheck shell=bash
# t08: forced reclaim racing a process under every kind of page-table churn.
#
# ptestress stress keeps checking its own data; two reclaimers hammer it by
# pid, one reclaims "all" while short-lived processes come and go, and its
# pageout op pushes pages to zram swap where the kernel has zram.  Beside
# it run a UFFDIO_MOVE loop from an unregistered source (6.8+; reclaimed by
# pid and by "all") and a layout process with an mmu notifier bound, which
# "all" must leave alone; the automatic policy runs a pass every 10 ms
# beside them all.  The run fails on a data mismatch, a failed
# move, a freed table of the notifier's process, a failed reclaim, a
# leaked page table or any kernel report on the console (vm-run's scan).
# A hang (anything still running 120 s after it was due) is killed by the
# watchdog (lib.sh), which first prints where every thread waits.
# PTE_REF_STRESS_SECONDS sets the length (default 20; soak: 3600).

secs=${PTE_REF_STRESS_SECONDS:-20}

# zram swap, from the kernel's own modules (built in on the debug kernel).
zram_on() {
	local krel root
	krel=$(uname -r)
	root=${PTE_REF_CACHE:-$HOME/.cache/pte_ref}/kernels/$krel/root
	[ -e /sys/block/zram0 ] || modprobe zram 2>/dev/null ||
		modprobe -d "$root" zram 2>/dev/null || return 1
	[ -e /sys/block/zram0 ] || return 1
	echo 512M >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
}
# KSM merges only while ksmd runs.
[ -w /sys/kernel/mm/ksm/run ] && echo 1 >/sys/kernel/mm/ksm/run
if zram_on; then
	ok "zram swap on ($(awk 'NR > 1 { print $1, $3 }' /proc/swaps))"
	swap=1
else
	skip "zram swap on" "no zram module for $(uname -r)"
	swap=0
fi

RECLAIMER=$TOP/tests/helpers/reclaimer

# Counting on during the race: the probes run under it too, and on
# PT_RECLAIM kernels (6.14+) `stats` shows the kernel freeing tables while
# reclaim works on the same VMAs (the dontneed op gives back whole aligned
# 2 MiB chunks half the time).  On before any racer starts, off after the
# last is gone (below): the probe sites are patched while all is quiet.
"$WR" "$D/stats" on >/dev/null

# The notifier's process, with known empty tables.
npid=
if [ -n "${PTE_REF_TEST_KMOD:-}" ] && start_bg no npid "$PTESTRESS" layout; then
	nempty=$(grep '^expect ' "$no" | kvl empty)
	nlay=$(grep '^layout ' "$no")
	nrange="$(kvl start <<<"$nlay")-$(kvl end <<<"$nlay")"
	insmod "$PTE_REF_TEST_KMOD" pid="$npid" || npid=
fi
# UFFDIO_MOVE, outliving the stress run (it exits 77 before 6.8).
upid=
if start_bg uo upid "$TOP/tests/helpers/uffdmove" --seconds $((secs + 10)) --chunks 4; then
	"$RECLAIMER" "$D/reclaim" "$upid" "$upid" >/tmp/t08.r4 &
	r4=$!
else
	upid=
fi

"$WR" "$D/stats" 0 >/dev/null
# The automatic policy too, as eager as it can be: a pass every 10 ms.
"$WR" "$D/auto" "enabled=1 scan_sleep_ms=10 min_empty_kb=0 max_cpu_pct=100" >/dev/null
if start_bg so spid "$PTESTRESS" stress --seconds "$secs" --threads 4 --size 32M; then
	"$RECLAIMER" "$D/reclaim" "$spid" "$spid" >/tmp/t08.r1 &
	r1=$!
	"$RECLAIMER" "$D/reclaim" "$spid" "$spid" >/tmp/t08.r2 &
	r2=$!
	"$RECLAIMER" "$D/reclaim" all "$spid" >/tmp/t08.r3 &
	r3=$!
	# Processes that come and go under "all".
	(while kill -0 "$spid" 2>/dev/null; do
		"$PTESTRESS" headline --size 64M --stride 2M >/dev/null
	done) &
	churn=$!
	# uffdmove and its reclaimer are due 10 s after the stress.
	watchdog $((secs + 120)) "$spid" "$r1" "$r2" "$r3" "$churn" \
		${upid:+"$upid" "$r4"} &
	wd=$!
	wait "$spid"
	rc=$?
	wait "$r1" "$r2" "$r3" "$churn" 2>/dev/null
	res=$(grep '^stress ' "$so" | tail -n 1)
	diag "target: $res"
	diag "reclaimers: $(cat /tmp/t08.r1) | $(cat /tmp/t08.r2) | all: $(cat /tmp/t08.r3)"
	grep '^mismatch' "$so" | head -n 3 | sed 's/^/# /'
	grep '^ptestress: stress: ' "$so" | sed 's/thread [0-9]*/thread N/' | sort | uniq -c |
		sort -rn | head -n 5 | sed 's/^/# errors: /'
	st=$(cat "$D/stats")
	"$WR" "$D/auto" enabled=0 >/dev/null
	diag "stats over the race: $(grep -E '^(frees_|tlb_flushes )' <<<"$st" | tr '\n' ' ')"
	if kconf PT_RECLAIM; then
		check "PT_RECLAIM freed tables during the race ($(kv frees_pt_reclaim <<<"$st"))" \
			test "$(kv frees_pt_reclaim <<<"$st")" -gt 0
	fi
	diag "stress ops: $(grep '^counts ' "$so" | cut -d' ' -f2-)"
	eq "stress target: exit 0, no mismatch" "$rc $(kvl mismatches <<<"$res")" "0 0"
	check "stress target: verified data" test "$(kvl verified_pages <<<"$res")" -gt 0
	if [ "$swap" = 1 ]; then
		po=$(grep '^detail ' "$so" | kvl paged_out)
		ops=$(grep '^counts ' "$so" | kvl pageout)
		# One op may find no page to move: a run of never-written pages,
		# or pages a fork or KSM shares (MADV_PAGEOUT leaves those).
		if [ "${ops:-0}" -ge 5 ]; then
			check "stress target: pages went to swap and came back ($po after $ops pageouts)" test "${po:-0}" -gt 0
		else
			skip "stress target: pages went to swap" "the random pageout op ran ${ops:-0} times (< 5) in this short run"
		fi
	fi
	n=$(($(kvl reclaims </tmp/t08.r1) + $(kvl reclaims </tmp/t08.r2)))
	check "reclaimers by pid ran ($n reclaims)" test "$n" -gt 0
	eq "reclaimers: no failed write" \
		"$(kvl errors </tmp/t08.r1) $(kvl errors </tmp/t08.r2) $(kvl errors </tmp/t08.r3)" "0 0 0"
	check "the automatic policy ran passes during the race ($(kv auto_passes <<<"$st"), freed $(kv frees_auto <<<"$st"))" \
		test "$(kv auto_passes <<<"$st")" -gt 0
	check "reclaims freed tables under the churn" \
		test $(($(kvl freed_seen </tmp/t08.r1) + $(kvl freed_seen </tmp/t08.r2) + $(kvl freed_seen </tmp/t08.r3))) -gt 0
else
	"$WR" "$D/auto" enabled=0 >/dev/null
	not_ok "ptestress stress runs"
fi
if [ -n "$upid" ]; then
	wait "$upid"
	rc=$?
	wait "$r4"
	res=$(grep '^uffdmove ' "$uo")
	diag "uffdmove: $res; its reclaimer: $(cat /tmp/t08.r4)"
	eq "uffdmove beside the stress: every move succeeded, every byte arrived" \
		"$rc $(kvl einval <<<"$res") $(kvl bad <<<"$res") $(kvl errors </tmp/t08.r4)" "0 0 0 0"
elif grep -q '^skip' "$uo" 2>/dev/null; then
	skip "uffdmove beside the stress" "$(cat "$uo")"
else
	not_ok "uffdmove beside the stress runs"
fi
# Everything it watched is done (or was killed by it).
[ -n "${wd:-}" ] && kill "$wd" 2>/dev/null
# Counting off only now, with the racers gone: it unpatches the probe
# sites (int3, text_poke_bp()), and under QEMU's TCG a CPU that runs
# flush_tlb_func() flat out while its tracepoint is unpatched can take a
# stale int3 after the patch is done: an Oops of the emulator's making
# (seen once in 15 runs, uffdmove flushing beside `stats off`).
"$WR" "$D/stats" off >/dev/null
if [ -n "$npid" ]; then
	eq "notifier's process: reclaim all and the policy freed none of its $nempty empty tables" \
		"$(census "$npid" "$nrange" | kv empty_tables)" "$nempty"
	kill -USR2 "$npid"
	for i in $(seq 100); do grep -q '^verify' "$no" && break; sleep 0.1; done
	eq "notifier's process: every byte unchanged" \
		"$(grep '^verify' "$no" | tail -n 1 | cut -d' ' -f1-2)" "verify ok"
	stop_bg "$npid"
	rmmod pte_ref_test_notifier
else
	not_ok "layout process with a notifier bound"
fi
# Reset, so that the next run (a soak, a loop of this test) sets it up anew.
[ "$swap" = 1 ] && swapoff /dev/zram0 && echo 1 >/sys/block/zram0/reset
[ -w /sys/kernel/mm/ksm/run ] && echo 2 >/sys/kernel/mm/ksm/run
check "no page table leaked (no pgtables_bytes complaint)" \
	sh -c "! dmesg | grep -q 'non-zero pgtables_bytes'"
