#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test_ptestress.sh - run ptestress on this host (it is only a process) and
# check its answers against the kernel's own accounts: VmPTE in
# /proc/PID/status, the present bits of /proc/PID/pagemap, /proc/PID/smaps,
# and the data of its pages in /proc/PID/mem.
#
# A kernel with CONFIG_PT_RECLAIM (6.14+) frees a PTE table that
# MADV_DONTNEED empties, so layout's 0-entry tables and headline's tables
# do not survive there; the expectations follow the kernel's config.

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PTESTRESS=${PTESTRESS:-$TOP/tools/ptestress/ptestress}
PAGEMAP=${PAGEMAP:-$HERE/pagemap_slots}
. "$HERE/tap.sh"

TMP=$(mktemp -d)
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$TMP"' EXIT
SZ_2M=$((2 << 20))

reclaim=unknown
if [ -r /proc/config.gz ]; then
	zcat /proc/config.gz | grep -q '^CONFIG_PT_RECLAIM=y' && reclaim=y ||
		reclaim=n
elif [ -r "/boot/config-$(uname -r)" ]; then
	grep -q '^CONFIG_PT_RECLAIM=y' "/boot/config-$(uname -r)" &&
		reclaim=y || reclaim=n
fi

wait_line()	# FILE REGEX: up to 10 s for a line of FILE to match
{
	local i

	for i in $(seq 100); do
		grep -Eq -- "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

field()		# FILE WORD KEY: value of KEY= on the line starting with WORD
{
	awk -v w="$2" -v k="$3" '$1 == w {
		for (i = 2; i <= NF; i++)
			if (index($i, k "=") == 1)
				print substr($i, length(k) + 2)
	}' "$1"
}

vmpte()		# PID
{
	awk '/^VmPTE:/ {print $2}' "/proc/$1/status"
}

start_bg()	# OUT ARGS...: ptestress in the background, its pid in BG
{
	local out=$1

	shift
	"$@" >"$out" 2>&1 </dev/null &
	BG=$!
	PIDS="$PIDS $BG"
}

stop_bg()	# PID SIGNAL: exit code of ptestress after SIGNAL
{
	kill -s "$2" "$1"
	wait "$1"
}

echo "TAP version 13"
echo "# CONFIG_PT_RECLAIM: $reclaim"

# --- usage ----------------------------------------------------------------
for cmd in "--help" "layout --help" "headline --help" "stress --help" \
	   "faults --help" "churn --help"; do
	$PTESTRESS $cmd >"$TMP/help" 2>&1
	t_is "ptestress $cmd exits 0" "$?" 0
done
t_match "--help lists every command's options" \
	"$($PTESTRESS --help | tr '\n' ' ')" \
	'--help .*--fills .*--repeat .*--grow .*--grow-max .*--file .*--size .*--stride .*--wait'
t_match "--help lists stress's options" \
	"$($PTESTRESS --help | tr '\n' ' ')" \
	'--seconds .*--threads .*--size .*--seed .*--ops .*--report '
t_match "--help lists faults' and churn's options" \
	"$($PTESTRESS --help | tr '\n' ' ')" \
	'ptestress faults .*--threads .*--seconds .*--size .*--interval .*ptestress churn .*--remap-every '
t_match "layout --help tells SIGUSR2's lines" \
	"$($PTESTRESS layout --help | tr '\n' ' ')" \
	"SIGUSR2 .*'verify ok pages=N' or .*'verify bad addr=A want=W got=G'"
