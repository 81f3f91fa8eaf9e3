# shellcheck shell=bash
# t02: census and mms of processes whose layout is known exactly.

hist_of() { awk '$1 == "hist" { printf "%s%s", s, $3; s = "," } END { print "" }'; }

# The default layout: one table per histogram bucket edge, a hole, and
# tables emptied by MADV_DONTNEED; grow reserve of 8 tables.
if start_bg lo lpid "$PTESTRESS" layout --grow 2 --grow-max 8; then
	ok "ptestress layout runs"
else
	not_ok "ptestress layout runs"
fi
exp=$(grep '^expect ' "$lo")
lay=$(grep '^layout ' "$lo")
range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"
c=$(census "$lpid" "$range")
eq "census: pid" "$(kv pid <<<"$c")" "$lpid"
eq "census: range" "$(kv range <<<"$c")" "$range"
eq "census: tables = layout" "$(kv pte_tables <<<"$c")" "$(kvl tables <<<"$exp")"
eq "census: pte_kb = 4 x tables" "$(kv pte_kb <<<"$c")" \
	"$(($(kvl tables <<<"$exp") * 4))"
eq "census: empty tables = layout" "$(kv empty_tables <<<"$c")" "$(kvl empty <<<"$exp")"
eq "census: present = layout" "$(kv present <<<"$c")" "$(kvl present <<<"$exp")"
eq "census: swap = 0" "$(kv swap <<<"$c")" 0
eq "census: every histogram bucket" "$(hist_of <<<"$c")" "$(kvl hist <<<"$exp")"
eq "census: one VMA in the range" "$(kv vmas <<<"$c")" 1
vline=$(grep '^vma ' <<<"$c")
eq "census: the VMA line" "$vline" \
	"vma $range anon $(kvl tables <<<"$exp") $(kvl empty <<<"$exp") $(kvl present <<<"$exp")"
eq "census: refcount n/a on this kernel" "$(kv refcount_sum <<<"$c")" n/a

# The whole process: its mms row is its census; pte_kb within pgtables_kb.
all=$(census "$lpid")
row=$(mms_row "$lpid")
eq "mms: one row for the process" "$(wc -l <<<"$row")" 1
want=$(awk '{ print $3, $4, $6, $7, $8, $9, $10, $11, $12 }' <<<"$row")
got="$(kv pte_tables <<<"$all") $(kv pte_kb <<<"$all") $(kv empty_tables <<<"$all") \
$(kv empty_kb <<<"$all") $(kv present <<<"$all") $(kv swap <<<"$all") $(kv fill_pct <<<"$all") \
$(kv pmd_tables <<<"$all") $(kv empty_pmd_tables <<<"$all")"
eq "mms row = whole census (tables, kb, empty, present, swap, fill, pmd tables, empty)" "$want" "$got"
check "whole census includes the layout" \
	test "$(kv pte_tables <<<"$all")" -gt "$(kvl tables <<<"$exp")"
bad=$(awk 'NR > 1 && $4 > $5' "$D/mms")
eq "mms: pte_kb <= pgtables_kb on every row" "$bad" ""
eq "mms: header row" "$(head -n 1 "$D/mms")" \
	"pid comm pte_tables pte_kb pgtables_kb empty_tables empty_kb present swap fill_pct pmd_tables empty_pmd_tables"

# Growth: 2 more tables in the same PMD table: both counters + 8 kB exactly.
pte0=$(mms_col "$lpid" pte_kb)
pgt0=$(mms_col "$lpid" pgtables_kb)
kill -USR1 "$lpid"
for i in $(seq 100); do grep -q '^grown' "$lo" && break; sleep 0.1; done
eq "grow: pte_kb rises by 2 x 4 kB" "$(($(mms_col "$lpid" pte_kb) - pte0))" 8
eq "grow: pgtables_kb rises by 2 x 4 kB" "$(($(mms_col "$lpid" pgtables_kb) - pgt0))" 8
c=$(census "$lpid" "$range")
eq "grow: census of the range counts them" "$(kv pte_tables <<<"$c")" \
	"$(kvl tables <<<"$(grep '^grown' "$lo" | tail -n 1)")"

# A process that exits between target and census: ESRCH, no crash.
stop_bg "$lpid"
r=$(cat "$D/census" 2>&1)
check "census of an exited target: ESRCH" grep -q "No such process" <<<"$r"
eq "mms: no row for the exited process" "$(mms_row "$lpid")" ""

# A bigger layout: full and single-entry tables repeated, 120 tables.
if start_bg lo lpid "$PTESTRESS" layout --fills 512,1,-,0,300 --repeat 30; then
	exp=$(grep '^expect ' "$lo")
	lay=$(grep '^layout ' "$lo")
	c=$(census "$lpid" "$(kvl start <<<"$lay")-$(kvl end <<<"$lay")")
	eq "repeat 30: tables, empty, present" \
		"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c") $(kv present <<<"$c")" \
		"$(kvl tables <<<"$exp") $(kvl empty <<<"$exp") $(kvl present <<<"$exp")"
	eq "repeat 30: histogram" "$(hist_of <<<"$c")" "$(kvl hist <<<"$exp")"
	stop_bg "$lpid"
else
	not_ok "ptestress layout --repeat 30 runs"
fi

# The headline workload, small: 1 GiB, one touch per 2 MiB, all emptied.
if start_bg ho hpid "$PTESTRESS" headline --size 1G --stride 2M --split --wait; then
	h=$(grep '^headline ' "$ho")
	c=$(census "$hpid" "$(kvl start <<<"$h")-$(kvl end <<<"$h")")
	eq "headline 1G: 512 tables, all empty, no entries" \
		"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c") $(kv present <<<"$c")" \
		"512 512 0"
	eq "headline 1G: all in bucket 0" "$(hist_of <<<"$c")" "512,0,0,0,0,0,0"
	vmpte=$(kvl vmpte_kb <<<"$(grep '^after ' "$ho")")
	check "headline 1G: VmPTE holds the 2048 kB of empty tables" test "$vmpte" -ge 2048
	stop_bg "$hpid"
else
	not_ok "ptestress headline runs"
fi
