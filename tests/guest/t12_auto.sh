# shellcheck shell=bash
# t12: the automatic policy (`auto`): its settings and their bad input,
# its thread, the tables it frees by itself (exactly the empty ones of a
# layout, within two scan intervals; those of the two patterns PT_RECLAIM
# misses), its budget of tables and of CPU,
# its threshold, and its stop at `enabled=0` and at rmmod.

TR=/sys/kernel/tracing
akv() { kv "$1" <"$D/auto"; }
skv() { kv "$1" <"$D/stats"; }
# The policy's kthread, by name: its pid, or nothing.
auto_kthread() { grep -lx pte_ref_auto /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3; }
defaults="enabled 0
scan_sleep_ms 10000
tables_to_scan 4096
min_empty_kb 64
max_cpu_pct 1
thread_pid 0"
# wait_empty PID RANGE SECONDS: poll the census of RANGE until it has no
# empty table; prints the seconds it took (or nothing).
wait_empty() {
	local t0 i
	t0=$(date +%s%N)
	for i in $(seq $(($3 * 20))); do
		if [ "$(census "$1" "$2" | kv empty_tables)" = 0 ]; then
			echo $((($(date +%s%N) - t0) / 1000000))
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# A fresh load: t08 changed the settings of this one.
unload_module
load_module
if ! grep -qx "reclaim available" "$D/info"; then
	eq "info: auto unavailable, for reclaim's reason" \
		"$(sed -n 's/^auto //p' "$D/info")" "$(sed -n 's/^reclaim //p' "$D/info")"
	eq "enabled=1 where reclaim cannot run: EOPNOTSUPP" \
		"$("$WR" "$D/auto" enabled=1)" "ERR EOPNOTSUPP"
	return 0 2>/dev/null || exit 0
fi
check "info: auto available" grep -qx "auto available" "$D/info"
eq "auto: the defaults, no thread" "$(cat "$D/auto")" "$defaults"
eq "off: no pte_ref_auto kthread" "$(auto_kthread)" ""

# --- bad input: EINVAL (E2BIG, EPERM), nothing changed ------------------
long=$(printf 'scan_sleep_ms=1000 %.0s' $(seq 20))
for bad in "" "   " bogus=1 enabled=2 enabled=-1 scan_sleep_ms=9 \
	   scan_sleep_ms=3600001 scan_sleep_ms=abc scan_sleep_ms=0x10 \
	   tables_to_scan=0 tables_to_scan=1048577 max_cpu_pct=0 \
	   max_cpu_pct=101 min_empty_kb=1073741825 enabled "=1" \
	   "enabled=1=1" "enabled=1 scan_sleep_ms=0" "enabled=1 bogus=1" \
	   "enabled=1,scan_sleep_ms=1000" "thread_pid=5"; do
	eq "auto '$bad': EINVAL, nothing changed" \
		"$("$WR" "$D/auto" "$bad") $(cat "$D/auto" | tr '\n' ' ')" \
		"ERR EINVAL $(echo "$defaults" | tr '\n' ' ')"
done
eq "auto: a write of ${#long} bytes is E2BIG" "$("$WR" "$D/auto" "$long")" "ERR E2BIG"
eq "auto: uid 65534 cannot write it" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups "$WR" "$D/auto" enabled=1)" "ERR EACCES"
eq "auto: root without CAP_SYS_ADMIN: EPERM" \
	"$(setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$WR" "$D/auto" enabled=1)" "ERR EPERM"
eq "after the bad writes: defaults, no thread" "$(cat "$D/auto") $(auto_kthread)" "$defaults "