for args in "" "bogus" "layout --fills 513" "layout --fills 1,,2" \
	    "layout --repeat 40" "layout --grow 0" "layout --repeat 0" \
	    "layout --grow-max 500" "layout x" "layout --file 257" \
	    "layout --file x" "layout --file" "headline --size 5X" \
	    "headline --size 0" "headline --size 4097" "headline --stride 0" \
	    "headline extra" "stress --threads 0" "stress --threads 65" \
	    "stress --size 3M" "stress --size 0" "stress --ops bogus" \
	    "stress --ops fault," "stress --seconds x" "stress --report -1" \
	    "stress extra" "faults --threads 0" "faults --threads 1025" \
	    "faults --size 3M" "faults --size 0" "faults --size 2X" \
	    "faults --seconds x" "faults --seconds -1" "faults --interval x" \
	    "faults --interval -1" "faults --interval 1e3" \
	    "faults --remap-every 2" "faults extra" "churn --remap-every 0" \
	    "churn --remap-every x" "churn --size 1M" "churn extra" \
	    "files --chunks 0" "files --chunks 65" "files --chunks x" \
	    "files extra"; do
	$PTESTRESS $args >/dev/null 2>&1
	t_is "usage error exits 2: ptestress $args" "$?" 2
done

# --- layout, default list -------------------------------------------------
L=$TMP/layout
start_bg "$L" "$PTESTRESS" layout
lpid=$BG
wait_line "$L" '^ready$'
t_is "layout prints ready" "$?" 0
t_is "layout: pid= is its pid" "$(field "$L" layout pid)" "$lpid"
t_is "layout: expect line of the default list" "$(grep '^expect' "$L")" \
	"expect tables=12 empty=2 present=1679 swap=0 hist=2,1,2,2,2,2,1"
start=$(field "$L" layout start)
end=$(field "$L" layout end)
t_is "layout: 13 slots + 16 grow slots" $(((end - start) / SZ_2M)) 29
t_is "layout: 2 MiB aligned" $((start % SZ_2M + end % SZ_2M)) 0
t_is "layout: inside one 1 GiB window" $((start >> 30)) $(((end - 1) >> 30))

pm=$("$PAGEMAP" "$lpid" "$start" "$end")
t_is "pagemap: present pages of each slot" \
	"$(echo "$pm" | awk '{printf "%s ", $2}')" \
	"0 1 2 7 8 63 64 255 256 511 512 0 0 $(printf '0 %.0s' $(seq 16))"
t_is "pagemap: they are the first K pages of each slot" \
	"$(echo "$pm" | awk '$2 != $4' | wc -l)" 0
t_is "pagemap: nothing swapped" "$(echo "$pm" | awk '{s += $3} END {print s}')" 0

kill -USR2 "$lpid"
wait_line "$L" '^verify ok pages=1679$'
t_is "SIGUSR2: verify ok pages=1679 (the sum of the fills)" "$?" 0
v0=$(vmpte "$lpid")
kill -USR1 "$lpid"
wait_line "$L" '^grown tables=13$'
t_is "SIGUSR1: grown tables=13" "$?" 0
t_is "SIGUSR1: VmPTE rises by one table" $(($(vmpte "$lpid") - v0)) 4
t_is "SIGUSR1: the new table holds one page" \
	"$("$PAGEMAP" "$lpid" "$start" "$end" | awk '$1 == 13 {print $2}')" 1
kill -USR2 "$lpid"
wait_line "$L" '^verify ok pages=1680$'
t_is "SIGUSR2 after a grow: verify ok pages=1680" "$?" 0
kill -USR1 "$lpid"
wait_line "$L" '^grown tables=14$'
t_is "second SIGUSR1: grown tables=14, VmPTE +8 in all" \
	"$?:$(($(vmpte "$lpid") - v0))" "0:8"
kill -USR2 "$lpid"
wait_line "$L" '^verify ok pages=1681$'
t_is "SIGUSR2 after two grows: verify ok pages=1681" "$?" 0

# The data pattern, read through /proc/PID/mem: slot 10 holds 512 pages,
# its page 5 the byte (10 * 7 + 5) % 251 + 1.
mem_byte()	# PID ADDR: the byte at ADDR, in decimal
{
	dd if="/proc/$1/mem" bs=1 skip="$2" count=1 status=none 2>/dev/null |
		od -An -tu1 | tr -d ' '
}
if [ -n "$(mem_byte "$lpid" $((start + SZ_2M)))" ]; then
	t_is "pattern: page 5 of slot 10 holds 76" \
		"$(mem_byte "$lpid" $((start + 10 * SZ_2M + 5 * 4096)))" 76
	t_is "pattern: grown slot 14 holds 99" \
		"$(mem_byte "$lpid" $((start + 14 * SZ_2M)))" 99
	# Break page 0 of slot 1 (byte 8): verify names it.
	printf '\377' | dd of="/proc/$lpid/mem" bs=1 seek=$((start + SZ_2M)) \
		conv=notrunc status=none
	kill -USR2 "$lpid"
	want=$(printf 'verify bad addr=0x%x want=8 got=255' $((start + SZ_2M)))
	wait_line "$L" "^$want\$"
	t_is "SIGUSR2 after a page changed: $want" "$?" 0
