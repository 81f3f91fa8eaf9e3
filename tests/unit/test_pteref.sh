#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test_pteref.sh - run pteref against canned debugfs files (fake/, through
# $PTE_REF_DEBUGFS) and check its text, its JSON (with jq), its exit codes
# and its error messages.  Needs no module: runs on any host.

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PTEREF=${PTEREF:-$TOP/tools/pteref/pteref}
. "$HERE/tap.sh"

TMP=$(mktemp -d)
SPID=
trap 'test -n "$SPID" && kill $SPID 2>/dev/null; rm -rf "$TMP"' EXIT
D=$TMP/pte_ref
export PTE_REF_DEBUGFS=$D

fresh()		# a clean copy of the canned files, with an empty target
{
	rm -rf "$D"
	cp -r "$HERE/fake" "$D"
	: > "$D/target"
}

# run ARGS...: sets OUT, ERR and RC
run()
{
	OUT=$("$PTEREF" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

echo "TAP version 13"
fresh

# --- help and usage -------------------------------------------------------
run --help
t_is "--help exits 0" "$RC" 0
for opt in --help --version --json --count --sort --range reclaim watch \
	   --interval --csv --on; do
	t_match "--help lists $opt" "$OUT" "$opt"
done
run top --help
t_match "top --help lists -n, --sort, --json, --help" "$(echo $OUT)" \
	'-n, --count .*-s, --sort .*-j, --json .*-h, --help'
run stat --help
t_match "stat --help lists --range, --json, --help" "$(echo $OUT)" \
	'-r, --range .*-j, --json .*-h, --help'
run info --help
t_match "info --help lists --json, --help" "$(echo $OUT)" \
	'-j, --json .*-h, --help'
run watch --help
t_match "watch --help lists --interval, --count, --csv, --on, --help" \
	"$(echo $OUT)" \
	'^pteref watch PID\|all .*-i, --interval .*-n, --count .*-c, --csv .*-o, --on .*-h, --help'
run reclaim --help
t_match "reclaim --help lists --range, --json, --help" "$(echo $OUT)" \
	'^pteref reclaim PID\|all .*-r, --range .*-j, --json .*-h, --help'
for args in "" "bogus" "stat" "stat abc" "stat 1 2" "top -n x" \
	    "top --bogus" "info extra" "stat 1 --range zz" \
	    "stat 1 --range 0x1001-0x2000" "stat 1 --range 0x2000-0x1000" \
	    "reclaim" "reclaim abc" "reclaim 0" "reclaim -1" "reclaim 1 2" \
	    "reclaim 2147483648" "reclaim all --range 1000-2000" \
	    "reclaim 1 --range zz" "reclaim 1 -r 0x1001-0x2000" \
	    "reclaim 1 -r 2000-1000" "reclaim 1 --bogus" "reclaim ALL" \
	    "watch" "watch abc" "watch 0" "watch 1 2" "watch 2147483648" \
	    "watch ALL" "watch 1 -i 0" "watch 1 -i -1" "watch 1 -i x" \
	    "watch 1 -i 1e3" "watch 1 -i 86401" "watch 1 -n x" \
	    "watch 1 -n -1" "watch 1 --bogus" "watch all --interval"; do
	run $args
	t_is "usage error exits 2: pteref $args" "$RC" 2
done
t_ok "usage errors wrote nothing to reclaim" \
	cmp "$D/reclaim" "$HERE/fake/reclaim"

# --- info -----------------------------------------------------------------
run info
t_is "info prints the info file" "$OUT" "$(cat "$HERE/fake/info")"
run info --json
t_is "info --json: format is a number" "$(echo "$OUT" | jq -c .format)" 1
t_is "info --json: census feature" "$(echo "$OUT" | jq -r .census)" available
sed -i 's/^format 1$/format 2/' "$D/info"
run info
t_is "format 2 is refused (exit 1)" "$RC" 1
t_is "format 2 message" "$ERR" \
	"pteref: unknown format 2 (this pteref reads format 1)"
run top
t_is "top refuses format 2 too" "$RC" 1
fresh

# --- top ------------------------------------------------------------------
header=$(sed -n '/define PTE_REF_MMS_HEADER/{n;p}' "$TOP/include/pte_ref_abi.h" |
	 tr -d '\t"')
run top
t_is "top exits 0" "$RC" 0
t_is "top header = PTE_REF_MMS_HEADER" "$(echo "$OUT" | awk 'NR == 1 {$1 = $1; print}')" \
	"$header"
t_is "top sorts by pte_kb (ties by pid)" \
	"$(echo "$OUT" | awk 'NR>1{printf "%s ", $1}')" "812 377 1024 1 "
t_is "top rows are aligned" \
	"$(echo "$OUT" | awk '{print length}' | sort -u | wc -l)" 1
run top -n 2
t_is "top -n 2 prints 2 rows" "$(echo "$OUT" | wc -l)" 3
run top --sort swap -n 1
t_is "top --sort swap" "$(echo "$OUT" | awk 'NR==2{print $1}')" 377
run top --sort fill_pct
t_is "top --sort fill_pct is numeric" \
	"$(echo "$OUT" | awk 'NR>1{printf "%s ", $(NF - 2)}')" "20.6 17.4 8.2 2.1 "
run top --sort comm
t_is "top --sort comm is a usage error" "$RC" 2
t_match "top --sort lists the valid fields" "$ERR" \
	"valid fields: pid pte_tables pte_kb pgtables_kb empty_tables empty_kb present swap fill_pct pmd_tables empty_pmd_tables$"
run top --json
t_ok "top --json is valid JSON" jq -e . <<<"$OUT"
t_is "top --json: 4 objects" "$(echo "$OUT" | jq length)" 4
t_is "top --json: numbers are numbers" \
	"$(echo "$OUT" | jq -c '.[0] | [.pid, .pte_kb, .fill_pct]')" \
	'[812,56,20.6]'
t_is "top --json: comm escaped" \
	"$(echo "$OUT" | jq -r '.[] | select(.pid == 1024) | .comm')" \
	'my_"odd\prog'
run top --json -n 0 --sort present
t_is "top --json -n 0 --sort present" \
	"$(echo "$OUT" | jq -c 'map(.pid)')" '[812,377,1,1024]'

# --- stat -----------------------------------------------------------------
run stat 812
t_is "stat exits 0" "$RC" 0
t_is "stat writes PID to target" "$(cat "$D/target")" 812
t_match "stat prints totals" "$OUT" '^pte_tables +14$'
t_is "stat: largest bucket has a 50-column bar" \
	"$(echo "$OUT" | awk '$1 == "0" && NF == 3 {print length($3)}')" 50
t_is "stat: 1 of 3 gets 17 columns" \
	"$(echo "$OUT" | awk '$1 == "1" && NF == 3 {print length($3)}')" 17
t_is "stat: 7 histogram rows" "$(echo "$OUT" | grep -Ec '^ *[0-9-]+ +[0-9]+ #+$')" 7
t_match "stat prints the VMA table" "$OUT" \
	'^0x00007f0000000000 +0x00007f0001a00000 +anon +13 +3 +1477$'
run stat 812 --json
t_ok "stat --json is valid JSON" jq -e . <<<"$OUT"
t_is "stat --json totals" \
	"$(echo "$OUT" | jq -c '[.pid, .comm, .range, .pte_tables, .fill_pct, .refcount_sum, .refcount_mismatch, .duration_ns]')" \
	'[812,"ptestress","all",14,20.6,null,null,48211]'
t_is "stat --json: scalar vmas is nr_vmas" "$(echo "$OUT" | jq .nr_vmas)" 3
t_is "stat --json hist in bucket order" \
	"$(echo "$OUT" | jq -c '.hist | to_entries | map("\(.key)=\(.value)")')" \
	'["0=3","1=1","2-7=2","8-63=2","64-255=2","256-511=2","512=2"]'
t_is "stat --json vmas" "$(echo "$OUT" | jq -c '.vmas[0]')" \
	'{"start":"0x7f0000000000","end":"0x7f0001a00000","kind":"anon","tables":13,"empty":3,"entries":1477}'
t_is "stat --json: 2 vmas" "$(echo "$OUT" | jq '.vmas | length')" 2

# A census with the requested range, and a comm JSON must escape.
sed -i -e 's/^range all$/range 0x7f0000000000-0x7f0001a00000/' \
       -e 's/^comm .*/comm a "q" \\b\tc/' "$D/census"
run stat 812 --range 7f0000000000-7f0001a00000 --json
t_is "stat --range exits 0" "$RC" 0
t_is "stat --range writes PID 0xSTART-0xEND" "$(cat "$D/target")" \
	"812 0x7f0000000000-0x7f0001a00000"
t_is "stat --json escapes comm" "$(echo "$OUT" | jq -r .comm)" \
	"$(printf 'a "q" \\b\tc')"
printf 'x\377y' > "$TMP/bad" && sed -i "s/^comm .*/comm $(cat "$TMP/bad")/" \
	"$D/census"
run stat 812 --range 0x7f0000000000-0x7f0001a00000 --json
t_ok "stat --json is valid JSON with invalid UTF-8 in comm" \
	jq -e . <<<"$OUT"
run stat 812
t_is "census of another range than asked: exit 1" "$RC" 1
fresh
run stat 5
t_is "census of another pid (a race): exit 1" "$RC" 1
t_match "race message" "$ERR" "another target than '5' \\(4 tries\\)"

# --- reclaim --------------------------------------------------------------
# The fake reclaim is a FIFO served the way the module serves the real
# file: a helper takes one write (the command, kept in $TMP/cmd) and then
# answers one read with RESULT.  A plain file cannot do both: the write
# would land over the start of the canned result.  timeout ends the
# helper, and its cats, when pteref never comes.
serve()		# RESULT-FILE [FILE]: FILE is reclaim unless named
{
	local f=$D/${2:-reclaim}

	rm -f "$f" "$TMP/cmd"
	mkfifo "$f"
	timeout 10 sh -c 'cat "$1" >"$2" && cat "$3" >"$1"' sh \
		"$f" "$TMP/cmd" "$1" &
	SERVER=$!
}

served()	# after run: the helper is done, or pteref never came
{
	# Its group: timeout 9.1 killed just after its fork() can leave the
	# cats behind, holding our stdout open.
	kill -- -"$SERVER" 2>/dev/null || kill "$SERVER" 2>/dev/null
	wait "$SERVER" 2>/dev/null
}

result()	# NAME TARGET [SED...]: the canned result for TARGET in $TMP/NAME
{
	local name=$1 target=$2

	shift 2
	sed -e "s/^target .*/target $target/" "$@" "$HERE/fake/reclaim" \
		>"$TMP/$name"
}

sleeper()	# a sleep 600 in the background, its pid in SPID
{
	local i

	sleep 600 &
	SPID=$!
	# VmPTE of sleep, not of the shell forked to run it (48 kB, not 32,
	# on a loaded host): wait for the exec and for sleep to sleep.
	for i in $(seq 200); do
		[ "$(cat "/proc/$SPID/comm")" = sleep ] &&
			[ "$(awk '/^State:/ {print $2}' "/proc/$SPID/status")" = S ] &&
			break
		sleep 0.05
	done
}

keys()		# the first word of each line of OUT
{
	echo "$OUT" | awk '{printf "%s ", $1}'
}

fresh
sleeper
vm=$(awk '/^VmPTE:/ {print $2}' "/proc/$SPID/status")
gone=4194305	# above PID_MAX_LIMIT: never a process
result res "$SPID"
result res_range "$SPID 0x7f0000000000-0x7f0000400000"
result res_all all -e 's/^processes .*/processes 57/'
result res_gone "$gone"
all_keys="target error processes scanned freed freed_kb skipped_not_empty skipped_excluded skipped_shared skipped_busy skipped_uffd skipped_notifier duration_ns"

serve "$TMP/res"; run reclaim "$SPID"; served
t_is "reclaim exits 0, quiet" "$RC:$ERR" "0:"
t_is "reclaim writes PID to reclaim" "$(cat "$TMP/cmd")" "$SPID"
t_is "reclaim: result keys, then VmPTE" "$(keys)" \
	"$all_keys vmpte_before_kb vmpte_after_kb "
t_is "reclaim: values aligned after the longest key" \
	"$(echo "$OUT" | awk '{print index($0, $2)}' | sort -u)" 20
t_match "reclaim: freed" "$OUT" '^freed +25600$'
t_match "reclaim: target" "$OUT" "^target +$SPID\$"
t_is "reclaim: vmpte_before_kb is /proc/PID/status VmPTE" \
	"$(echo "$OUT" | awk '$1 == "vmpte_before_kb" {print $2}')" "$vm"
t_is "reclaim: vmpte_after_kb too" \
	"$(echo "$OUT" | awk '$1 == "vmpte_after_kb" {print $2}')" "$vm"

serve "$TMP/res"; run reclaim "$SPID" --json; served
t_ok "reclaim --json is valid JSON" jq -e . <<<"$OUT"
t_is "reclaim --json: keys in file order, then VmPTE" \
	"$(jq -r 'keys_unsorted | join(" ")' <<<"$OUT") " \
	"$all_keys vmpte_before_kb vmpte_after_kb "
t_is "reclaim --json: target a string, the rest numbers" \
	"$(jq -c '[.target, .error, .freed, .freed_kb, .skipped_not_empty, .duration_ns, .vmpte_before_kb, .vmpte_after_kb]' <<<"$OUT")" \
	"[\"$SPID\",0,25600,102400,3,123456789,$vm,$vm]"
t_is "reclaim --json: only target is a string" \
	"$(jq -c '[.[] | type] | group_by(.) | map("\(.[0])=\(length)")' <<<"$OUT")" \
	'["number=14","string=1"]'

serve "$TMP/res_range"; run reclaim "$SPID" -r 7f0000000000-7f0000400000 -j
served
t_is "reclaim --range exits 0, quiet" "$RC:$ERR" "0:"
t_is "reclaim --range writes PID 0xSTART-0xEND" "$(cat "$TMP/cmd")" \
	"$SPID 0x7f0000000000-0x7f0000400000"
t_is "reclaim --range --json: target, no overwritten key" \
	"$(jq -c '[.target, has("overwritten"), .freed]' <<<"$OUT")" \
	"[\"$SPID 0x7f0000000000-0x7f0000400000\",false,25600]"
serve "$TMP/res_range"; run reclaim "$SPID" --range 0x7f0000000000-0x7f0000400000
served
t_is "reclaim --range text: target keeps its blank" \
	"$(echo "$OUT" | sed -n 1p)" \
	"target             $SPID 0x7f0000000000-0x7f0000400000"

serve "$TMP/res_all"; run reclaim all; served
t_is "reclaim all exits 0, quiet" "$RC:$ERR" "0:"
t_is "reclaim all writes all" "$(cat "$TMP/cmd")" all
t_is "reclaim all: no VmPTE keys" "$(keys)" "$all_keys "
t_match "reclaim all: processes" "$OUT" '^processes +57$'
serve "$TMP/res_all"; run reclaim all --json; served
t_is "reclaim all --json: no VmPTE keys" \
	"$(jq -c '[.target, .processes, has("vmpte_before_kb"), has("vmpte_after_kb")]' <<<"$OUT")" \
	'["all",57,false,false]'

# Another target in the file: a concurrent reclaim overwrote ours.
serve "$TMP/res_all"; run reclaim "$SPID"; served
t_is "overwritten: exit 0" "$RC" 0
t_is "overwritten: note on stderr" "$ERR" \
	"pteref: reclaim $SPID: result overwritten by a concurrent reclaim"
t_is "overwritten: our target and VmPTE only" "$(keys)" \
	"target vmpte_before_kb vmpte_after_kb "
t_match "overwritten: target is ours" "$OUT" "^target +$SPID\$"
serve "$TMP/res_all"; run reclaim "$SPID" --json; served
t_is "overwritten --json" "$(jq -c . <<<"$OUT")" \
	"{\"target\":\"$SPID\",\"overwritten\":true,\"vmpte_before_kb\":$vm,\"vmpte_after_kb\":$vm}"
serve "$TMP/res"; run reclaim all --json; served
t_is "overwritten, all --json" "$RC:$(jq -c . <<<"$OUT")" \
	'0:{"target":"all","overwritten":true}'
serve "$TMP/res"; run reclaim "$SPID" -r 7f0000000000-7f0000400000; served
t_is "a result without our range is not ours" "$RC:$ERR" \
	"0:pteref: reclaim $SPID 0x7f0000000000-0x7f0000400000: result overwritten by a concurrent reclaim"
serve "$TMP/res_range"; run reclaim "$SPID"; served
t_match "a result with a range is not ours without one" "$ERR" "overwritten"

serve "$TMP/res_gone"; run reclaim "$gone"; served
t_match "no /proc/PID: VmPTE n/a" "$(echo $OUT)" \
	'vmpte_before_kb n/a vmpte_after_kb n/a$'
serve "$TMP/res_gone"; run reclaim "$gone" --json; served
t_is "no /proc/PID: VmPTE null in JSON" \
	"$(jq -c '[.vmpte_before_kb, .vmpte_after_kb]' <<<"$OUT")" '[null,null]'

echo none >"$TMP/res_none"
serve "$TMP/res_none"; run reclaim "$SPID"; served
t_is "none after a write: exit 1" "$RC:$ERR" \
	"1:pteref: reclaim: no result after a reclaim: was the module reloaded?"
result res_bad "$SPID" -e 's/^freed .*/freed abc/'
serve "$TMP/res_bad"; run reclaim "$SPID"; served
t_is "malformed result: exit 1, line number" "$RC:$ERR" \
	"1:pteref: reclaim: line 5: bad value 'abc' for 'freed'"
sed -i 's/^format 1$/format 2/' "$D/info"
serve "$TMP/res"; run reclaim "$SPID"; served
t_is "reclaim refuses format 2, writes nothing" "$RC:$(cat "$TMP/cmd")" "1:"
fresh
ln -sf /dev/full "$D/reclaim"
run reclaim "$SPID" -r 1000-2000
t_is "reclaim write error: exit 1, errno text" "$RC:$ERR" \
	"1:pteref: reclaim $SPID 0x1000-0x2000: No space left on device"
rm "$D/reclaim" && mkdir "$D/reclaim"
run reclaim all
t_is "reclaim all write error" "$RC:$ERR" \
	"1:pteref: reclaim all: Is a directory"
kill $SPID
fresh

# --- watch ----------------------------------------------------------------
# stats as a FIFO that follows a script, one step per open by pteref:
# "<FILE" answers a read with FILE, ">FILE" keeps a write in FILE.  A
# plain file cannot take a write of "on" and still read back as stats.
# Once pteref has opened a FIFO to read, a fresh one takes its name: two
# reads of one FIFO in a row could run into each other, since a reader
# sees EOF only when no writer has it open, and the next writer may open
# it before pteref saw the EOF of the last.  Not after a write: pteref
# may be done with it, and open the name again, before any rename.
stats_serve()	# STEP...
{
	rm -f "$D/stats"
	mkfifo "$D/stats"
	timeout 20 bash -c 'f=$1; shift
		for s; do
			case $s in
			"<"*)	exec 3>"$f"
				mkfifo "$f.new" && mv -f "$f.new" "$f"
				cat "${s#<}" >&3 ;;
			">"*)	exec 3<"$f"
				cat <&3 >"${s#>}" ;;
			esac
			exec 3>&-
		done' sh "$D/stats" "$@" &
	SERVER=$!
}

