# shellcheck shell=bash
# t07: forced reclaim frees exactly the empty tables it may, keeps every
# byte, and refuses bad input.

rkv() { kv "$1" <"$D/reclaim"; }

check "info: reclaim available" grep -qx "reclaim available" "$D/info"
eq "reclaim reads none before any" "$(cat "$D/reclaim")" none

if start_bg lo lpid "$PTESTRESS" layout --grow 1 --file 3; then
	exp=$(grep '^expect ' "$lo")
	lay=$(grep '^layout ' "$lo")
	range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"
	tables=$(kvl tables <<<"$exp")
	empty=$(kvl empty <<<"$exp")
	v0=$(vmpte "$lpid")
	r=$("$WR" "$D/reclaim" "$lpid $range")
	eq "reclaim PID RANGE: the write succeeds" "${r%% *}" OK
	eq "reclaim: target read back" "$(grep '^target' "$D/reclaim")" "target $lpid $range"
	eq "reclaim: scanned = tables, freed = empty, the rest not empty" \
		"$(rkv scanned) $(rkv freed) $(rkv skipped_not_empty) $(rkv error)" \
		"$tables $empty $((tables - empty)) 0"
	eq "reclaim: freed_kb" "$(rkv freed_kb)" "$((empty * 4))"
	eq "VmPTE drops by exactly freed x 4 kB" "$((v0 - $(vmpte "$lpid")))" "$((empty * 4))"
	c=$(census "$lpid" "$range")
	eq "census after: no empty table, the full ones all there" \
		"$(kv pte_tables <<<"$c") $(kv empty_tables <<<"$c") $(kv present <<<"$c")" \
		"$((tables - empty)) 0 $(kvl present <<<"$exp")"
	kill -USR2 "$lpid"
	for i in $(seq 100); do grep -q '^verify' "$lo" && break; sleep 0.1; done
	eq "every byte of the layout unchanged" "$(grep '^verify' "$lo" | tail -n 1 | cut -d' ' -f1-2)" "verify ok"

	"$WR" "$D/reclaim" "$lpid $range" >/dev/null
	eq "a second reclaim frees nothing" "$(rkv freed) $(rkv scanned)" "0 $((tables - empty))"

	kill -USR1 "$lpid"
	for i in $(seq 100); do grep -q '^grown' "$lo" && break; sleep 0.1; done
	c=$(census "$lpid" "$range")
	eq "faults after reclaim build a new table" "$(kv pte_tables <<<"$c")" "$((tables - empty + 1))"
	kill -USR2 "$lpid"
	for i in $(seq 100); do [ "$(grep -c '^verify' "$lo")" -ge 2 ] && break; sleep 0.1; done
	eq "still every byte, and the new one" "$(grep '^verify' "$lo" | tail -n 1 | cut -d' ' -f1-2)" "verify ok"

	f=$(grep '^file ' "$lo")
	"$WR" "$D/reclaim" "$lpid $(kvl start <<<"$f")-$(kvl end <<<"$f")" >/dev/null
	if grep -qx "reclaim_file available" "$D/info"; then
		eq "file VMA (6.14+): its 3 empty tables are freed" \
			"$(rkv scanned) $(rkv freed) $(rkv skipped_excluded)" "3 3 0"
	else
		eq "file VMA (before 6.14): its 3 empty tables are skipped, not freed" \
			"$(rkv scanned) $(rkv freed) $(rkv skipped_excluded)" "3 0 3"
	fi

	# Bad input: its errno, and the last result stays.
	before=$(cat "$D/reclaim")
	badr() {
		local want=$1 input=$2 r
		r=$("$WR" "$D/reclaim" "$input")
		if [ "$r" = "ERR $want" ] && [ "$(cat "$D/reclaim")" = "$before" ]; then
			ok "reclaim '$input': $want, nothing changed"
		else
			not_ok "reclaim '$input': got '$r'"
		fi
	}
	badr EINVAL ""
	badr EINVAL "abc"
	badr EINVAL "all x"
	badr EINVAL "ALL"
	badr EINVAL "0"
	badr EINVAL "-5"
	badr EINVAL "2"
	badr ESRCH "$(($(cat /proc/sys/kernel/pid_max) + 1))"
	badr EINVAL "$lpid 0x2000-0x1000"
	badr EINVAL "$lpid 0x1001-0x2000"
	badr EINVAL "$lpid 0x1000-0x2000 x"
	r=$("$WR" -n 100 "$D/reclaim")
	eq "reclaim: 100-byte write: E2BIG" "$r" "ERR E2BIG"
	r=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$WR" "$D/reclaim" "$lpid")
	eq "reclaim is unwritable for uid 65534" "$r" "ERR EACCES"
	eq "after all that, the last result is the same" "$(cat "$D/reclaim")" "$before"
	stop_bg "$lpid"