else
	for t in "pattern: page 5 of slot 10" "pattern: grown slot 14" \
		 "SIGUSR2 after a page changed"; do
		t_skip "$t" "/proc/PID/mem not readable here"
	done
fi
stop_bg "$lpid" TERM
t_is "SIGTERM: exit 0" "$?" 0

# --- layout growth limits -------------------------------------------------
G=$TMP/grow
start_bg "$G" "$PTESTRESS" layout --fills 1 --grow 3 --grow-max 4
gpid=$BG
wait_line "$G" '^ready$'
v0=$(vmpte "$gpid")
kill -USR1 "$gpid"
wait_line "$G" '^grown tables=4$'
t_is "--grow 3: grown tables=4, VmPTE +12" \
	"$?:$(($(vmpte "$gpid") - v0))" "0:12"
kill -USR1 "$gpid"
wait_line "$G" '^error grow-max=4 reached tables=4$'
t_is "--grow-max exhausted: error line, nothing added" \
	"$?:$(($(vmpte "$gpid") - v0))" "0:12"
kill -USR2 "$gpid"
wait_line "$G" '^verify ok pages=4$'
t_is "--grow 3: verify ok pages=4 (1 + 3 grown)" "$?" 0
stop_bg "$gpid" INT
t_is "SIGINT: exit 0" "$?" 0

# --- layout --repeat, --file ---------------------------------------------
F=$TMP/file
mkdir "$TMP/files"
start_bg "$F" env TMPDIR="$TMP/files" "$PTESTRESS" layout --fills 3,-,0 \
	--repeat 2 --file 4
fpid=$BG
wait_line "$F" '^ready$'
t_is "--file: ready" "$?" 0
t_match "--file: file line" "$(grep ^file "$F")" \
	'^file start=0x[0-9a-f]+ end=0x[0-9a-f]+ tables=4$'
fstart=$(field "$F" file start)
fend=$(field "$F" file end)
t_is "--file: 2 MiB aligned, 4 chunks" \
	"$((fstart % SZ_2M)):$((fend - fstart))" "0:$((4 * SZ_2M))"
vma=$(printf '%x-%x ' "$fstart" "$fend")
t_match "--file: smaps shows a private read-only VMA of a deleted file" \
	"$(grep "^$vma" "/proc/$fpid/smaps")" \
	"^$vma"'r--p 00000000 [0-9a-f]+:[0-9a-f]+ [1-9][0-9]* +'"$TMP/files/ptestress"'\.[A-Za-z0-9]{6} \(deleted\)$'
t_is "--file: no page of it is mapped any more" \
	"$(awk -v v="$vma" 'index($0, v) == 1 {on = 1; next}
		on && /^Rss:/ {print $2; exit}' "/proc/$fpid/smaps")" 0
t_is "--file: the file is gone from \$TMPDIR" "$(ls -A "$TMP/files")" ""
kill -USR2 "$fpid"
wait_line "$F" '^verify ok pages=6$'
t_is "--repeat 2 of 3,-,0: verify ok pages=6" "$?" 0
stop_bg "$fpid" TERM
t_is "--file: SIGTERM exits 0" "$?" 0

TMPDIR=$TMP/nowhere $PTESTRESS layout --file 1 >"$F" 2>&1
t_is "--file with a bad \$TMPDIR: exit 1" "$?" 1
t_match "--file with a bad \$TMPDIR: message" "$(cat "$F")" \
	"^ptestress: mkstemp $TMP/nowhere/ptestress\.[A-Za-z0-9]{6}: No such file or directory$"

