# shellcheck shell=bash
# t09: the `stats` counters, the counting switch and its probes, and the
# module's trace events, against loads whose frees we know.

skv() { kv "$1" <"$D/stats"; }
kprobes() { grep -c "$1" /sys/kernel/debug/kprobes/list 2>/dev/null; }
TR=/sys/kernel/tracing

keys=$(awk '{ print $1 }' "$D/stats" | tr '\n' ' ')
eq "stats: its keys, in order" "$keys" "counting elapsed_ns frees_munmap_exit \
frees_free_pte_table frees_pt_reclaim frees_forced frees_auto frees_pmd tlb_flushes tlb_flush_task_switch \
tlb_flush_remote_shootdown tlb_flush_local_shootdown tlb_flush_local_mm_shootdown \
tlb_flush_remote_send_ipi tlb_flush_remote_wrong_cpu tlb_flush_pages tlb_flush_full censuses \
auto_passes auto_mms_visited auto_tables_scanned auto_contended auto_ns "
# Counted (a number, t08 ran before) where the kernel has the path, n/a
# where it has not.
num() { case $1 in '' | *[!0-9]*) echo "$1" ;; *) echo N ;; esac; }
if kconf PT_RECLAIM; then want_ptr=N; else want_ptr=n/a; fi
if grep -q "remote wrong CPU" /sys/kernel/tracing/events/tlb/tlb_flush/format; then
	want_wc=N
else
	want_wc=n/a
fi
eq "stats: counting off; series n/a, pt_reclaim $want_ptr, remote_wrong_cpu $want_wc" \
	"$(skv counting) $(skv frees_free_pte_table) $(num "$(skv frees_pt_reclaim)") $(num "$(skv tlb_flush_remote_wrong_cpu)")" \
	"off n/a $want_ptr $want_wc"
eq "counting off: no kprobe on ___pte_free_tlb" "$(kprobes ___pte_free_tlb)" 0

# Counting off: the probed counters do not move, whatever exits.
m0=$(skv frees_munmap_exit) t0=$(skv tlb_flushes)
"$PTESTRESS" headline --size 64M --stride 2M >/dev/null
eq "counting off: munmap/exit frees and TLB flushes stay put" \
	"$(skv frees_munmap_exit) $(skv tlb_flushes)" "$m0 $t0"

eq "write on" "$("$WR" "$D/stats" on)" "OK 2"
eq "counting on: stats, info and the parameter say so" \
	"$(skv counting) $(kv counting <"$D/info") $(cat /sys/module/pte_ref/parameters/counting)" "on on Y"
eq "counting on: one kprobe on ___pte_free_tlb" "$(kprobes ___pte_free_tlb)" 1
eq "write on again: no second kprobe" "$("$WR" "$D/stats" on) $(kprobes ___pte_free_tlb)" "OK 2 1"

# Reset: every counter from zero.
sleep 0.2
eq "write 0" "$("$WR" "$D/stats" 0)" "OK 1"
eq "write '0\\n' (echo): the whole write is taken" "$("$WR" "$D/stats" $'0\n')" "OK 2"
eq "write 'on\\n' (echo): the whole write is taken" "$("$WR" "$D/stats" $'on\n')" "OK 3"
eq "after reset: no free, no census" \
	"$(skv frees_forced) $(skv censuses) $(skv counting)" "0 0 on"
check "after reset: elapsed_ns restarts (< 5 s)" test "$(skv elapsed_ns)" -lt 5000000000

# An exit frees every PTE table of the process: at least that many counted.
if start_bg lo lpid "$PTESTRESS" layout --grow 1; then
	n=$(mms_col "$lpid" pte_tables)
	"$WR" "$D/stats" 0 >/dev/null
	stop_bg "$lpid"
	m=$(skv frees_munmap_exit)
	diag "layout exit: $n tables, frees_munmap_exit $m"
	check "exit of a layout of $n tables: frees_munmap_exit >= $n" test "$m" -ge "$n"
	check "... and not far more (other exits in between)" test "$m" -le $((n + 200))
fi
# munmap of a 512-table headline region, then its exit (--split: the
# MADV_DONTNEEDs leave the tables even where PT_RECLAIM runs).
"$WR" "$D/stats" 0 >/dev/null
"$PTESTRESS" headline --size 1G --stride 2M --split --munmap >/dev/null
m=$(skv frees_munmap_exit)
check "headline 1G --munmap: frees_munmap_exit >= 512 ($m)" test "$m" -ge 512

# PT_RECLAIM's own frees (issue 9): 100 aligned chunks of one page each,
# given back one MADV_DONTNEED each, counted from inside the process.
out=$("$TOP/tests/helpers/dontneed" "$D/stats" 100)
diag "dontneed: $out"
if kconf PT_RECLAIM; then
	eq "PT_RECLAIM: 100 aligned MADV_DONTNEEDs are 100 frees_pt_reclaim, 0 munmap_exit" \
		"$(kvl frees_pt_reclaim <<<"$out") $(kvl frees_munmap_exit <<<"$out")" "100 0"
	eq "... and VmPTE shrank by their 400 kB" \
		"$(($(kvl vmpte_before_kb <<<"$out") - $(kvl vmpte_after_kb <<<"$out")))" 400
else
	eq "no PT_RECLAIM: MADV_DONTNEED frees no table, frees_pt_reclaim n/a" \
		"$(kvl frees_pt_reclaim <<<"$out") $(kvl frees_munmap_exit <<<"$out")" "n/a 0"
	eq "... and VmPTE keeps their 400 kB" \
		"$(kvl vmpte_before_kb <<<"$out")" "$(kvl vmpte_after_kb <<<"$out")"
fi