# after run: every step taken, or the timeout.  Not killed: pteref's
# last write may still be in the pipe when it exits.
stats_served()
{
	wait "$SERVER"
}

stats_file()	# NAME COUNTING MUNMAP_EXIT FORCED TLB [ELAPSED]: in $TMP/NAME
{
	sed -e "s/^counting .*/counting $2/" \
	    -e "s/^frees_munmap_exit .*/frees_munmap_exit $3/" \
	    -e "s/^frees_forced .*/frees_forced $4/" \
	    -e "s/^tlb_flushes .*/tlb_flushes $5/" \
	    -e "s/^elapsed_ns .*/elapsed_ns ${6:-5012345678}/" \
		"$HERE/fake/stats" >"$TMP/$1"
}

csv_col()	# N: column N of the CSV lines of OUT, after the header
{
	echo "$OUT" | awk -F, -v n="$1" 'NR > 1 {printf "%s ", $n}'
}

# ratios A B MIN MAX: every line's column A / column B is in [MIN, MAX]
ratios()
{
	echo "$OUT" | awk -F, -v a="$1" -v b="$2" -v lo="$3" -v hi="$4" '
		NR > 1 { n++; if ($b <= 0 || $a / $b < lo || $a / $b > hi) bad++ }
		END { exit !(n && !bad) }'
}