# --- layout against VmPTE: the same address space with and without it -----
# With ASLR off both runs map the same addresses, so VmPTE differs only by
# the PTE tables of the region (the baseline keeps one, for the PMD table).
if setarch "$(uname -m)" -R true 2>/dev/null; then
	start_bg "$TMP/a" setarch "$(uname -m)" -R "$PTESTRESS" layout
	apid=$BG
	start_bg "$TMP/b" setarch "$(uname -m)" -R "$PTESTRESS" layout \
		--fills 1,-,-,-,-,-,-,-,-,-,-,-,-
	bpid=$BG
	wait_line "$TMP/a" '^ready$' && wait_line "$TMP/b" '^ready$'
	diff=$(($(vmpte "$apid") - $(vmpte "$bpid")))
	# Emptied by a 1 MiB MADV_DONTNEED, the 2 empty tables stay even
	# where PT_RECLAIM runs (it frees only tables a zap covers whole).
	case $reclaim in
	y | n) want=$((4 * (12 - 1))) ;;
	*) want=$diff ;;
	esac
	t_is "layout: same address space (ASLR off)" \
		"$(field "$TMP/a" layout start)" "$(field "$TMP/b" layout start)"
	t_is "layout: VmPTE = baseline + 4 kB per table (reclaim=$reclaim)" \
		"$diff" "$want"
	stop_bg "$apid" TERM
	stop_bg "$bpid" TERM
else
	t_skip "layout: same address space (ASLR off)" "setarch -R refused"
	t_skip "layout: VmPTE = baseline + 4 kB per table" "setarch -R refused"
fi

# --- headline -------------------------------------------------------------
H=$TMP/headline
$PTESTRESS headline --size 64M --stride 2M >"$H" 2>&1
t_is "headline --size 64M --stride 2M exits 0" "$?" 0
t_match "headline line" "$(grep ^headline "$H")" \
	'^headline pid=[0-9]+ size=67108864 stride=2097152 chunks=32 split=0 unaligned=0 start=0x[0-9a-f]+ end=0x[0-9a-f]+$'
t_match "before line" "$(grep ^before "$H")" \
	'^before virt_kb=[0-9]+ rss_kb=[0-9]+ vmpte_kb=[0-9]+$'
t_match "after line" "$(grep ^after "$H")" \
	'^after virt_kb=[0-9]+ rss_kb=[0-9]+ vmpte_kb=[0-9]+ seconds=[0-9]+\.[0-9]{3}$'
start=$(field "$H" headline start)
end=$(field "$H" headline end)
t_is "headline: 2 MiB aligned, end - start = size" \
	"$((start % SZ_2M)):$((end - start))" "0:67108864"
grew=$(($(field "$H" after vmpte_kb) - $(field "$H" before vmpte_kb)))
case $reclaim in
y) t_ok "headline: PT_RECLAIM freed the 32 tables (VmPTE +$grew kB)" \
	test "$grew" -lt 128 ;;
n) t_ok "headline: 32 empty tables stay (VmPTE +$grew kB)" \
	test "$grew" -ge 128 ;;
*) t_skip "headline: VmPTE after" "kernel config unknown" ;;
esac

# --split: two 1 MiB MADV_DONTNEEDs per chunk, which PT_RECLAIM misses.
$PTESTRESS headline --size 64M --stride 2M --split >"$H" 2>&1
t_is "headline --split exits 0, says split=1" "$?:$(field "$H" headline split)" "0:1"
grew=$(($(field "$H" after vmpte_kb) - $(field "$H" before vmpte_kb)))
case $reclaim in
y | n) t_ok "headline --split: the 32 empty tables stay, even with PT_RECLAIM (+$grew kB)" \
	test "$grew" -ge 128 ;;
*) t_skip "headline --split: VmPTE after" "kernel config unknown" ;;
esac

# --unaligned: 2 MiB MADV_DONTNEEDs shifted by 1 MiB, missed too.
$PTESTRESS headline --size 64M --stride 2M --unaligned >"$H" 2>&1
t_is "headline --unaligned exits 0, says unaligned=1 split=0" \
	"$?:$(field "$H" headline unaligned):$(field "$H" headline split)" "0:1:0"
