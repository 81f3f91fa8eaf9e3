#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test_ptestress.sh - run ptestress on this host (it is only a process) and
# check its answers against the kernel's own accounts: VmPTE in
# /proc/PID/status and the present bits of /proc/PID/pagemap.
#
# A kernel with CONFIG_PT_RECLAIM (6.14+) frees a PTE table that
# MADV_DONTNEED empties, so layout's 0-entry tables and headline's tables
# do not survive there; the expectations follow the kernel's config.

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PTESTRESS=${PTESTRESS:-$TOP/tools/ptestress}
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
for cmd in "--help" "layout --help" "headline --help"; do
	$PTESTRESS $cmd >"$TMP/help" 2>&1
	t_is "ptestress $cmd exits 0" "$?" 0
done
t_match "--help lists every command's options" \
	"$($PTESTRESS --help | tr '\n' ' ')" \
	'--help .*--fills .*--repeat .*--grow .*--grow-max .*--size .*--stride .*--wait'
for args in "" "bogus" "layout --fills 513" "layout --fills 1,,2" \
	    "layout --repeat 40" "layout --grow 0" "layout --repeat 0" \
	    "layout --grow-max 500" "layout x" "headline --size 5X" \
	    "headline --size 0" "headline --size 4097" "headline --stride 0" \
	    "headline extra"; do
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

v0=$(vmpte "$lpid")
kill -USR1 "$lpid"
wait_line "$L" '^grown tables=13$'
t_is "SIGUSR1: grown tables=13" "$?" 0
t_is "SIGUSR1: VmPTE rises by one table" $(($(vmpte "$lpid") - v0)) 4
t_is "SIGUSR1: the new table holds one page" \
	"$("$PAGEMAP" "$lpid" "$start" "$end" | awk '$1 == 13 {print $2}')" 1
kill -USR1 "$lpid"
wait_line "$L" '^grown tables=14$'
t_is "second SIGUSR1: grown tables=14, VmPTE +8 in all" \
	"$?:$(($(vmpte "$lpid") - v0))" "0:8"
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
stop_bg "$gpid" INT
t_is "SIGINT: exit 0" "$?" 0

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
	case $reclaim in
	y) want=$((4 * (12 - 2 - 1))) ;;	# the 2 emptied tables freed
	n) want=$((4 * (12 - 1))) ;;
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
	'^headline pid=[0-9]+ size=67108864 stride=2097152 chunks=32 start=0x[0-9a-f]+ end=0x[0-9a-f]+$'
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

t_ok "ptestress is statically linked" \
	bash -c "! readelf -l '$PTESTRESS' | grep -q INTERP"

t_done