# Forced reclaim: exactly its freed tables, and its trace events.
if start_bg lo lpid "$PTESTRESS" layout --grow 1; then
	lay=$(grep '^layout ' "$lo")
	range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"
	empty=$(grep '^expect ' "$lo" | kvl empty)
	echo 1 >"$TR/events/pte_ref/enable"
	: >"$TR/trace"
	"$WR" "$D/stats" 0 >/dev/null
	"$WR" "$D/reclaim" "$lpid $range" >/dev/null
	freed=$(kv freed <"$D/reclaim")
	eq "reclaim: frees_forced = freed = the layout's empty tables" \
		"$(skv frees_forced) $freed" "$empty $empty"
	tr=$(cat "$TR/trace")
	eq "trace: one free_table event per freed table, all of our pid" \
		"$(grep -c " free_table: .* pid=$lpid " <<<"$tr")" "$empty"
	bad=0
	for a in $(grep " free_table: " <<<"$tr" | sed 's/.*addr=//'); do
		[ $((a % 0x200000)) -eq 0 ] && [ $((a)) -ge $(($(kvl start <<<"$lay"))) ] &&
			[ $((a)) -lt $(($(kvl end <<<"$lay"))) ] || bad=$((bad + 1))
	done
	eq "trace: free_table addresses are 2 MiB aligned, inside the range" "$bad" 0
	check "trace: free_table shows no raw kernel address" \
		sh -c "! grep ' free_table: ' \"$TR/trace\" | grep -q 'mm=ffff'"
	eq "trace: one reclaim_done, with the same counts" \
		"$(grep ' reclaim_done: ' <<<"$tr" | sed 's/.*reclaim_done: //; s/ duration_ns=.*//')" \
		"pid=$lpid scanned=$(kv scanned <"$D/reclaim") freed=$empty busy=0"
	: >"$TR/trace"
	c=$(census "$lpid" "$range")
	eq "census: censuses 1, one census_done event with its counts" \
		"$(skv censuses) $(grep ' census_done: ' "$TR/trace" | sed 's/.*census_done: //; s/ duration_ns=.*//')" \
		"1 pid=$lpid tables=$(kv pte_tables <<<"$c") empty=$(kv empty_tables <<<"$c")"
	echo 0 >"$TR/events/pte_ref/enable"
	stop_bg "$lpid"
fi

# TLB flushes under page faults and MADV_DONTNEED.
"$WR" "$D/stats" 0 >/dev/null
"$PTESTRESS" headline --size 256M --stride 4K >/dev/null
s=$(cat "$D/stats")
check "tlb: flushes counted under MADV_DONTNEED ($(kv tlb_flushes <<<"$s"))" \
	test "$(kv tlb_flushes <<<"$s")" -gt 0
sum=0
for r in task_switch remote_shootdown local_shootdown local_mm_shootdown remote_send_ipi \
	remote_wrong_cpu; do
	v=$(kv "tlb_flush_$r" <<<"$s")
	[ "$v" = n/a ] || sum=$((sum + v))
done
eq "tlb: the reasons add up to the flushes" "$sum" "$(kv tlb_flushes <<<"$s")"
check "tlb: ranged flushes count their pages" test "$(kv tlb_flush_pages <<<"$s")" -gt 0

# Bad input: its errno, counting state and counters unchanged.
before=$(skv counting)
for bad in "" ON 1 "on x" -1 "0 0" off_; do
	r=$("$WR" "$D/stats" "$bad")
	if [ "$r" = "ERR EINVAL" ] && [ "$(skv counting)" = "$before" ]; then
		ok "stats '$bad': EINVAL, nothing changed"
	else
		not_ok "stats '$bad': got '$r', counting $(skv counting)"
	fi
done
eq "stats: 100-byte write: E2BIG" "$("$WR" -n 100 "$D/stats")" "ERR E2BIG"
eq "stats is unwritable for uid 65534" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups "$WR" "$D/stats" off)" "ERR EACCES"
check "stats is unreadable for uid 65534" \
	sh -c "! setpriv --reuid=65534 --regid=65534 --clear-groups cat $D/stats 2>/dev/null"
check "parameter: a bad value is refused" \
	sh -c "! echo maybe >/sys/module/pte_ref/parameters/counting 2>/dev/null"
eq "... and counting is unchanged" "$(skv counting)" "$before"

eq "write off" "$("$WR" "$D/stats" off)" "OK 3"
eq "counting off: no kprobe left, counting off" \
	"$(kprobes ___pte_free_tlb) $(skv counting)" "0 off"
m0=$(skv frees_munmap_exit)
"$PTESTRESS" headline --size 64M --stride 2M >/dev/null
eq "counting off again: frees_munmap_exit frozen" "$(skv frees_munmap_exit)" "$m0"

echo 1 >/sys/module/pte_ref/parameters/counting
eq "parameter 1: counting on, kprobe there" "$(skv counting) $(kprobes ___pte_free_tlb)" "on 1"
echo 0 >/sys/module/pte_ref/parameters/counting
eq "parameter 0: counting off, kprobe gone" "$(skv counting) $(kprobes ___pte_free_tlb)" "off 0"

# Loaded counting, unloaded counting: no probe outlives the module.
unload_module
insmod "$PTE_REF_KO" counting=1
eq "insmod counting=1: counting from load" "$(skv counting) $(kprobes ___pte_free_tlb)" "on 1"
"$PTESTRESS" headline --size 64M --stride 2M >/dev/null
check "insmod counting=1: frees counted" test "$(skv frees_munmap_exit)" -ge 32
unload_module
eq "rmmod while counting: the kprobe went with the module" "$(kprobes ___pte_free_tlb)" 0
"$PTESTRESS" headline --size 64M --stride 2M >/dev/null
check "a free after that rmmod is harmless (console scan checks)" true
load_module