grew=$(($(field "$H" after vmpte_kb) - $(field "$H" before vmpte_kb)))
case $reclaim in
y | n) t_ok "headline --unaligned: the 32 empty tables stay, even with PT_RECLAIM (+$grew kB)" \
	test "$grew" -ge 128 ;;
*) t_skip "headline --unaligned: VmPTE after" "kernel config unknown" ;;
esac
out=$($PTESTRESS headline --size 4M --split --unaligned 2>&1)
t_is "headline --split --unaligned: usage error (exit 2)" "$?" 2
t_match "... saying to choose one" "$out" "choose one"

$PTESTRESS headline --size 3M --stride 4K >"$H" 2>&1
t_is "headline --size 3M: 2 chunks, exit 0" \
	"$?:$(field "$H" headline chunks)" "0:2"

start_bg "$H" "$PTESTRESS" headline --size 16M --wait
hpid=$BG
wait_line "$H" '^ready$'
t_is "headline --wait prints ready" "$?" 0
t_is "headline --wait: VmPTE is still what 'after' said" \
	"$(vmpte "$hpid")" "$(field "$H" after vmpte_kb)"
stop_bg "$hpid" TERM
t_is "headline --wait: SIGTERM exits 0" "$?" 0

# --- stress ---------------------------------------------------------------
OPS="fault dontneed munmap mremap mprotect fork gup vmsplice uffd ksm collapse pageout
     fwrite fdontneed truncate punch fpageout fcollapse fmremap empty"
S=$TMP/stress
timeout 60 "$PTESTRESS" stress --seconds 5 --threads 2 --size 8M --seed 12345 \
	--report 2 >"$S" 2>"$TMP/stress.err"
rc=$?
t_is "stress --seconds 5 --threads 2 --size 8M exits 0" "$rc" 0 ||
	sed 's/^/#   /' "$S" "$TMP/stress.err"
t_match "stress: first line" "$(head -n 1 "$S")" \
	'^stress pid=[0-9]+ threads=2 size=8388608 seconds=5 seed=12345$'
t_is "stress: ready after the region lines, then the shmem files'" \
	"$(grep -v -E '^(skip|note) ' "$S" | sed -n '2,6p' | cut -d' ' -f1 |
	   tr '\n' ' ')" "region region fregion fregion ready "
regions=
for s in $(field "$S" region start); do
	e=$(grep -m 1 " start=$s " "$S" | sed 's/.* end=\([^ ]*\) .*/\1/')
	regions="$regions$((s % (1 << 30))):$((e - s)) "
done
t_is "stress: two 8M regions, each at the start of a 1 GiB window" "$regions" \
	"0:8388608 0:8388608 "
t_is "stress: two 8M shmem files mapped, 2 MiB aligned" \
	"$(for s in $(field "$S" fregion start); do
		e=$(grep -m 1 "^fregion .* start=$s " "$S" | sed 's/.* end=//')
		printf '%s ' "$((s % SZ_2M)):$((e - s))"
	   done)" "0:8388608 0:8388608 "
t_match "stress: progress lines" "$(grep ^progress "$S" | head -n 1)" \
	'^progress seconds=2 ops=[0-9]+ verified_pages=[0-9]+ mismatches=0$'
t_is "stress: no mismatch, crash or error line" \
	"$(grep -E '^(mismatch|crash) ' "$S"; cat "$TMP/stress.err")" ""
last=$(tail -n 1 "$S")
t_match "stress: last line" "$last" \
	'^stress ops=[1-9][0-9]* verified_pages=[1-9][0-9]* mismatches=0 forks=[1-9][0-9]* errors=0 skipped=(none|[a-z,]+)$'
skipped=$(sed -n 's/.* skipped=//p' <<<"$last")
for op in $OPS; do
	n=$(field "$S" counts "$op")
	if [[ ",$skipped," == *",$op,"* ]]; then
		t_is "stress: $op skipped, with a skip line saying why" \
			"$n:$(grep -c "^skip $op: " "$S")" "0:1"
	else
		t_ok "stress: $op ran ($n times)" test "${n:-0}" -gt 0
	fi
