# shellcheck shell=bash
# t10: pteref watch, and the bpftrace scripts through `pteref trace`,
# checked against loads whose frees and flushes we know.

skv() { kv "$1" <"$D/stats"; }
# csvcol FILE NAME: the column NAME of every data line of a CSV file.
csvcol() {
	awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i; next }
			   { print $n }' "$1"
}

# --- pteref watch -------------------------------------------------------
if start_bg lo lpid "$PTESTRESS" layout --grow 1; then
	"$PTEREF" watch "$lpid" --csv -i 1 --count 2 >/tmp/t10.watch 2>/tmp/t10.watch.err
	eq "watch PID --csv --count 2: exit 0, a header and 2 lines" \
		"$? $(wc -l </tmp/t10.watch)" "0 3"
	eq "watch: pte_tables and empty_tables are the mms row's" \
		"$(csvcol /tmp/t10.watch pte_tables | sort -u) $(csvcol /tmp/t10.watch empty_tables | sort -u)" \
		"$(mms_col "$lpid" pte_tables) $(mms_col "$lpid" empty_tables)"
	eq "watch: vmpte_kb is /proc/PID/status VmPTE" \
		"$(csvcol /tmp/t10.watch vmpte_kb | sort -u)" "$(vmpte "$lpid")"
	stop_bg "$lpid"
fi
"$PTEREF" watch 2147483647 --count 1 -i 1 >/dev/null 2>&1
eq "watch of a missing pid: exit 1" "$?" 1
"$PTEREF" watch all -i 0 >/dev/null 2>&1
eq "watch -i 0: usage error" "$?" 2

"$WR" "$D/stats" off >/dev/null
start_bg co cpid "$PTESTRESS" churn --threads 1 --seconds 8 --interval 0
"$PTEREF" watch all --csv -i 1 --count 3 --on >/tmp/t10.watch 2>/dev/null
eq "watch all --on: 3 lines" "$(($(wc -l </tmp/t10.watch) - 1))" 3
check "watch all under churn: munmap/exit frees per second > 0" \
	awk -F, 'NR > 1 && $5 > 0 { f = 1 } END { exit !f }' /tmp/t10.watch
eq "watch: the frees column is frees_munmap_exit_per_s" \
	"$(head -n 1 /tmp/t10.watch | cut -d, -f5)" frees_munmap_exit_per_s
check "watch all under churn: TLB flushes per second > 0" \
	awk -F, 'NR > 1 && $NF > 0 { f = 1 } END { exit !f }' /tmp/t10.watch
eq "watch --on: counting back off after it" "$(skv counting)" off
stop_bg "$cpid"

# --- bpftrace -----------------------------------------------------------
if ! command -v bpftrace >/dev/null; then
	skip "bpftrace scripts" "no bpftrace installed (scripts/setup installs it)"
	return 0 2>/dev/null || exit 0
fi
case "$(uname -r)" in
*pteref-debug*)
	skip "bpftrace scripts" "bpftrace start-up on the KASAN kernel under TCG takes minutes"
	return 0 2>/dev/null || exit 0 ;;
esac

# Start the three scripts at once (each takes a minute to start under
# TCG) and wait until each has printed its first line from BEGIN.
for s in frees tlb reclaim; do
	args=()
	[ $s = frees ] && args=(-- 0 1)	# no time limit, with stacks
	"$PTEREF" trace $s "${args[@]}" >/tmp/t10.$s 2>&1 &
	eval "bt_$s=\$!"
done
for i in $(seq 400); do
	n=0
	for s in frees tlb reclaim; do grep -q '^Tracing' /tmp/t10.$s && n=$((n + 1)); done
	[ $n = 3 ] && break
	sleep 1
done
diag "bpftrace scripts attached after ${i} s"
eq "frees, tlb and reclaim scripts attached" "$n" 3

"$WR" "$D/stats" on >/dev/null
"$WR" "$D/stats" 0 >/dev/null
# Load 1: munmap of 128 tables, then exit.
sh_tables=$(mms_col $$ pte_tables)
start_bg ho hpid "$PTESTRESS" headline --size 256M --stride 2M --split --munmap --wait
left=$(mms_col "$hpid" pte_tables)
stop_bg "$hpid"
# Load 2: a reclaim of a layout's empty tables.
if start_bg lo lpid "$PTESTRESS" layout --grow 1; then
	lay=$(grep '^layout ' "$lo")
	range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"
	empty=$(grep '^expect ' "$lo" | kvl empty)
	"$WR" "$D/reclaim" "$lpid $range" >/dev/null
	scanned=$(kv scanned <"$D/reclaim")
	stop_bg "$lpid"