fresh
sleeper
vm=$(awk '/^VmPTE:/ {print $2}' "/proc/$SPID/status")
row="$SPID sleep 3 12 28 1 4 10 0 0.7 2 0"
csv_header="time_s,vmpte_kb,pte_tables,empty_tables,frees_munmap_exit_per_s,frees_free_pte_table_per_s,frees_pt_reclaim_per_s,frees_forced_per_s,frees_auto_per_s,tlb_flushes_per_s"

run watch all --count 2 -i 0.1 --csv
t_is "watch all --csv: exit 0, quiet" "$RC:$ERR" "0:"
t_is "watch --csv: header" "$(echo "$OUT" | head -n 1)" "$csv_header"
t_is "watch --count 2: 2 lines after the header" "$(echo "$OUT" | wc -l)" 3
t_match "watch all: sums of mms, rates of a still stats" \
	"$(echo "$OUT" | sed -n 2p)" \
	'^0\.[1-9],236,37,4,0\.0,n/a,n/a,0\.0,0\.0,0\.0$'
t_is "watch: time_s of each line" "$(csv_col 1)" "0.1 0.2 "

run watch all -n 2 -i 0.1
t_is "watch all text: exit 0" "$RC" 0
t_is "watch text: header" "$(echo "$OUT" | head -n 1 | tr -s ' ')" \
	" time_s vmpte_kb pte_tables empty_tables frees_munmap_exit/s frees_free_pte_table/s frees_pt_reclaim/s frees_forced/s frees_auto/s tlb_flushes/s"
