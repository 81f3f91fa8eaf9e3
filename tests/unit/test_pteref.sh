#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test_pteref.sh - run pteref against canned debugfs files (fake/, through
# $PTE_REF_DEBUGFS) and check its text, its JSON (with jq), its exit codes
# and its error messages.  Needs no module: runs on any host.

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PTEREF=${PTEREF:-$TOP/tools/pteref}
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
for opt in --help --version --json --count --sort --range reclaim; do
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
run reclaim --help
t_match "reclaim --help lists --range, --json, --help" "$(echo $OUT)" \
	'^pteref reclaim PID\|all .*-r, --range .*-j, --json .*-h, --help'
for args in "" "bogus" "stat" "stat abc" "stat 1 2" "top -n x" \
	    "top --bogus" "info extra" "stat 1 --range zz" \
	    "stat 1 --range 0x1001-0x2000" "stat 1 --range 0x2000-0x1000" \
	    "reclaim" "reclaim abc" "reclaim 0" "reclaim -1" "reclaim 1 2" \
	    "reclaim 2147483648" "reclaim all --range 1000-2000" \
	    "reclaim 1 --range zz" "reclaim 1 -r 0x1001-0x2000" \
	    "reclaim 1 -r 2000-1000" "reclaim 1 --bogus" "reclaim ALL"; do
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
	"$(echo "$OUT" | awk 'NR>1{printf "%s ", $NF}')" "20.6 17.4 8.2 2.1 "
run top --sort comm
t_is "top --sort comm is a usage error" "$RC" 2
t_match "top --sort lists the valid fields" "$ERR" \
	"valid fields: pid pte_tables pte_kb pgtables_kb empty_tables empty_kb present swap fill_pct$"
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
serve()		# RESULT-FILE
{
	rm -f "$D/reclaim" "$TMP/cmd"
	mkfifo "$D/reclaim"
	timeout 10 sh -c 'cat "$1" >"$2" && cat "$3" >"$1"' sh \
		"$D/reclaim" "$TMP/cmd" "$1" &
	SERVER=$!
}

served()	# after run: the helper is done, or pteref never came
{
	kill "$SERVER" 2>/dev/null
	wait "$SERVER" 2>/dev/null
}

result()	# NAME TARGET [SED...]: the canned result for TARGET in $TMP/NAME
{
	local name=$1 target=$2

	shift 2
	sed -e "s/^target .*/target $target/" "$@" "$HERE/fake/reclaim" \
		>"$TMP/$name"
}

keys()		# the first word of each line of OUT
{
	echo "$OUT" | awk '{printf "%s ", $1}'
}

fresh
sleep 600 &
SPID=$!
# VmPTE of sleep, not of the shell forked to run it (48 kB, not 32, on a
# loaded host): wait for the exec and for sleep to sleep.
for i in $(seq 200); do
	[ "$(cat "/proc/$SPID/comm")" = sleep ] &&
		[ "$(awk '/^State:/ {print $2}' "/proc/$SPID/status")" = S ] &&
		break
	sleep 0.05
done
vm=$(awk '/^VmPTE:/ {print $2}' "/proc/$SPID/status")
gone=4194305	# above PID_MAX_LIMIT: never a process
result res "$SPID"
result res_range "$SPID 0x7f0000000000-0x7f0000400000"
result res_all all -e 's/^processes .*/processes 57/'
result res_gone "$gone"
all_keys="target error processes scanned freed freed_kb skipped_not_empty skipped_excluded skipped_shared skipped_busy duration_ns"

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
	'["number=12","string=1"]'

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
	"pteref: mms: line 6: 2 fields, header has 10"
PTE_REF_DEBUGFS=$TMP/none run info
t_is "missing dir: exit 1" "$RC" 1
t_is "missing dir: message" "$ERR" \
	"pteref: $TMP/none: No such file or directory"

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
