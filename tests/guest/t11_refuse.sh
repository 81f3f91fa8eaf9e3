# shellcheck shell=bash
# t11: reclaim leaves alone what it cannot free safely, and says so:
# - a process with an mmu notifier (what an IOMMU in SVA mode, KVM or VFIO
#   bind): skipped_notifier, nothing freed (issue 8 B);
# - a process with a userfaultfd-registered VMA, racing UFFDIO_MOVE from
#   an unregistered source: skipped_uffd, the moves fail exactly as they
#   do without pte_ref (never), no WARN in move_pages_pte() (issue 8 A);
# - a Xen PV guest, by the fixture build that makes the module's Xen PV
#   test true: reclaim unavailable, EOPNOTSUPP (issue 8 C).

rkv() { kv "$1" <"$D/reclaim"; }
rnum() { local v; v=$(rkv "$1"); echo "${v:--1}"; }	# -1: no such key
UFFDMOVE=$TOP/tests/helpers/uffdmove

# B: an mmu notifier bound to a layout process with known tables.
if [ -z "${PTE_REF_TEST_KMOD:-}" ]; then
	not_ok "notifier: PTE_REF_TEST_KMOD names the test module"
elif start_bg lo lpid "$PTESTRESS" layout; then
	exp=$(grep '^expect ' "$lo")
	lay=$(grep '^layout ' "$lo")
	range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"
	tables=$(kvl tables <<<"$exp")
	empty=$(kvl empty <<<"$exp")
	check "notifier: test module binds to the layout process" \
		insmod "$PTE_REF_TEST_KMOD" pid="$lpid"
	v0=$(vmpte "$lpid")
	r=$("$WR" "$D/reclaim" "$lpid $range")
	eq "notifier: reclaim runs, frees nothing, counts every table" \
		"${r%% *} $(rkv scanned) $(rkv freed) $(rkv skipped_notifier) $(rkv skipped_uffd)" \
		"OK $tables 0 $tables 0"
	eq "notifier: VmPTE unchanged" "$(vmpte "$lpid")" "$v0"
	eq "notifier: census still shows every empty table" \
		"$(census "$lpid" "$range" | kv empty_tables)" "$empty"
	check "notifier: test module unloads" rmmod pte_ref_test_notifier
	"$WR" "$D/reclaim" "$lpid $range" >/dev/null
	eq "notifier unregistered: still refused (mm_has_notifiers() lasts the mm's life)" \
		"$(rkv freed) $(rkv skipped_notifier)" "0 $tables"
	kill -USR2 "$lpid"
	for i in $(seq 100); do grep -q '^verify' "$lo" && break; sleep 0.1; done
	eq "notifier: every byte of the layout unchanged" \
		"$(grep '^verify' "$lo" | tail -n 1 | cut -d' ' -f1-2)" "verify ok"
	stop_bg "$lpid"
	# A process without one, same layout: freed as usual (control).
	if start_bg lo lpid "$PTESTRESS" layout; then
		"$WR" "$D/reclaim" "$lpid" >/dev/null
		eq "control: the same layout without a notifier: its empty tables freed" \
			"$(rkv freed) $(rkv skipped_notifier)" "$empty 0"
		stop_bg "$lpid"
	fi
else
	not_ok "ptestress layout runs"
fi

# A: UFFDIO_MOVE from an unregistered source, alone, then under reclaims.
out=$("$UFFDMOVE" --seconds 3 2>&1)
rc=$?
out=$(grep -v '^ready' <<<"$out")
if [ "$rc" = 77 ]; then
	skip "uffd: UFFDIO_MOVE races" "$out"