t_is "watch text: columns aligned, right" \
	"$(echo "$OUT" | awk '{print length}' | sort -u | wc -l)" 1
t_match "watch text: a line" "$(echo "$OUT" | sed -n 2p)" \
	'^ +0\.[1-9] +236 +37 +4 +0\.0 +n/a +n/a +0\.0 +0\.0 +0\.0$'

echo "$row" >>"$D/mms"
run watch "$SPID" -n 1 -i 0.1 -c
t_is "watch PID: VmPTE of /proc, tables and empty of its mms row" \
	"$RC:$(echo "$OUT" | sed -n 2p | cut -d, -f2-4)" "0:$vm,3,1"

run watch 812 -n 1 -i 0.1
t_is "watch PID in mms, not in /proc: exit 1" "$RC:$ERR" \
	"1:pteref: watch: pid 812: no such process, or one without an mm (no VmPTE in /proc/812/status)"
run watch $$ -n 1 -i 0.1
t_is "watch PID not in mms: exit 1" "$RC:$ERR" \
	"1:pteref: watch: pid $$ is not in mms"

# Counters that move: 3 reads for 2 lines.  Rates depend on the timing,
# their ratios do not: munmap_exit moves 100 times forced, tlb 50 times
# munmap_exit.  The third read follows a reset (elapsed_ns went back):
# the rate is of what was counted since, never negative.
stats_file s1 on 1000 10 5000
stats_file s2 on 2000 20 55000
stats_file s3 on 500 5 25000 1000
stats_serve "<$TMP/s1" "<$TMP/s2" "<$TMP/s3"
run watch "$SPID" -n 2 -i 0.1 --csv
stats_served
t_is "watch, moving counters: exit 0, quiet" "$RC:$ERR" "0:"
t_ok "watch: munmap_exit/s = 100 x forced/s" ratios 5 8 99.9 100.1
t_ok "watch: tlb_flushes/s = 50 x munmap_exit/s" ratios 10 5 49.99 50.01
t_ok "watch: 1000 per ~0.1 s is 2000..20000/s" \
	awk -v r="$(csv_col 5 | cut -d' ' -f1)" 'BEGIN {exit !(r > 2000 && r < 20000)}'