# --- the threshold: min_empty_kb keeps it from acting -------------------
if start_bg lo lpid "$PTESTRESS" layout --grow 1 --file 3; then
	exp=$(grep '^expect ' "$lo")
	lay=$(grep '^layout ' "$lo")
	range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"
	f=$(grep '^file ' "$lo")
	frange="$(kvl start <<<"$f")-$(kvl end <<<"$f")"
	tables=$(kvl tables <<<"$exp")
	empty=$(kvl empty <<<"$exp")
	cmd="enabled=1 scan_sleep_ms=200 max_cpu_pct=100 min_empty_kb=1073741824"
	eq "auto: enabled=1 min_empty_kb=max: the write succeeds" \
		"$("$WR" "$D/auto" "$cmd")" "OK ${#cmd}"
	p0=$(skv auto_passes) f0=$(skv frees_auto)
	for i in $(seq 200); do [ $(($(skv auto_passes) - p0)) -ge 3 ] && break; sleep 0.05; done
	c=$(census "$lpid" "$range")
	eq "3 passes under a threshold no mm reaches: nothing freed" \
		"$(($(skv auto_passes) - p0 >= 3)) $(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c") $(($(skv frees_auto) - f0))" \
		"1 $tables $empty 0"
	eq "on: one pte_ref_auto kthread, the file's thread_pid" "$(auto_kthread)" "$(akv thread_pid)"

	# --- then it frees, exactly the empty ones --------------------------
	echo 0 >"$TR/events/pte_ref/enable"
	echo 1 >"$TR/events/pte_ref/free_table/enable"
	: >"$TR/trace"
	v0=$(vmpte "$lpid")
	"$WR" "$D/auto" "min_empty_kb=0 scan_sleep_ms=1000" >/dev/null
	ms=$(wait_empty "$lpid" "$range" 2)
	check "min_empty_kb=0: the layout's $empty empty tables freed within 2 scan intervals (${ms:-no} ms)" \
		test -n "$ms"
	c=$(census "$lpid" "$range")
	eq "auto: the non-empty tables all there, every entry" \
		"$(kv pte_tables <<<"$c") $(kv present <<<"$c")" \
		"$((tables - empty)) $(kvl present <<<"$exp")"
	if grep -qx "reclaim_file available" "$D/info"; then
		fms=$(wait_empty "$lpid" "$frange" 2)
		c=$(census "$lpid" "$frange")
		eq "auto (6.14+): the file VMA's 3 empty tables freed too (${fms:-not in} ms)" \
			"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c")" "0 0"
		fempty=3
	else
		c=$(census "$lpid" "$frange")
		eq "auto: the file VMA's 3 empty tables left alone" \
			"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c")" "3 3"
		fempty=0
	fi
	echo 0 >"$TR/events/pte_ref/free_table/enable"
	eq "trace: one free_table per empty table it may free, of its pid" \
		"$(grep -c " free_table: .* pid=$lpid " "$TR/trace")" "$((empty + fempty))"
	check "VmPTE down by at least $empty x 4 kB" test $((v0 - $(vmpte "$lpid"))) -ge $((empty * 4))
	check "stats: frees_auto up by at least $empty" \
		test $(($(skv frees_auto) - f0)) -ge "$empty"
	kill -USR2 "$lpid"
	for i in $(seq 100); do grep -q '^verify' "$lo" && break; sleep 0.1; done
	eq "auto: every byte of the layout unchanged" "$(grep '^verify' "$lo" | tail -n 1 | cut -d' ' -f1-2)" "verify ok"
	stop_bg "$lpid"
else
	not_ok "ptestress layout runs"
fi

# --- tables emptied while it runs: freed within two intervals -----------
if start_bg lo lpid "$PTESTRESS" layout --fills 0,0,0,0,5,0; then
	lay=$(grep '^layout ' "$lo")
	range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"
	ms=$(wait_empty "$lpid" "$range" 2)
	check "a process started under the policy: its 5 empty tables freed within 2 x 1000 ms (${ms:-no} ms)" \
		test -n "$ms"
	eq "... and its table of 5 pages kept" "$(census "$lpid" "$range" | kv pte_tables)" 1
	stop_bg "$lpid"
else
	not_ok "ptestress layout --fills runs"
fi

# --- the two patterns PT_RECLAIM misses ---------------------------------
# 1 MiB halves (--split) and 2 MiB calls shifted by 1 MiB (--unaligned)
# leave every table, on every kernel; the policy frees exactly those.
for pat in split unaligned; do
	"$WR" "$D/auto" enabled=0 >/dev/null
	if ! start_bg ho hpid "$PTESTRESS" headline --size 64M --stride 2M --$pat --wait; then
		not_ok "headline --$pat runs"
		continue
	fi
	h=$(grep '^headline ' "$ho")
	hs=$(kvl start <<<"$h") he=$(kvl end <<<"$h")
	c=$(census "$hpid" "$hs-$he")
	eq "headline --$pat, policy off: 32 tables, all empty (PT_RECLAIM or not)" \
		"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c")" "32 32"
	echo 1 >"$TR/events/pte_ref/free_table/enable"
	: >"$TR/trace"
	"$WR" "$D/auto" "enabled=1 scan_sleep_ms=1000 min_empty_kb=0" >/dev/null
	ms=$(wait_empty "$hpid" "$hs-$he" 2)
	echo 0 >"$TR/events/pte_ref/free_table/enable"
	check "headline --$pat: its 32 empty tables freed within 2 x 1000 ms (${ms:-no} ms)" \
		test -n "$ms"
	n=0
	for a in $(grep " free_table: .* pid=$hpid " "$TR/trace" | grep -o 'addr=0x[0-9a-f]*' | cut -d= -f2); do
		[ $((a)) -ge $((hs)) ] && [ $((a)) -lt $((he)) ] && n=$((n + 1))
	done
	eq "headline --$pat: exactly 32 free_table events of its pid in its range, no table left" \
		"$n $(census "$hpid" "$hs-$he" | kv pte_tables)" "32 0"
	stop_bg "$hpid"
