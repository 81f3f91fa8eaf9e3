# shellcheck shell=bash
# t05: the pteref tool against the live module: text and JSON.

r=$("$PTEREF" info)
eq "pteref info: exit 0, the info file" "$r" "$(cat "$D/info")"

if start_bg lo lpid "$PTESTRESS" layout; then
	exp=$(grep '^expect ' "$lo")
	lay=$(grep '^layout ' "$lo")
	range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"

	j=$("$PTEREF" stat "$lpid" --range "$range" --json)
	check "stat --json parses" jq -e . <<<"$j" >/dev/null
	eq "stat --json: pid, tables, empty, present" \
		"$(jq -r '"\(.pid) \(.pte_tables) \(.empty_tables) \(.present)"' <<<"$j")" \
		"$lpid $(kvl tables <<<"$exp") $(kvl empty <<<"$exp") $(kvl present <<<"$exp")"
	eq "stat --json: histogram in bucket order" \
		"$(jq -r '[.hist | to_entries[] | .value] | map(tostring) | join(",")' <<<"$j")" \
		"$(kvl hist <<<"$exp")"
	eq "stat --json: histogram labels" \
		"$(jq -r '.hist | keys_unsorted | join(" ")' <<<"$j")" "0 1 2-7 8-63 64-255 256-511 512"
	eq "stat --json: refcount is null here" "$(jq -r '.refcount_sum' <<<"$j")" null
	eq "stat --json: one vma, anon, with its tables" \
		"$(jq -r '.vmas | length, .[0].kind, .[0].tables' <<<"$j" | tr '\n' ' ')" \
		"1 anon $(kvl tables <<<"$exp") "

	t=$("$PTEREF" stat "$lpid" --range "$range")
	bars=$(grep -cE '^ *(0|1|2-7|8-63|64-255|256-511|512) +[0-9]+ +#*$' <<<"$t")
	eq "stat text: a bar chart row per bucket" "$bars" 7
	big=$(grep -E '^ *512 ' <<<"$t" | tr -cd '#' | wc -c)
	check "stat text: bars are drawn" test "$big" -gt 0

	sleepers=()
	for i in 1 2 3 4 5 6; do sleep 1000 & sleepers+=($!); done
	tj=$("$PTEREF" top -n 5 --sort pte_kb --json)
	eq "top --json: at most 5 rows" "$(jq length <<<"$tj")" 5
	eq "top --json: sorted by pte_kb, descending" \
		"$(jq -c '[.[].pte_kb]' <<<"$tj")" "$(jq -c '[.[].pte_kb] | sort | reverse' <<<"$tj")"
	top1=$(awk 'NR > 1' "$D/mms" | sort -k4,4nr | head -n 1 | awk '{ print $4 }')
	eq "top --json: the biggest first" "$(jq '.[0].pte_kb' <<<"$tj")" "$top1"
	kill "${sleepers[@]}"
	wait "${sleepers[@]}" 2>/dev/null
	tt=$("$PTEREF" top -n 3 --sort present)
	eq "top text: header and 3 rows" "$(wc -l <<<"$tt")" 4
	check "top text: header names the columns" grep -q "pte_tables" <<<"$(head -n 1 <<<"$tt")"
	stop_bg "$lpid"
else
	not_ok "ptestress layout runs"
fi

"$PTEREF" top --sort nosuchfield >/dev/null 2>&1
eq "top --sort nosuchfield: usage error" "$?" 2
r=$("$PTEREF" stat 2147483647 2>&1)
eq "stat of a missing pid: exit 1" "$?" 1
check "stat of a missing pid: says so" grep -q "No such process" <<<"$r"
r=$("$PTEREF" stat abc 2>&1)
eq "stat abc: usage error" "$?" 2
r=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PTEREF" info 2>&1)
check "pteref as non-root: says it must be root" grep -q "must be root" <<<"$r"
check "pteref --help lists the commands" sh -c "'$PTEREF' --help | grep -q stat"
check "pteref stat --help lists --json" sh -c "'$PTEREF' stat --help | grep -q -- --json"

rmmod pte_ref
r=$("$PTEREF" info 2>&1)
check "pteref with the module unloaded: says insmod" grep -q "insmod" <<<"$r"
load_module