done
t_is "stress: a skip line for each op skipped, no other" \
	"$(grep '^skip ' "$S" | cut -d' ' -f2 | tr -d : | paste -sd, -)" \
	"$([ "$skipped" = none ] || echo "$skipped")"
if [[ ",$skipped," != *",uffd,"* ]]; then
	t_ok "stress: uffd served missing pages ($(field "$S" detail \
		uffd_missing))" test "$(field "$S" detail uffd_missing)" -gt 0
else
	t_skip "stress: uffd served missing pages" "no userfaultfd here"
fi

# The checker checks: one byte changed behind its back is reported.
timeout 30 "$PTESTRESS" stress --seconds 2 --threads 1 --size 4M --seed 7 \
	--report 0 --self-test-corrupt >"$S" 2>"$TMP/stress.err"
t_is "stress --self-test-corrupt exits 1" "$?" 1
mm=$(grep '^mismatch ' "$S")
t_match "--self-test-corrupt: one mismatch line" "$mm" \
	'^mismatch thread=0 addr=0x[0-9a-f]+ page=[0-9]+ want=0x[0-9a-f]{16} got=0x[0-9a-f]{16} op_history=([a-z]+,)*corrupt$'
want=$(field "$S" mismatch want)
got=$(field "$S" mismatch got)
start=$(field "$S" region start)
addr=$(field "$S" mismatch addr)
t_is "--self-test-corrupt: byte 0 of page N of the region, xor 0x5a" \
	"$(((addr - start) / 4096)):$((addr % 4096)):$((want ^ got))" \
	"$(field "$S" mismatch page):0:90"
t_match "--self-test-corrupt: last line counts it" "$(tail -n 1 "$S")" \
	'^stress ops=[0-9]+ verified_pages=[0-9]+ mismatches=1 forks=[0-9]+ errors=0 '

# --ops runs those alone; --seconds 0 runs until SIGTERM.
timeout 30 "$PTESTRESS" stress --seconds 1 --threads 1 --size 2M \
	--ops fault,dontneed >"$S" 2>&1
t_is "stress --ops fault,dontneed: exit 0" "$?" 0
t_match "--ops fault,dontneed: only those and verify" \
	"$(grep ^counts "$S")" \
	'^counts fault=[1-9][0-9]* dontneed=[1-9][0-9]* munmap=0 mremap=0 mprotect=0 fork=0 gup=0 vmsplice=0 uffd=0 ksm=0 collapse=0 pageout=0 fwrite=0 fdontneed=0 truncate=0 punch=0 fpageout=0 fcollapse=0 fmremap=0 empty=0 verify=[1-9][0-9]*$'
t_match "--ops fault,dontneed: nothing probed, nothing skipped" \
	"$(grep -E '^(skip|note) |^stress ops' "$S")" 'skipped=none$'
start_bg "$S" "$PTESTRESS" stress --seconds 0 --threads 1 --size 2M \
	--report 0
spid=$BG
wait_line "$S" '^ready$'
t_is "stress --seconds 0: ready" "$?" 0
sleep 1
stop_bg "$spid" TERM
t_is "stress --seconds 0: SIGTERM exits 0" "$?" 0
t_match "stress --seconds 0: SIGTERM still prints the last line" \
	"$(tail -n 1 "$S")" '^stress ops=[1-9][0-9]* .* mismatches=0 '