else
	diag "alone:   $out"
	eq "uffd: alone, every move succeeds" "$rc" 0
	# Two chunks and two fast reclaimers: on the module before the fix
	# this WARNs at mm/userfaultfd.c:1217 within a second or two.  The
	# reclaims stop (with sleep) before uffdmove ends: once it exits and
	# its userfaultfd is released, its empty tables may rightly be freed.
	if start_bg uo upid "$UFFDMOVE" --seconds 15 --chunks 2; then
		sleep 11 &
		until=$!
		"$TOP/tests/helpers/reclaimer" "$D/reclaim" "$upid" "$until" >/tmp/t11.r1 &
		r1=$!
		"$TOP/tests/helpers/reclaimer" "$D/reclaim" "$upid" "$until" >/tmp/t11.r2 &
		r2=$!
		n=0 scanned=0 freed=0 refused=0 errs=0
		while kill -0 "$until" 2>/dev/null; do
			r=$("$WR" "$D/reclaim" "$upid")
			case $r in
			# One read: the file shows the last reclaim of anyone,
			# and the two reclaimers above write it too.
			OK*) n=$((n + 1))
			     res=$(cat "$D/reclaim")
			     scanned=$((scanned + $(kv scanned <<<"$res")))
			     freed=$((freed + $(kv freed <<<"$res")))
			     refused=$((refused + $(kv skipped_uffd <<<"$res"))) ;;
			"ERR ESRCH") ;;
			*) errs=$((errs + 1)) ;;
			esac
		done
		wait "$r1" "$r2"
		wait "$upid"
		rc=$?
		res=$(grep '^uffdmove ' "$uo")
		diag "raced:   $res"
		diag "reclaims: $n, scanned $scanned, freed $freed, skipped_uffd $refused, errors $errs"
		diag "reclaimers: $(cat /tmp/t11.r1) | $(cat /tmp/t11.r2)"
		eq "uffd: the fast reclaimers freed nothing, no failed write" \
			"$(kvl freed_seen </tmp/t11.r1) $(kvl errors </tmp/t11.r1) $(kvl freed_seen </tmp/t11.r2) $(kvl errors </tmp/t11.r2)" \
			"0 0 0 0"
		eq "uffd: under reclaims, every move still succeeds, every byte arrives" \
			"$rc $(kvl einval <<<"$res") $(kvl bad <<<"$res")" "0 0 0"
		check "uffd: reclaims ran and saw tables ($n reclaims, $scanned tables)" \
			test "$n" -gt 0 -a "$scanned" -gt 0
		eq "uffd: every table refused, none freed, no failed write" \
			"$freed $refused $errs" "0 $scanned 0"
		check "uffd: no WARN from move_pages_pte()" \
			sh -c "! dmesg | grep -q 'WARNING:.*move_pages'"
	else
		not_ok "uffdmove runs"
	fi
fi

# C: Xen PV, by the fixture build (no Xen here: see README).
if [ -n "${PTE_REF_XEN_KO:-}" ]; then
	unload_module
	if check "xen_pv fixture: loads" insmod "$PTE_REF_XEN_KO"; then
		check "xen_pv fixture: info says reclaim is unavailable, and why" \
			grep -qx "reclaim unavailable: running as a Xen PV guest (page tables pinned by Xen), not supported" "$D/info"
		eq "xen_pv fixture: reclaim refused with EOPNOTSUPP" \
			"$("$WR" "$D/reclaim" "$$")" "ERR EOPNOTSUPP"
		eq "xen_pv fixture: auto refused with EOPNOTSUPP, for the same reason" \
			"$("$WR" "$D/auto" enabled=1) $(sed -n 's/^auto //p' "$D/info")" \
			"ERR EOPNOTSUPP unavailable: running as a Xen PV guest (page tables pinned by Xen), not supported"
		c=$(census $$)
		check "xen_pv fixture: census still works" grep -q '^pte_tables ' <<<"$c"
		rmmod pte_ref
	fi
	load_module
else
	skip "xen_pv fixture" "PTE_REF_XEN_KO not set (tests/run sets it on 6.12)"
fi

# D: no PARAVIRT where __flush_tlb_all() is not exported (7.x), by the
# fixture build: nothing can flush every PCID, so no table is freed.
if [ -n "${PTE_REF_NOPV_KO:-}" ]; then
	unload_module
	if check "no_paravirt fixture: loads" insmod "$PTE_REF_NOPV_KO"; then
		check "no_paravirt fixture: info says reclaim is unavailable, and why" \
			grep -qx "reclaim unavailable: __flush_tlb_all() is not exported to modules (6.19+: KVM only), and without PARAVIRT nothing else flushes every PCID" "$D/info"
		eq "no_paravirt fixture: auto enabled=1 refused with EOPNOTSUPP, no thread" \
			"$("$WR" "$D/auto" enabled=1) $(kv enabled <"$D/auto") $(kv thread_pid <"$D/auto")" \
			"ERR EOPNOTSUPP 0 0"
		if start_bg lo lp "$PTESTRESS" layout; then
			exp=$(grep '^expect ' "$lo")
			lay=$(grep '^layout ' "$lo")
			range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"
			v0=$(vmpte "$lp")
			eq "no_paravirt fixture: reclaim refused with EOPNOTSUPP" \
				"$("$WR" "$D/reclaim" "$lp $range")" "ERR EOPNOTSUPP"
			c=$(census "$lp" "$range")
			eq "no_paravirt fixture: every table still there, the empty ones too" \
				"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c") $(vmpte "$lp")" \
				"$(kvl tables <<<"$exp") $(kvl empty <<<"$exp") $v0"
			stop_bg "$lp"
		else
			not_ok "no_paravirt fixture: ptestress layout runs"
		fi
		rmmod pte_ref
	fi
	load_module
else
	skip "no_paravirt fixture" "PTE_REF_NOPV_KO not set (tests/run sets it on 7.3)"
fi