done
"$WR" "$D/auto" "enabled=1 scan_sleep_ms=1000 min_empty_kb=0" >/dev/null

# --- real allocators: what the policy leaves, reclaim finds nothing -----
# allocs frees 15 of every 16 objects and purges; the policy then frees
# every empty table reclaim could (a forced reclaim right after frees
# none), exactly those the trace shows for the pid, and no live byte.
"$WR" "$D/auto" enabled=0 >/dev/null
lib=/usr/lib/x86_64-linux-gnu
# KASAN and DEBUG_PAGEALLOC make every write and fault several times
# slower under TCG: a quarter of the objects there, the same assertions.
mib=128
case "$(uname -r)" in *pteref-debug*) mib=32 ;; esac
for a in jemalloc:$lib/libjemalloc.so.2 tcmalloc:$lib/libtcmalloc.so.4 glibc:; do
	name=${a%%:*} pre=${a#*:}
	if [ -n "$pre" ] && [ ! -e "$pre" ]; then
		skip "$name under the policy" "$pre missing (scripts/setup installs it)"
		continue
	fi
	if ! start_bg ao apid env LD_PRELOAD="$pre" "$TOP/tests/helpers/allocs" -m "$mib"; then
		not_ok "$name: allocs runs"
		continue
	fi
	eq "$name: allocs runs with it" "$(grep -o '^allocator=[a-z]*' "$ao")" "allocator=$name"
	e0=$(census "$apid" | kv empty_tables)
	v0=$(vmpte "$apid")
	# jemalloc purges with MADV_DONTNEED in runs PT_RECLAIM does not
	# free whole: empty tables are left on every kernel (issue 10).
	if [ "$name" = jemalloc ]; then
		check "jemalloc, $mib MiB: the purge left empty tables ($e0)" test "$e0" -gt 0
	fi
	echo 1 >"$TR/events/pte_ref/free_table/enable"
	: >"$TR/trace"
	p0=$(skv auto_passes)
	"$WR" "$D/auto" "enabled=1 scan_sleep_ms=200 min_empty_kb=0 max_cpu_pct=100" >/dev/null
	for i in $(seq 200); do [ $(($(skv auto_passes) - p0)) -ge 3 ] && break; sleep 0.05; done
	"$WR" "$D/auto" enabled=0 >/dev/null
	echo 0 >"$TR/events/pte_ref/free_table/enable"
	freed=$(grep -c " free_table: .* pid=$apid " "$TR/trace")
	e1=$(census "$apid" | kv empty_tables)
	"$WR" "$D/reclaim" "$apid" >/dev/null
	eq "$name: after 3 passes a forced reclaim finds nothing left to free" \
		"$(kv freed <"$D/reclaim") $(kv error <"$D/reclaim")" "0 0"
	eq "$name: the policy freed exactly the empty tables that went ($e0 -> $e1)" \
		"$freed" "$((e0 - e1))"
	eq "$name: VmPTE down by exactly those (${v0} kB before)" \
		"$((v0 - $(vmpte "$apid")))" "$((freed * 4))"
	diag "$name: $(grep '^allocator=' "$ao"); the policy freed $freed tables"
	kill -USR2 "$apid"
	for i in $(seq 100); do grep -q '^verify' "$ao" && break; sleep 0.1; done
	eq "$name: every byte of the live objects unchanged" \
		"$(grep '^verify' "$ao" | cut -d' ' -f1-2)" "verify ok"
	stop_bg "$apid"
done
"$WR" "$D/auto" "enabled=1 scan_sleep_ms=1000 min_empty_kb=0" >/dev/null

# --- budgets: tables per pass, and CPU ----------------------------------
"$WR" "$D/stats" 0 >/dev/null
"$WR" "$D/auto" "tables_to_scan=1 scan_sleep_ms=10 max_cpu_pct=100" >/dev/null
sleep 1
eq "tables_to_scan=1: no pass counts more than 1 table" \
	"$(($(skv auto_tables_scanned) <= $(skv auto_passes))) $(($(skv auto_passes) > 3))" "1 1"
"$WR" "$D/auto" "tables_to_scan=16 scan_sleep_ms=10 max_cpu_pct=1" >/dev/null
sleep 0.5
echo 1 >"$TR/events/pte_ref/auto_pass/enable"
: >"$TR/trace"
for i in $(seq 150); do
	[ "$(grep -c ' auto_pass: ' "$TR/trace")" -ge 3 ] && break
	sleep 0.1
done
echo 0 >"$TR/events/pte_ref/auto_pass/enable"
# Each pass's end (s) and length (ns): the next end comes at least 99
# lengths of it later (no write in between: no kick).
bad=$(awk '/ auto_pass: / {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^[0-9]+\.[0-9]+:$/) t = substr($i, 1, length($i) - 1) + 0
			if ($i ~ /^duration_ns=/) d = substr($i, 13) + 0
		}
		if (n++ && t - last_t < 99 * last_d / 1e9 - 0.001) bad++
		last_t = t; last_d = d
	   } END { print n " " bad + 0 }' "$TR/trace")