t_ok "watch: after a reset, 500 per ~0.1 s is 1000..10000/s" \
	awk -v r="$(csv_col 5 | cut -d' ' -f2)" 'BEGIN {exit !(r > 1000 && r < 10000)}'
t_is "watch: n/a counters stay n/a" "$(csv_col 6)$(csv_col 7)" \
	"n/a n/a n/a n/a "

# Counting off at the second read: the probe-based rates of both
# intervals were not counted; forced reclaim always is.  all now sums
# the sleep's row too.
stats_file s2 off 1000 20 5000
stats_serve "<$TMP/s1" "<$TMP/s2" "<$TMP/s2"
run watch all -n 2 -i 0.1 --csv
stats_served
t_is "watch, counting off: exit 0, one warning" "$RC:$ERR" \
	"0:pteref: counting is off: write 'on' to stats (or use --on)"
t_match "watch, counting off: probe rates -, forced rate counted" \
	"$(echo "$OUT" | sed -n 2p)" '^[0-9.]+,264,40,5,-,n/a,n/a,[1-9][0-9.]*,0\.0,-$'
t_is "watch, counting off: both lines" "$(csv_col 5)" "- - "

# --on: counting was off, so on first, a read to start from, and off at
# the end; it was on: nothing written.
stats_file s1 off 1000 10 5000
stats_file s2 on 1000 10 5000
stats_file s3 on 2000 20 55000
stats_serve "<$TMP/s1" ">$TMP/w1" "<$TMP/s2" "<$TMP/s3" ">$TMP/w2"
run watch "$SPID" -n 1 -i 0.1 --csv --on
stats_served
t_is "watch --on: exit 0, no warning" "$RC:$ERR" "0:"
t_is "watch --on: writes on, then off at the end" \
	"$(cat "$TMP/w1"):$(cat "$TMP/w2")" "on:off"
t_match "watch --on: the first interval is counted" \
	"$(echo "$OUT" | sed -n 2p)" "^[0-9.]+,$vm,3,1,[1-9][0-9.]*,n/a,n/a,"
stats_serve "<$TMP/s1" ">$TMP/w1" "<$TMP/s2" ">$TMP/w2"
: >"$TMP/w2"
OUT=$("$PTEREF" watch "$SPID" -i 10 --on 2>"$TMP/err" & p=$!
      sleep 0.5; kill -INT $p; wait $p; echo "rc=$?")
stats_served
t_is "watch --on, SIGINT: exit 0, off written" \
	"$(echo "$OUT" | tail -n 1):$(cat "$TMP/w2")" "rc=0:off"
t_is "watch --on, SIGINT: only the header" "$(echo "$OUT" | wc -l)" 2
stats_serve "<$TMP/s1" ">$TMP/w1" "<$TMP/s2" "<$TMP/s3" "<$TMP/s3" ">$TMP/w2"
: >"$TMP/w2"
"$PTEREF" watch all -i 0.1 --on 2>"$TMP/err" | head -n 2 >/dev/null
rc=${PIPESTATUS[0]}
stats_served
t_is "watch --on | head -n 2: off written, exit 1 (stdout closed)" \
	"$rc:$(cat "$TMP/w2"):$(cat "$TMP/err")" \
	"1:off:pteref: stdout: Broken pipe"
rm -f "$D/stats" && cp "$HERE/fake/stats" "$D/stats"
run watch all -n 1 -i 0.1 --on
t_is "watch --on, counting on: exit 0, stats not written" \
	"$RC:$(cmp "$D/stats" "$HERE/fake/stats" && echo same)" "0:same"
if [ "$(id -u)" != 0 ]; then
	stats_file s1 off 1000 10 5000
	cp "$TMP/s1" "$D/stats" && chmod 444 "$D/stats"
	run watch all -n 1 -i 0.1 --on
	t_is "watch --on, write refused: exit 1" "$RC:$ERR" \
		"1:pteref: watch: write 'on' to stats: Permission denied"
else
	t_skip "watch --on, write refused" "root writes a 0444 file"
fi

# No stats file (a module before it): rates n/a; --on cannot work.
rm -f "$D/stats"
run watch all -n 1 -i 0.1 -c
t_is "watch without stats: exit 0, a note" "$RC:$ERR" \
	"0:pteref: watch: this pte_ref has no stats file: rates are n/a"
t_match "watch without stats: rates n/a" "$(echo "$OUT" | sed -n 2p)" \
	'^[0-9.]+,264,40,5,n/a,n/a,n/a,n/a,n/a,n/a$'
