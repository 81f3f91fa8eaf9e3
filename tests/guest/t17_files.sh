# shellcheck shell=bash
# t17: the empty PTE tables of file and shmem VMAs.  From 6.14 (reclaim_file
# available) reclaim frees them as PT_RECLAIM does, whichever way they were
# emptied, and what the pages hold afterwards is what it must be; before,
# it skips them all as excluded, and says why in info.

rkv() { kv "$1" <"$D/reclaim"; }
if grep -qx "reclaim_file available" "$D/info"; then
	file=1
else
	file=0
	check "info: reclaim_file says why not" grep -q '^reclaim_file unavailable: .' "$D/info"
fi

if start_bg fo fpid "$PTESTRESS" files --chunks 4; then
	# kind  the census VMA kind  tables  empty
	while read -r kind vkind tables empty; do
		reg=$(grep "^region kind=$kind " "$fo")
		range="$(kvl start <<<"$reg")-$(kvl end <<<"$reg")"
		c=$(census "$fpid" "$range")
		eq "$kind: census: $tables tables, $empty empty, a $vkind VMA" \
			"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c") $(grep '^vma ' <<<"$c" | cut -d' ' -f3)" \
			"$tables $empty $vkind"
		[ "$(kv empty_tables <<<"$c")" = "$empty" ] ||
			diag "$kind: present $(kv present <<<"$c") swap $(kv swap <<<"$c") $(grep '^vma ' <<<"$c")"
		v0=$(vmpte "$fpid")
		"$WR" "$D/reclaim" "$fpid $range" >/dev/null
		if [ "$file" = 1 ]; then
			eq "$kind: reclaim frees the $empty empty tables, keeps the rest" \
				"$(rkv scanned) $(rkv freed) $(rkv skipped_not_empty) $(rkv skipped_excluded)" \
				"$tables $empty $((tables - empty)) 0"
			eq "$kind: VmPTE down by $empty x 4 kB" "$((v0 - $(vmpte "$fpid")))" "$((empty * 4))"
			eq "$kind: census after: the non-empty tables alone" \
				"$(census "$fpid" "$range" | kv pte_tables)" "$((tables - empty))"
		else
			eq "$kind: reclaim skips all $tables tables as excluded" \
				"$(rkv scanned) $(rkv freed) $(rkv skipped_excluded)" "$tables 0 $tables"
			eq "$kind: VmPTE unchanged" "$(vmpte "$fpid")" "$v0"
		fi
	done <<'LIST'
shmem shmem 4 4
remove shmem 4 4
truncated shmem 4 4
private file 1 1
kept shmem 4 0
LIST
	kill -USR2 "$fpid"
	for i in $(seq 100); do grep -q '^verify' "$fo" && break; sleep 0.1; done
	eq "every page reads what it must: shmem's data, zeros where removed or truncated, the file's bytes" \
		"$(grep '^verify' "$fo" | tail -n 1)" "verify ok pages=51"
	stop_bg "$fpid"
else
	not_ok "ptestress files runs"
fi