else
	not_ok "ptestress layout --file runs"
fi

# The series' headline, small: every table of the region goes.
if start_bg ho hpid "$PTESTRESS" headline --size 1G --stride 2M --split --wait; then
	v0=$(vmpte "$hpid")
	"$WR" "$D/reclaim" "$hpid" >/dev/null
	v1=$(vmpte "$hpid")
	diag "headline 1G: VmPTE $v0 kB -> $v1 kB"
	eq "headline 1G: 512 tables freed" "$(rkv freed)" 512
	# The PMD tables of the 1 GiB windows it covers alone go too.
	eq "headline 1G: VmPTE drops by exactly 2048 kB, plus 4 per PMD table freed ($(rkv pmd_freed))" \
		"$((v0 - v1))" "$((2048 + 4 * $(rkv pmd_freed)))"
	check "headline 1G: VmPTE after <= 248 kB (the series' figure)" test "$v1" -le 248
	stop_bg "$hpid"
else
	not_ok "ptestress headline runs"
fi

# all: every process, and our target among them.
if start_bg ho hpid "$PTESTRESS" headline --size 256M --stride 2M --split --wait; then
	r=$("$WR" "$D/reclaim" all)
	eq "reclaim all: succeeds" "${r%% *} $(rkv target) $(rkv error)" "OK all 0"
	check "reclaim all: freed at least the 128 tables of our process" test "$(rkv freed)" -ge 128
	check "reclaim all: went through several processes" test "$(rkv processes)" -ge 3
	eq "reclaim all: our process has no empty table left" \
		"$(census "$hpid" | kv empty_tables)" 0
	stop_bg "$hpid"
fi

# rmmod while a reclaim runs: rmmod is refused (busy) until the write is
# done, then succeeds; never a crash (the console scan checks).
if start_bg ho hpid "$PTESTRESS" headline --size 16G --stride 2M --split --wait; then
	"$WR" "$D/reclaim" "$hpid" >/tmp/t07.rmmod &
	wpid=$!
	for i in $(seq 100); do rmmod pte_ref 2>/dev/null && break; sleep 0.05; done
	wait "$wpid"
	check "reclaim raced with rmmod: the write finished or never opened" \
		grep -qE '^(OK|ERR ENOENT)' /tmp/t07.rmmod
	check "rmmod went through once the write was done" sh -c "! lsmod | grep -q '^pte_ref '"
	load_module
	stop_bg "$hpid"
fi
check "no page table leaked (no pgtables_bytes complaint)" \
	sh -c "! dmesg | grep -q 'non-zero pgtables_bytes'"

# pteref reclaim: text and JSON, VmPTE before and after.
if start_bg ho hpid "$PTESTRESS" headline --size 512M --stride 2M --split --wait; then
	j=$("$PTEREF" reclaim "$hpid" --json)
	eq "pteref reclaim --json: target, freed, VmPTE drop" \
		"$(jq -r '"\(.target) \(.freed) \(.vmpte_before_kb - .vmpte_after_kb - 4 * .pmd_freed)"' <<<"$j")" \
		"$hpid 256 1024"
	t=$("$PTEREF" reclaim "$hpid")
	eq "pteref reclaim text: freed 0 the second time" "$(awk '$1 == "freed" { print $2 }' <<<"$t")" 0
	check "pteref reclaim text: shows VmPTE" grep -q '^vmpte_after_kb' <<<"$t"
	stop_bg "$hpid"
fi
r=$("$PTEREF" reclaim 2147483647 2>&1)
eq "pteref reclaim of a missing pid: exit 1" "$?" 1
check "pteref reclaim of a missing pid: says so" grep -q "No such process" <<<"$r"
"$PTEREF" reclaim all --range 0x1000-0x2000 >/dev/null 2>&1
eq "pteref reclaim all --range: usage error" "$?" 2