run watch all -n 1 -i 0.1 --on
t_is "watch --on without stats: exit 1" "$RC:$ERR" \
	"1:pteref: watch: --on: this pte_ref has no stats file"
sed '3s/.*/frees_munmap_exit lots/' "$HERE/fake/stats" >"$D/stats"
run watch all -n 1 -i 0.1
t_is "watch, malformed stats: exit 1, line number" "$RC:$ERR" \
	"1:pteref: stats: line 3: bad value 'lots' for 'frees_munmap_exit'"
cp "$HERE/fake/stats" "$D/stats"

# The process exits: a last word, exit 0.
"$PTEREF" watch "$SPID" -i 0.1 >"$TMP/out" 2>"$TMP/err" &
p=$!
sleep 0.35
kill $SPID
wait $SPID 2>/dev/null
wait $p
t_is "watch: the process exits, exit 0" "$?:$(cat "$TMP/err")" \
	"0:pteref: watch: pid $SPID exited"
t_ok "watch: lines until then" test "$(wc -l <"$TMP/out")" -ge 3
fresh

# --- errors ---------------------------------------------------------------
ln -sf /dev/full "$D/target"
run stat 812
t_is "write error: exit 1" "$RC" 1
t_is "write error shows strerror" "$ERR" \
	"pteref: pid 812: No space left on device"
fresh
sed -i '5s/.*/pte_tables abc/' "$D/census"
run stat 812
t_is "malformed census: exit 1" "$RC" 1
t_is "malformed census: line number" "$ERR" \
	"pteref: census: line 5: bad value 'abc' for 'pte_tables'"
fresh
echo "99 short" >> "$D/mms"
run top
t_is "malformed mms: line number" "$ERR" \
	"pteref: mms: line 6: 2 fields, header has 12"
PTE_REF_DEBUGFS=$TMP/none run info
t_is "missing dir: exit 1" "$RC" 1
t_is "missing dir: message" "$ERR" \
	"pteref: $TMP/none: No such file or directory"

# --- auto -----------------------------------------------------------------
fresh
auto_keys="enabled scan_sleep_ms tables_to_scan min_empty_kb max_cpu_pct thread_pid frees_auto auto_passes auto_mms_visited auto_tables_scanned auto_contended auto_ns "
run auto
t_is "auto: exit 0, quiet" "$RC:$ERR" "0:"
t_is "auto: the file's settings, then the policy's counters" "$(keys)" "$auto_keys"
t_match "auto: frees_auto from stats" "$OUT" "frees_auto +5"
run auto -j
t_is "auto -j: numbers, from both files" \
	"$(echo "$OUT" | jq -c '[.enabled, .scan_sleep_ms, .thread_pid, .frees_auto, .auto_ns]')" \
	"[0,10000,0,5,3000000]"
sed -e 's/^enabled .*/enabled 1/' -e 's/^scan_sleep_ms .*/scan_sleep_ms 500/' \
	-e 's/^thread_pid .*/thread_pid 77/' "$HERE/fake/auto" >"$TMP/auto_on"
serve "$TMP/auto_on" auto; run auto on scan_sleep_ms=500; served
t_is "auto on scan_sleep_ms=500: exit 0, quiet" "$RC:$ERR" "0:"
t_is "auto on scan_sleep_ms=500: one write of both" "$(cat "$TMP/cmd")" \
	"enabled=1 scan_sleep_ms=500"
t_match "auto: prints what the file says after the write" "$OUT" "thread_pid +77"
serve "$TMP/auto_on" auto; run auto off min_empty_kb=0x10; served
t_is "auto: a hex value is a usage error, nothing written" "$RC:$(cat "$TMP/cmd" 2>/dev/null)" "2:"
fresh
for args in "auto bogus" "auto enabled=2" "auto scan_sleep_ms=9" \
	    "auto scan_sleep_ms=3600001" "auto scan_sleep_ms=x" \
	    "auto max_cpu_pct=0" "auto max_cpu_pct=101" \
	    "auto tables_to_scan=0" "auto tables_to_scan=1048577" \
	    "auto min_empty_kb=-1" "auto =1" "auto enabled" "auto ON" \
	    "auto on bogus=1"; do
	run $args
	t_is "usage error exits 2, one line: pteref $args" \
		"$RC $(echo "$ERR" | grep -c '^pteref: ')" "2 1"
done
run auto --bogus
t_is "auto --bogus: usage error" "$RC" 2
t_ok "usage errors wrote nothing to auto" cmp "$D/auto" "$HERE/fake/auto"

# --- export --prom ----------------------------------------------------------
# The canned files hold 4 mms (37 tables, 4 empty), a comm with a quote and
# a backslash, and n/a counters (no sample for them).
fresh
PROMCHECK=$TOP/tests/helpers/promcheck
run export --prom --top 0
t_is "export --prom: exit 0, quiet" "$RC:$ERR" "0:"
t_is "export --prom: Prometheus' text format (promcheck)" \
	"$(printf '%s\n' "$OUT" | "$PROMCHECK")" "ok families=35 samples=71"
# The value of one series (ENVIRON: awk -v would undo the escapes).
prom() { printf '%s\n' "$OUT" | K=$1 awk '$1 == ENVIRON["K"] { print $2 }'; }
t_is "export: machine totals from mms (mms, tables, empty, bytes)" \
	"$(prom pte_ref_mms) $(prom pte_ref_pte_tables) $(prom pte_ref_empty_pte_tables) $(prom pte_ref_empty_pte_table_bytes) $(prom pte_ref_page_table_bytes)" \
	"4 37 4 16384 241664"
t_is "export: every mm in --top 0, by empty kB, largest first" \
	"$(printf '%s\n' "$OUT" | sed -n 's/^pte_ref_mm_empty_pte_table_bytes{pid="\([0-9]*\)".* \([0-9]*\)$/\1:\2/p' | tr '\n' ' ')" \
	"812:12288 377:4096 1:0 1024:0 "