check "max_cpu_pct=1: passes ($bad: passes, too early) each 99 x their length apart" \
	test "${bad% *}" -ge 2 -a "${bad#* }" = 0

# --- off and rmmod stop it -----------------------------------------------
eq "enabled=0: OK, the thread is gone" \
	"$("$WR" "$D/auto" enabled=0) $(auto_kthread) $(akv thread_pid)" "OK 9  0"
p0=$(skv auto_passes)
sleep 0.5
eq "off: no pass since" "$(skv auto_passes)" "$p0"
"$WR" "$D/auto" "enabled=1 scan_sleep_ms=10" >/dev/null
check "on again: a thread" test -n "$(auto_kthread)"
check "rmmod with the policy running" rmmod pte_ref
eq "rmmod: no pte_ref_auto left" "$(auto_kthread)" ""

# --- module parameters ---------------------------------------------------
check "insmod auto=1 auto_scan_sleep_ms=500 auto_min_empty_kb=0" \
	insmod "$PTE_REF_KO" auto=1 auto_scan_sleep_ms=500 auto_min_empty_kb=0
eq "auto: as the parameters say, a thread" \
	"$(akv enabled) $(akv scan_sleep_ms) $(akv min_empty_kb) $(akv tables_to_scan) $(akv thread_pid)" \
	"1 500 0 4096 $(auto_kthread)"
check "no parameter shows in sysfs (root-only debugfs has them)" \
	test ! -e /sys/module/pte_ref/parameters/auto
rmmod pte_ref
r=$(insmod "$PTE_REF_KO" auto_max_cpu_pct=0 2>&1)
eq "insmod auto_max_cpu_pct=0: refused, not loaded" \
	"$? $(lsmod | grep -c '^pte_ref ')" "1 0"
r=$(insmod "$PTE_REF_KO" auto_tables_to_scan=x 2>&1)
eq "insmod auto_tables_to_scan=x: refused, not loaded" \
	"$? $(lsmod | grep -c '^pte_ref ')" "1 0"
load_module

# --- pteref auto -----------------------------------------------------------
out=$("$PTEREF" auto on scan_sleep_ms=700 min_empty_kb=0)
eq "pteref auto on scan_sleep_ms=700: exit 0, the file says so" \
	"$? $(akv enabled) $(akv scan_sleep_ms)" "0 1 700"
eq "pteref auto: shows the thread" "$(awk '$1 == "thread_pid" { print $2 }' <<<"$out")" "$(auto_kthread)"
"$PTEREF" auto scan_sleep_ms=5 >/dev/null 2>&1
eq "pteref auto scan_sleep_ms=5: usage error, nothing changed" "$? $(akv scan_sleep_ms)" "2 700"
out=$("$PTEREF" auto off -j)
eq "pteref auto off -j: enabled 0, no thread" \
	"$(jq -c '[.enabled, .thread_pid]' <<<"$out") $(auto_kthread)" "[0,0] "
