# shellcheck shell=bash
# t15: `make demo`'s guest part (scripts/demo-guest) runs to its end and
# shows the point: the reclaim frees the headline's 4096 empty tables
# (8 GiB, one page written per 2 MiB, each given back as two 1 MiB
# MADV_DONTNEEDs, which PT_RECLAIM frees none of), VmPTE down by at least
# 4096 x 4 kB, on every kernel.

out=$("$TOP/scripts/demo-guest" 2>&1)
eq "demo-guest: exit 0" "$?" 0
before=$(sed -n 's/^# VmPTE of the headline process before: \([0-9]*\) kB$/\1/p' <<<"$out")
after=$(sed -n 's/^# VmPTE of the headline process after: \([0-9]*\) kB$/\1/p' <<<"$out")
if grep -qx "reclaim available" "$D/info"; then
	want=4096
	eq "demo: the reclaim freed the headline's empty tables" \
		"$(awk '$1 == "freed" { print $2 }' <<<"$out")" "$want"
	check "demo: VmPTE before ($before kB) minus after ($after kB) >= $want x 4 kB" \
		test $((before - after)) -ge $((want * 4))
else
	skip "demo: reclaim" "$(grep '^reclaim ' "$D/info")"
fi
check "demo: the module is still loaded (demo-guest leaves a loaded one)" grep -q "^pte_ref " /proc/modules
