# shellcheck shell=bash
# t16: empty PMD tables.  The census counts them; reclaim frees a 1 GiB
# window's table once its PTE tables are gone, keeps one that still maps
# a page, and every byte stays; a fault afterwards builds a new one.

rkv() { kv "$1" <"$D/reclaim"; }
# layout_window OUT: the "START-END" of a layout's 1 GiB window.
win_range() { local w; w=$(grep '^window ' "$1"); echo "$(kvl start <<<"$w")-$(kvl end <<<"$w")"; }
# wait_line OUT PATTERN N: until OUT has N lines matching PATTERN.
wait_line() {
	local i
	for i in $(seq 100); do
		[ "$(grep -c "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

check "info: reclaim_pmd available" grep -qx "reclaim_pmd available" "$D/info"
check "info: auto_pmd available" grep -qx "auto_pmd available" "$D/info"

# --- A window of three empty PTE tables: all four tables go -------------
if start_bg lo lpid "$PTESTRESS" layout --window --fills 0,0,0 --grow-max 1; then
	win=$(win_range "$lo")
	c=$(census "$lpid" "$win")
	eq "census: 3 empty PTE tables under 1 PMD table that maps them" \
		"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c") $(kv pmd_tables <<<"$c") $(kv empty_pmd_tables <<<"$c")" \
		"3 3 1 0"
	all0=$(census "$lpid" | kv pmd_tables)
	eq "mms: the same PMD tables as the census" \
		"$(mms_col "$lpid" pmd_tables)" "$all0"
	v0=$(vmpte "$lpid")
	r=$("$WR" "$D/reclaim" "$lpid $win")
	eq "reclaim the window: the write succeeds" "${r%% *}" OK
	eq "reclaim: 3 PTE tables freed, then the PMD table" \
		"$(rkv freed) $(rkv pmd_scanned) $(rkv pmd_freed) $(rkv pmd_freed_kb) $(rkv pmd_skipped_not_empty) $(rkv error)" \
		"3 1 1 4 0 0"
	eq "VmPTE drops by 4 tables x 4 kB" "$((v0 - $(vmpte "$lpid")))" 16
	c=$(census "$lpid" "$win")
	eq "census after: no table left in the window" \
		"$(kv pte_tables <<<"$c") $(kv pmd_tables <<<"$c")" "0 0"
	eq "whole process: one PMD table fewer" "$(census "$lpid" | kv pmd_tables)" "$((all0 - 1))"
	r=$("$WR" "$D/reclaim" "$lpid $win")
	eq "a second reclaim finds nothing" \
		"$(rkv scanned) $(rkv pmd_scanned) $(rkv pmd_freed)" "0 0 0"

	kill -USR1 "$lpid"
	wait_line "$lo" '^grown' 1
	c=$(census "$lpid" "$win")
	eq "a fault in the window builds a PMD table and a PTE table again" \
		"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c") $(kv pmd_tables <<<"$c") $(kv present <<<"$c")" \
		"1 0 1 1"
	eq "VmPTE: those two tables" "$(($(vmpte "$lpid") - v0))" "-8"
	kill -USR2 "$lpid"
	wait_line "$lo" '^verify' 1
	eq "the grown page holds its byte" "$(grep '^verify' "$lo" | tail -n 1)" "verify ok pages=1"
	stop_bg "$lpid"
else
	not_ok "ptestress layout --window runs"
fi

# --- A window that still maps pages keeps its PMD table -----------------
if start_bg lo lpid "$PTESTRESS" layout --window --fills 0,0,5,512 --grow-max 0; then
	win=$(win_range "$lo")
	v0=$(vmpte "$lpid")
	"$WR" "$D/reclaim" "$lpid $win" >/dev/null
	eq "reclaim: the 2 empty PTE tables go, the PMD table stays (not empty)" \
		"$(rkv freed) $(rkv pmd_scanned) $(rkv pmd_freed) $(rkv pmd_skipped_not_empty)" "2 1 0 1"
	eq "VmPTE drops by the 2 PTE tables alone" "$((v0 - $(vmpte "$lpid")))" 8
	c=$(census "$lpid" "$win")
	eq "census after: 2 PTE tables, 1 PMD table, 517 pages" \
		"$(kv pte_tables <<<"$c") $(kv pmd_tables <<<"$c") $(kv empty_pmd_tables <<<"$c") $(kv present <<<"$c")" \
		"2 1 0 517"
	kill -USR2 "$lpid"
	wait_line "$lo" '^verify' 1
	eq "every byte of the 517 pages unchanged" "$(grep '^verify' "$lo" | tail -n 1)" "verify ok pages=517"
	stop_bg "$lpid"
else
	not_ok "ptestress layout --window --fills 0,0,5,512 runs"
fi

# --- The whole process: 'reclaim PID' frees the window's table too ------
if start_bg lo lpid "$PTESTRESS" layout --window --fills 0,0 --grow-max 0; then
	win=$(win_range "$lo")
	"$WR" "$D/reclaim" "$lpid" >/dev/null
	eq "reclaim PID: the window's PMD table among those freed" \
		"$(census "$lpid" "$win" | kv pmd_tables) $(test "$(rkv pmd_freed)" -ge 1 && echo yes)" "0 yes"
	eq "reclaim PID: no empty PMD table left in the process" \
		"$(census "$lpid" | kv empty_pmd_tables)" 0
	stop_bg "$lpid"
else
	not_ok "ptestress layout --window --fills 0,0 runs"
fi

# --- The automatic policy frees both, on every kernel ---------------------
if start_bg lo lpid "$PTESTRESS" layout --window --fills 0,0,0,0 --grow-max 0; then
	win=$(win_range "$lo")
	pmd0=$(kv frees_pmd <"$D/stats")
	"$WR" "$D/auto" "enabled=1 scan_sleep_ms=100 min_empty_kb=4" >/dev/null
	# Its PMD pass follows the PTE tables' in the same visit.
	for i in $(seq 100); do
		[ "$(census "$lpid" "$win" | kv pmd_tables)" = 0 ] && break
		sleep 0.1
	done
	"$WR" "$D/auto" "enabled=0" >/dev/null
	c=$(census "$lpid" "$win")
	eq "auto: the 4 PTE tables and the PMD table went" \
		"$(kv pte_tables <<<"$c") $(kv pmd_tables <<<"$c") $(kv empty_pmd_tables <<<"$c")" "0 0 0"
	eq "auto: frees_pmd up by at least that one" \
		"$(test "$(kv frees_pmd <"$D/stats")" -gt "$pmd0" && echo yes)" yes
	kill -USR2 "$lpid"
	wait_line "$lo" '^verify' 1
	eq "auto: the process still runs and checks its (empty) layout" \
		"$(grep '^verify' "$lo" | tail -n 1 | cut -d' ' -f1-2)" "verify ok"
	stop_bg "$lpid"
else
	not_ok "ptestress layout --window --fills 0,0,0,0 runs"
fi
eq "stats: frees_pmd counted" "$(test "$(kv frees_pmd <"$D/stats")" -ge 3 && echo yes)" yes