t_is "export: a comm's quote and backslash escaped" \
	"$(prom 'pte_ref_mm_pte_tables{pid="1024",comm="my_\"odd\\prog"}')" 9
t_is "export: counters with their path label, n/a ones left out" \
	"$(printf '%s\n' "$OUT" | grep '^pte_ref_pte_table_frees_total' | tr '\n' ' ')" \
	'pte_ref_pte_table_frees_total{path="munmap_exit"} 1536 pte_ref_pte_table_frees_total{path="forced"} 12 pte_ref_pte_table_frees_total{path="auto"} 5 '
t_is "export: _ns counters in seconds" \
	"$(prom pte_ref_counting_seconds_total) $(prom pte_ref_auto_seconds_total)" \
	"5.012345678 0.003000000"
t_is "export: info as labels, features 1 or 0" \
	"$(prom 'pte_ref_info{version="0.1.0",kernel="6.12.57+deb12-amd64",flavor="stock"}') $(prom 'pte_ref_feature_available{feature="census"}') $(prom 'pte_ref_feature_available{feature="reclaim"}')" \
	"1 1 0"
# Every counter of the stats file that is not n/a has exactly one sample.
n=$(grep -vc -e '^counting ' -e ' n/a$' "$D/stats")
t_is "export: one sample per stats counter ($n)" \
	"$(printf '%s\n' "$OUT" | grep -c '^pte_ref_[a-z_]*_total[{ ]')" "$n"
run export --prom
t_is "export: --top 10 by default (4 mms here), same checks pass" \
	"$(printf '%s\n' "$OUT" | grep -c '^pte_ref_mm_pte_tables{')" 4
run export --prom -n 1
t_is "export -n 1: one mm, the one with the most empty kB" \
	"$(printf '%s\n' "$OUT" | grep '^pte_ref_mm_empty_pte_tables{')" \
	'pte_ref_mm_empty_pte_tables{pid="812",comm="ptestress"} 3'
run export --prom -o "$TMP/pte_ref.prom"
t_is "export -o FILE: exit 0, nothing on stdout, FILE checked, mode 0644, no temporary left" \
	"$RC:$OUT:$("$PROMCHECK" "$TMP/pte_ref.prom" | cut -d' ' -f1):$(stat -c %a "$TMP/pte_ref.prom"):$(ls "$TMP"/pte_ref.prom.* 2>/dev/null)" "0::ok:644:"
for args in "export" "export --top 3" "export --prom --top x" \
	    "export --prom --top -1" "export --prom extra" "export --prom -o" \
	    "export --prom --bogus" "export --prom -o $TMP/no/such/dir/x.prom"; do
	run $args
	t_is "usage error exits 2 with a reason: pteref $args" \
		"$RC $(echo "$ERR" | grep -c '^pteref')" "2 1"
done
# A comm cut inside a UTF-8 character (15 bytes, as the kernel keeps).
printf '2048 caf\xc3 3 12 24 3 12 10 0 1.0 2 0\n' >>"$D/mms"
run export --prom --top 0
t_is "export: a comm that is no valid UTF-8 gets U+FFFD, the output stays valid" \
	"$(prom 'pte_ref_mm_pte_tables{pid="2048",comm="caf'$'\xef\xbf\xbd''"}') $(printf '%s\n' "$OUT" | "$PROMCHECK" | cut -d' ' -f1)" "3 ok"
printf 'x{a="\xc3"} 1\n' >"$TMP/notutf8.prom"
t_is "promcheck refuses a file that is no UTF-8" "$("$PROMCHECK" "$TMP/notutf8.prom")" "1: not UTF-8 (byte 5)"
fresh
sed 's/^pid comm .*/pid comm pte_tables/' "$HERE/fake/mms" >"$D/mms"
run export --prom
t_is "export: a corrupt mms file: exit 1, the file named" \
	"$RC $(echo "$ERR" | grep -c '^pteref: mms: ')" "1 1"
fresh
echo "tlb_flushes -3" >>"$D/stats"
run export --prom -o "$TMP/bad.prom"
t_is "export -o: a corrupt stats file leaves no FILE and no FILE.tmp" \
	"$RC $(ls "$TMP"/bad.prom* 2>/dev/null | wc -l)" "1 0"
fresh