fi
# Load 3: page faults and MADV_DONTNEED on 2 threads.
"$PTESTRESS" faults --threads 2 --seconds 3 --interval 0 >/dev/null
# Load 4: 100 aligned MADV_DONTNEEDs of one page each (PT_RECLAIM).
dn=$("$TOP/tests/helpers/dontneed" "$D/stats" 100)
sleep 2
forced=$(skv frees_forced) munmaps=$(skv frees_munmap_exit) flushes=$(skv tlb_flushes)
for s in frees tlb reclaim; do eval "kill -INT \$bt_$s"; done
for s in frees tlb reclaim; do eval "wait \$bt_$s"; done

f=/tmp/t10.frees
# Its exit frees the $left tables the census saw; its exec may have freed
# one more when it moved the stack (shift_arg_pages(), ASLR decides), and
# where the new name is set before the old mm goes (7.x), the tables of
# the forked shell too: at most as many as this shell has.
n=$(awk -v p="$hpid" '$1 == "@frees[munmap_exit," && $2 == "ptestress," && $3 == p "]:" { print $4 }' $f)
check "frees.bt: the headline process freed its 128 munmapped tables, its $left others (+1 exec, + at most the shell's $sh_tables) ($n)" \
	test "$n" -ge $((128 + left)) -a "$n" -le $((129 + left + sh_tables))
n=$(awk '/^@/ { b = "" } { b = b $0 }
		/^\]: / { if (b ~ /^@stacks\[munmap_exit,/ && b ~ /_munmap/) n += $2 }
		END { print n + 0 }' $f)
check "frees.bt stacks: at least the headline's 128 frees under munmap ($n)" test "$n" -ge 128
eq "frees.bt: forced frees = the layout's empty tables" \
	"$(awk '$1 == "@frees[forced," { n += $4 } END { print n + 0 }' $f)" "$empty"
eq "stats agrees: frees_forced" "$forced" "$empty"
check "stats agrees: frees_munmap_exit ($munmaps) >= the headline's $((128 + left))" \
	test "$munmaps" -ge $((128 + left))
check "frees.bt: per-second lines, one with munmap_exit frees" \
	grep -qE '^frees/s munmap_exit=[1-9][0-9]* ' $f
check "frees.bt: munmap_exit stacks go through free_pgtables" grep -q free_pgtables $f
dpid=$(kvl pid <<<"$dn")
n=$(awk -v p="$dpid" '$1 == "@frees[pt_reclaim," && $2 == "dontneed," && $3 == p "]:" { print $4 }' $f)
m=$(awk -v p="$dpid" '$1 == "@frees[munmap_exit," && $2 == "dontneed," && $3 == p "]:" { n += $4 } END { print n + 0 }' $f)
if kconf PT_RECLAIM; then
	check "frees.bt is frees-pt_reclaim.bt here" grep -q ' pt_reclaim=' $f
	eq "frees-pt_reclaim.bt: the 100 aligned MADV_DONTNEEDs of pid $dpid, as stats said" \
		"$n $(kvl frees_pt_reclaim <<<"$dn")" "100 100"
	# Its exit frees its own tables: at most a few, never the 100.
	check "frees-pt_reclaim.bt: none of them under munmap_exit ($m)" test "$m" -lt 100
else
	eq "no PT_RECLAIM: no pt_reclaim path for pid $dpid" "${n:-none}" none
fi

r=/tmp/t10.reclaim
eq "reclaim.bt: one line for the reclaim, with its counts" \
	"$(grep '^reclaim ' $r | sed 's/ us=.*//')" \
	"reclaim pid=$lpid comm=wr scanned=$scanned freed=$empty busy=0"
eq "reclaim.bt: totals" "$(grep '^reclaims=' $r)" "reclaims=1 freed=$empty free_table=$empty"
check "reclaim.bt: latency histogram" grep -q '^@usecs:' $r

t=/tmp/t10.tlb
check "tlb.bt: flushes by ptestress counted" grep -qE '^@flushes\[[a-z_]+, ptestress\]: [1-9]' $t
check "tlb.bt: per-second lines with flushes" grep -qE '^tlb/s total=[1-9]' $t
check "tlb.bt: pages histogram" grep -q '^@pages:' $t
check "stats agrees: tlb_flushes counted ($flushes)" test "$flushes" -gt 0
"$WR" "$D/stats" off >/dev/null
# Examples for the log: the first lines, and the totals of our loads.
for s in frees tlb reclaim; do
	diag "--- $s.bt output (first lines, then the loads' totals) ---"
	{
		head -n 6 /tmp/t10.$s
		grep -E "^@frees\[[a-z_]+, (ptestress|wr), |^@flushes\[[a-z_]+, ptestress\]|^@full|^reclaims=" /tmp/t10.$s
		sed -n '/^@pages:/,/^$/p; /^@usecs:/,/^$/p' /tmp/t10.$s
	} | sed 's/^/# /'
done
