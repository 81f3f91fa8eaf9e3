# shellcheck shell=bash
# t06: PMD-mapped THPs and hugetlb VMAs are counted apart: no PTE table.

echo 4 >/proc/sys/vm/nr_hugepages
if start_bg lo lpid "$PTESTRESS" layout --fills 5 --thp 4 --hugetlb 2; then
	thp=$(grep '^thp ' "$lo")
	pmds=$(kvl pmds <<<"$thp")
	diag "THP: $pmds of 4 pages PMD-mapped (smaps)"
	check "the kernel gave at least one PMD-mapped THP" test "$pmds" -ge 1
	c=$(census "$lpid" "$(kvl start <<<"$thp")-$(kvl end <<<"$thp")")
	eq "thp range: thp_pmds = smaps' AnonHugePages / 2 MiB" "$(kv thp_pmds <<<"$c")" "$pmds"
	eq "thp range: a PTE table only for each page not PMD-mapped" \
		"$(kv pte_tables <<<"$c")" "$((4 - pmds))"

	h=$(grep '^hugetlb ' "$lo")
	c=$(census "$lpid" "$(kvl start <<<"$h")-$(kvl end <<<"$h")")
	eq "hugetlb range: one hugetlb VMA, no table" \
		"$(kv hugetlb_vmas <<<"$c") $(kv pte_tables <<<"$c") $(kv present <<<"$c")" "1 0 0"
	eq "hugetlb range: its VMA line" "$(grep '^vma ' <<<"$c")" \
		"vma $(kvl start <<<"$h")-$(kvl end <<<"$h") hugetlb 0 0 0"
	all=$(census "$lpid")
	eq "whole process: one hugetlb VMA" "$(kv hugetlb_vmas <<<"$all")" 1
	eq "whole process: thp_pmds" "$(kv thp_pmds <<<"$all")" "$pmds"
	stop_bg "$lpid"
else
	not_ok "ptestress layout --thp --hugetlb runs"
fi
echo 0 >/proc/sys/vm/nr_hugepages