# --- plot ---------------------------------------------------------------------
# A recording of 5 lines: n/a paths get no line, "-" is a gap.
PLOTCHECK=$TOP/tests/helpers/plotcheck
CSV=$HERE/watch.csv
if command -v gnuplot >/dev/null; then
	cp "$CSV" "$TMP/w.csv"
	run plot "$TMP/w.csv"
	t_is "plot CSV: exit 0, quiet, CSV's name with .svg" "$RC:$ERR:$(ls "$TMP"/w.* | tr '\n' ' ')" \
		"0::$TMP/w.csv $TMP/w.svg "
	t_is "plot: the SVG has each recorded series, every point where the CSV puts it" \
		"$("$PLOTCHECK" "$TMP/w.svg" "$CSV" | tr '\n' ' ')" \
		"ok svg series=6 points=29 series vmpte_kb pte_tables empty_tables frees_munmap_exit_per_s frees_forced_per_s frees_auto_per_s "
	sed 's/^3.00,3000,/3.00,3900,/' "$CSV" >"$TMP/other.csv"
	t_is "plotcheck sees a value the SVG does not show" \
		"$("$PLOTCHECK" "$TMP/w.svg" "$TMP/other.csv")" "series vmpte_kb: y not the CSV values"
	run plot "$CSV" -o "$TMP/p.png" -t "a 'quoted' title"
	t_is "plot -o X.png -t TITLE: exit 0, a valid PNG, no temporary left" \
		"$RC:$("$PLOTCHECK" "$TMP/p.png"):$(ls "$TMP"/p.* | tr '\n' ' ')" \
		"0:ok png 960x900:$TMP/p.png "
	head -n 1 "$CSV" >"$TMP/empty.csv"
	printf 'time_s,x\n1,2\n' >"$TMP/nohead.csv"
	sed '3s/,5.0,/,five,/' "$CSV" >"$TMP/field.csv"
	sed '4s/,2.0,/,/' "$CSV" >"$TMP/count.csv"
	sed '2s/^1.00,/n\/a,/' "$CSV" >"$TMP/time.csv"
	sed '3s/^/\n/' "$CSV" >"$TMP/blank.csv"
	for args in "plot" "plot $CSV $CSV" "plot $TMP/nosuch.csv" \
		    "plot $TMP/empty.csv" "plot $TMP/nohead.csv" \
		    "plot $TMP/field.csv" "plot $TMP/count.csv" \
		    "plot $TMP/time.csv" "plot $TMP/blank.csv" \
		    "plot $CSV -o $TMP/x.pdf" "plot --bogus $CSV"; do
		run $args
		t_is "bad input, exit 2, one line: pteref ${args//$TMP\//}" \
			"$RC $(echo "$ERR" | grep -c '^pteref')" "2 1"
	done
	t_is "bad input drew nothing" "$(ls "$TMP" | grep -c -e '\.svg$' -e '\.pdf$' -e 'tmp')" 1
	run plot "$TMP/field.csv"
	t_is "plot: the bad field and its line named, nothing else" "$ERR" \
		"pteref: plot: $TMP/field.csv line 3: bad field 'five'"
	# What goes into gnuplot's script cannot add a command to it.
	run plot "$CSV" -o "$TMP/n.svg" -t $'x\nsystem("touch '"$TMP"'/PWNED")'
	t_is "plot: a title with a newline: exit 2, no command run, nothing drawn" \
		"$RC $(ls "$TMP"/PWNED "$TMP"/n.svg 2>/dev/null | wc -l)" "2 0"
	{ head -n 1 "$CSV" | tr -d '\n'; printf ',c%d' $(seq 24); echo; } >"$TMP/wide.csv"
	run plot "$TMP/wide.csv"
	t_is "plot: 34 columns: exit 2, the reason" "$RC $(echo "$ERR" | grep -c 'more columns')" "2 1"
	sed '1s/empty_tables/empty`tables/' "$CSV" >"$TMP/name.csv"
	run plot "$TMP/name.csv"
	t_is "plot: a column name that is not a word: exit 2" "$RC $(echo "$ERR" | grep -c 'bad column name')" "2 1"
	run plot "$CSV" -o "$TMP/no/such/dir/x.svg"
	t_is "plot: gnuplot cannot write OUT: exit 1, nothing on stdout" "$RC:${#OUT}" "1:0"
	{ cat "$CSV"; for i in $(seq 6 30000); do echo "$i.00,3100,720,12,0.0,n/a,n/a,0.0,0.0,270.0"; done; } >"$TMP/long.csv"
	PTE_REF_GNUPLOT=false run plot "$TMP/long.csv" -o "$TMP/l.svg"
	t_is "plot: a gnuplot that exits at once: exit 1 (no SIGPIPE), a reason" \
		"$RC $(echo "$ERR" | grep -c 'gnuplot failed')" "1 1"
	sed -e '1!s/,[0-9.]*,n\/a,n\/a,[0-9.]*,[0-9.-]*,/,-,n\/a,n\/a,-,-,/' "$CSV" >"$TMP/off.csv"
	run plot "$TMP/off.csv"
	t_is "plot: a recording with counting off all along: drawn, no frees series" \
		"$RC $("$PLOTCHECK" "$TMP/off.svg" "$TMP/off.csv" | tr '\n' ' ')" \
		"0 ok svg series=4 points=15 series vmpte_kb pte_tables empty_tables no frees counted "
	PTE_REF_GNUPLOT=$TMP/no-gnuplot run plot "$CSV" -o "$TMP/g.svg"
	t_is "plot without gnuplot: exit 1, says what to install, no file" \
		"$RC $(echo "$ERR" | grep -c 'apt-get install gnuplot-nox') $(ls "$TMP"/g.* 2>/dev/null | wc -l)" "1 1 0"
else
	t_skip "plot" "no gnuplot (scripts/setup installs gnuplot-nox)"
fi

# Without $PTE_REF_DEBUGFS, the real diagnosis of this host.
if [ "$(stat -f -c %t /sys/kernel/debug 2>/dev/null)" != 64626720 ]; then
	want="pteref: debugfs is not mounted on /sys/kernel/debug: mount -t debugfs none /sys/kernel/debug"
elif [ ! -d /sys/module/pte_ref ]; then
	want="pteref: module pte_ref is not loaded: insmod pte_ref.ko"
fi
if [ "$(id -u)" != 0 ]; then
	t_skip "diagnosis as root" "not root"
elif [ -z "$want" ]; then
	t_skip "diagnosis as root" "pte_ref is loaded here"
else
	PTE_REF_DEBUGFS= run info
	t_is "diagnosis as root (exit 1)" "$RC:$ERR" "1:$want"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -m 755 "$TMP/bin" && install -m 755 "$PTEREF" "$TMP/bin/"
	chmod 755 "$TMP"
	ERR=$(env -u PTE_REF_DEBUGFS setpriv --reuid=65534 --regid=65534 \
	      --clear-groups "$TMP/bin/pteref" info 2>&1)
	t_is "diagnosis when not root" "$ERR" \
		"pteref: must be root: debugfs files of pte_ref are root-only"
else
	t_skip "diagnosis when not root" "needs root and setpriv"
fi

# Static: the guest mounts the host tree but has no matching libc.
t_ok "pteref is statically linked" \
	bash -c "! readelf -l '$PTEREF' | grep -q INTERP"

t_done
