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
trap 'rm -rf "$TMP"' EXIT
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
for opt in --help --version --json --count --sort --range; do
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
for args in "" "bogus" "stat" "stat abc" "stat 1 2" "top -n x" \
	    "top --bogus" "info extra" "stat 1 --range zz" \
	    "stat 1 --range 0x1001-0x2000" "stat 1 --range 0x2000-0x1000"; do
	run $args
	t_is "usage error exits 2: pteref $args" "$RC" 2
done

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