# --- faults, churn -------------------------------------------------------
vma_of()	# PID ADDR: AnonHugePages and VmFlags of the VMA holding ADDR
{
	local first rest on=0

	while read -r first rest; do
		if [[ $first =~ ^([0-9a-f]+)-([0-9a-f]+)$ ]]; then
			on=$((16#${BASH_REMATCH[1]} <= $2 &&
			      $2 < 16#${BASH_REMATCH[2]}))
		elif [ "$on" = 1 ] && [[ $first =~ ^(AnonHugePages|VmFlags): ]]
		then
			printf '%s %s ' "$first" "$rest"
		fi
	done <"/proc/$1/smaps"
}

P=$TMP/faults
timeout 30 "$PTESTRESS" faults --threads 2 --seconds 1 --size 4M \
	--interval 0.25 >"$P" 2>&1
t_is "faults --threads 2 --seconds 1 --size 4M: exit 0" "$?" 0 ||
	sed 's/^/#   /' "$P"
t_match "faults: first line" "$(head -n 1 "$P")" \
	'^faults pid=[0-9]+ threads=2 size=4194304 seconds=1 interval=0\.25$'
t_is "faults: region lines, then ready" \
	"$(sed -n '2,4p' "$P" | cut -d' ' -f1 | tr '\n' ' ')" "region region ready "
regions=
for s in $(field "$P" region start); do
	e=$(grep -m 1 " start=$s " "$P" | sed 's/.* end=//')
	regions="$regions$((s % SZ_2M)):$((e - s)) "
done
t_is "faults: two 4M regions, 2 MiB aligned" "$regions" \
	"0:4194304 0:4194304 "
t_match "faults: interval lines" "$(grep ^interval "$P" | head -n 1)" \
	'^interval t=0\.[0-9]{3} faults=[0-9]+ faults_per_sec=[0-9]+$'
t_ok "faults: an interval line every 0.25 s ($(grep -c ^interval "$P"))" \
	test "$(grep -c ^interval "$P")" -ge 3
last=$(tail -n 1 "$P")
t_match "faults: last line" "$last" \
	'^faults threads=2 seconds=1\.[0-9]{3} faults=[1-9][0-9]* faults_per_sec=[1-9][0-9]*$'
tail -n 1 "$P" >"$P.last"	# the first line starts with faults too
f=$(field "$P.last" faults faults)
t_is "faults: counted per 2 MiB, 512 pages" "$((f % 512))" 0
t_ok "faults: faults_per_sec = faults / seconds" awk -v f="$f" \
	-v s="$(field "$P.last" faults seconds)" \
	-v r="$(field "$P.last" faults faults_per_sec)" \
	'BEGIN {exit !(r > 0.999 * f / s && r < 1.001 * f / s)}'
t_ok "faults: the intervals add up to at most the total" test \
	"$(grep ^interval "$P" | sed 's/.* faults=\([0-9]*\) .*/\1/' |
	   awk '{s += $1} END {print s}')" -le "$f"

timeout 30 "$PTESTRESS" churn --seconds 1 --size 4M --interval 0 >"$P" 2>&1
t_is "churn --seconds 1 --size 4M --interval 0: exit 0" "$?" 0 ||
	sed 's/^/#   /' "$P"
t_match "churn: first line" "$(head -n 1 "$P")" \
	'^churn pid=[0-9]+ threads=1 size=4194304 seconds=1 interval=0 remap_every=1$'
t_is "churn --interval 0: no interval line" "$(grep -c ^interval "$P")" 0
t_match "churn: last line" "$(tail -n 1 "$P")" \
	'^churn threads=1 seconds=1\.[0-9]{3} faults=[1-9][0-9]* munmaps=[1-9][0-9]* faults_per_sec=[1-9][0-9]*$'
f=$(field "$P" churn faults)
m=$(field "$P" churn munmaps)
t_ok "churn: a munmap per round of 1024 faults ($f faults, $m munmaps)" \
	test $((f / 1024 - m)) -ge 0 -a $((f / 1024 - m)) -le 1
timeout 30 "$PTESTRESS" churn --seconds 1 --size 2M --remap-every 4 \
	--interval 0.5 >"$P" 2>&1
f=$(field "$P" churn faults)
m=$(field "$P" churn munmaps)
t_ok "churn --remap-every 4: a munmap per 4 rounds ($f faults, $m munmaps)" \
	test "$m" -gt 0 -a $((m * 4)) -le $((f / 512)) -a \
	$((f / 512)) -le $((m * 4 + 4))
t_match "churn: interval lines end with munmaps=" \
	"$(grep ^interval "$P" | head -n 1)" \
	'^interval t=0\.[0-9]{3} faults=[0-9]+ faults_per_sec=[0-9]+ munmaps=[0-9]+$'

# Mapped again at its place, MADV_NOHUGEPAGE again; SIGTERM ends it.
start_bg "$P" "$PTESTRESS" churn --seconds 0 --size 4M --interval 0
cpid=$BG
wait_line "$P" '^ready$'
t_is "churn --seconds 0: ready" "$?" 0
sleep 0.3
start=$(field "$P" region start)
# Between its munmap and mmap, or mmap and madvise, a read can catch the
# region away or without nh: the state most reads see is the one checked.
want='^AnonHugePages: 0 kB VmFlags: .* nh( |$)'
for _ in $(seq 20); do
	vma=$(vma_of "$cpid" "$start")
	[[ $vma =~ $want ]] && break
	sleep 0.05
done
t_match "churn: the region is mapped, nohugepage (nh), no THP" "$vma" \
	"$want"
stop_bg "$cpid" TERM
t_is "churn --seconds 0: SIGTERM exits 0" "$?" 0
t_match "churn: SIGTERM still prints the last line" "$(tail -n 1 "$P")" \
	'^churn threads=1 seconds=[0-9.]+ faults=[1-9][0-9]* munmaps=[1-9][0-9]* '
start_bg "$P" "$PTESTRESS" faults --seconds 0
fpid=$BG
wait_line "$P" '^ready$'
sleep 0.2
stop_bg "$fpid" INT
t_is "faults --seconds 0: SIGINT exits 0, last line" \
	"$?:$(tail -n 1 "$P" | cut -d' ' -f1-2)" "0:faults threads=1"

# --- layout --window: the whole 1 GiB window is the layout's -------------
start_bg "$P" "$PTESTRESS" layout --window --fills 0,3 --grow-max 1
wpid=$BG
wait_line "$P" '^ready$'
wstart=$(field "$P" window start)
wend=$(field "$P" window end)
start=$(field "$P" layout start)
end=$(field "$P" layout end)
t_is "layout --window: the window is 1 GiB, aligned, the layout at its start" \
	"$((wend - wstart)) $((wstart % (1 << 30))) $((start - wstart))" "$((1 << 30)) 0 0"
t_is "layout --window: the rest of the window is one PROT_NONE mapping" \
	"$(awk -v s="$(printf '%x' "$end")-$(printf '%x' "$wend")" '$1 == s { print $2 }' "/proc/$wpid/maps")" \
	"---p"
t_is "layout --window: the layout itself as ever" "$(grep '^expect' "$P")" \
	"expect tables=2 empty=1 present=3 swap=0 hist=1,0,1,0,0,0,0"
stop_bg "$wpid" TERM

# --- files: five regions, each emptied its own way --------------------
# region_range KIND: the start and end of files' region KIND, two words.
region_range() {
	grep "^region kind=$1 " "$P" | tr ' ' '\n' | awk -F= '$1 == "start" || $1 == "end" { print $2 }'
}
start_bg "$P" "$PTESTRESS" files --chunks 2
fpid=$BG
wait_line "$P" '^ready$'
t_is "files: one region line per kind, in order" \
	"$(awk '$1 == "region" { print $2, $5, $6 }' "$P" | tr '\n' ' ')" \
	"kind=shmem tables=2 empty=2 kind=remove tables=2 empty=2 kind=truncated tables=2 empty=2 kind=private tables=1 empty=1 kind=kept tables=2 empty=0 "
t_is "files: kept's chunks hold 3 pages each, the others none" \
	"$("$PAGEMAP" "$fpid" $(region_range kept) | awk '{printf "%s ", $2}')" "3 3 "
t_is "files: shmem's chunks are zapped" \
	"$("$PAGEMAP" "$fpid" $(region_range shmem) | awk '{printf "%s ", $2}')" "0 0 "
kill -USR2 "$fpid"
wait_line "$P" '^verify ok pages=27$'
t_is "files: SIGUSR2: verify ok pages=27 (data kept, zeros, the file's bytes)" "$?" 0
stop_bg "$fpid" TERM

t_ok "ptestress is statically linked" \
	bash -c "! readelf -l '$PTESTRESS' | grep -q INTERP"

t_done
