#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test_pteref_trace.sh - `pteref trace`: which bpftrace script it picks for
# a kernel (canned kallsyms through $PTE_REF_KALLSYMS), its checks of
# tracefs ($PTE_REF_TRACEFS), the command it runs (--dry-run, and a fake
# bpftrace through $PTE_REF_BPFTRACE), usage errors.  Needs no bpftrace.

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PTEREF=${PTEREF:-$TOP/tools/pteref/pteref}
. "$HERE/tap.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SCRIPTS=$TOP/tools/bpftrace
export PTE_REF_KALLSYMS=$TMP/kallsyms PTE_REF_TRACEFS=$TMP/tracing
unset PTE_REF_BPFTRACE_DIR PTE_REF_BPFTRACE
mkdir -p "$TMP/tracing/events/pte_ref" "$TMP/tracing/events/tlb"

# run ARGS...: sets OUT, ERR and RC
run()
{
	OUT=$("$PTEREF" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

kallsyms()	# SYMBOL-LINES...: a kallsyms file of a few kernel symbols
{
	{
		echo "ffffffff81000000 T _text"
		echo "ffffffff812a0c40 T ___pte_free_tlb"
		printf '%s\n' "$@"
		echo "ffffffffc0a01000 t pte_ref_init	[pte_ref]"
	} > "$PTE_REF_KALLSYMS"
}

echo "TAP version 13"

# --- script for each kernel flavor ----------------------------------------
kallsyms
run trace frees --dry-run
t_is "stock kernel: frees.bt" "$OUT" "bpftrace $SCRIPTS/frees.bt"
t_is "dry run exits 0" "$RC" 0
kallsyms "ffffffff81301230 T free_pte_table"
run trace frees -n
t_is "free_pte_table: frees-series.bt" "$OUT" \
	"bpftrace $SCRIPTS/frees-series.bt"
kallsyms "ffffffff81301230 T free_pte" "ffffffff81301300 T try_to_free_pte"
run trace frees -n
t_is "free_pte and try_to_free_pte: frees-pt_reclaim.bt" "$OUT" \
	"bpftrace $SCRIPTS/frees-pt_reclaim.bt"
kallsyms "ffffffff81301230 T zap_vma_range_batched"
run trace frees -n
t_is "7.1+ (zap_vma_range_batched, PT_RECLAIM inlined): frees-pt_reclaim.bt" "$OUT" \
	"bpftrace $SCRIPTS/frees-pt_reclaim.bt"
kallsyms "ffffffff81301230 t free_pte"
run trace frees -n
t_is "free_pte alone (no try_to_free_pte): frees.bt" "$OUT" \
	"bpftrace $SCRIPTS/frees.bt"
kallsyms "ffffffff81301230 T free_pte_tables" "ffffffff81301300 T xfree_pte" \
	"ffffffffc0a02000 t free_pte_table	[other]" \
	"ffffffffc0a02000 t free_pte	[other]" \
	"ffffffffc0a02000 t try_to_free_pte	[other]"
run trace frees -n
t_is "only whole names of the kernel's own symbols count" "$OUT" \
	"bpftrace $SCRIPTS/frees.bt"
for f in frees.bt frees-series.bt frees-pt_reclaim.bt tlb.bt reclaim.bt; do
	t_ok "$f exists and is executable" test -x "$SCRIPTS/$f"
done
run trace tlb -n
t_is "tlb: tlb.bt" "$OUT" "bpftrace $SCRIPTS/tlb.bt"
run trace reclaim -n
t_is "reclaim: reclaim.bt" "$OUT" "bpftrace $SCRIPTS/reclaim.bt"

# --- bpftrace's arguments, binary and script directory --------------------
run trace frees -n -- 10 1
t_is "arguments after -- follow the script" "$OUT" \
	"bpftrace $SCRIPTS/frees.bt 10 1"
run trace -n tlb -- -q "a b" "it's"
t_is "arguments are shell-quoted when needed" "$OUT" \
	"bpftrace $SCRIPTS/tlb.bt -q 'a b' 'it'\\''s'"
PTE_REF_BPFTRACE=/opt/bt/bin/bpftrace run trace tlb -n
t_is "PTE_REF_BPFTRACE names the binary" "$OUT" \
	"/opt/bt/bin/bpftrace $SCRIPTS/tlb.bt"
mkdir "$TMP/scripts" && touch "$TMP/scripts/tlb.bt"
PTE_REF_BPFTRACE_DIR=$TMP/scripts run trace tlb -n
t_is "PTE_REF_BPFTRACE_DIR names the directory" "$OUT" \
	"bpftrace $TMP/scripts/tlb.bt"
PTE_REF_BPFTRACE_DIR=$TMP/scripts run trace reclaim -n
t_is "script missing: exit 1" "$RC" 1
t_match "script missing: says where it looked" "$ERR" \
	"^pteref: trace: $TMP/scripts/reclaim.bt: No such file or directory"
mkdir "$TMP/bin" && cp "$PTEREF" "$TMP/bin/pteref"
OUT=$("$TMP/bin/pteref" trace tlb -n 2>&1)
t_match "no bpftrace/ beside pteref: /usr/share/pte_ref/bpftrace" "$OUT" \
	"/usr/share/pte_ref/bpftrace/tlb.bt"
mkdir "$TMP/bin/bpftrace" && touch "$TMP/bin/bpftrace/tlb.bt"
OUT=$("$TMP/bin/pteref" trace tlb -n 2>&1)
t_is "bpftrace/ beside the pteref binary" "$OUT" \
	"bpftrace $TMP/bin/bpftrace/tlb.bt"

# --- tracefs checks -------------------------------------------------------
rmdir "$TMP/tracing/events/pte_ref"
for name in frees reclaim; do
	run trace $name -n
	t_is "$name without pte_ref events: exit 1" "$RC" 1
	t_match "$name without pte_ref events: load pte_ref first" "$ERR" \
		"^pteref: trace $name: .*load pte_ref first"
	t_is "$name without pte_ref events: no command" "$OUT" ""
done
run trace tlb -n
t_is "tlb needs no pte_ref" "$RC" 0

# --- running bpftrace (a fake one) ----------------------------------------
mkdir -p "$TMP/tracing/events/pte_ref"
printf '#!/bin/sh\necho "fake $*"\nexit 7\n' > "$TMP/fake-bpftrace"
chmod +x "$TMP/fake-bpftrace"
if [ "$(id -u)" = 0 ]; then
	PTE_REF_BPFTRACE=$TMP/fake-bpftrace run trace frees -- 5
	t_is "runs bpftrace SCRIPT ARGS" "$OUT" "fake $SCRIPTS/frees.bt 5"
	t_is "exit status is bpftrace's" "$RC" 7
	PTE_REF_BPFTRACE=$TMP/nonexistent run trace tlb
	t_is "bpftrace missing: exit 1" "$RC" 1
	t_match "bpftrace missing: says so" "$ERR" \
		"cannot run $TMP/nonexistent: No such file or directory"
else
	PTE_REF_BPFTRACE=$TMP/fake-bpftrace run trace frees
	t_is "not root: exit 1" "$RC" 1
	t_match "not root: says so" "$ERR" "must be root"
	t_skip "exit status is bpftrace's" "not root"
	t_skip "bpftrace missing: says so" "not root"
fi
unset PTE_REF_KALLSYMS
PTE_REF_KALLSYMS=$TMP/nonexistent run trace frees -n
t_is "kallsyms unreadable: exit 1" "$RC" 1
t_match "kallsyms unreadable: names it" "$ERR" "$TMP/nonexistent"

# --- usage ----------------------------------------------------------------
run --help
t_match "pteref --help lists trace" "$OUT" "^pteref trace NAME"
run trace --help
t_is "trace --help exits 0" "$RC" 0
t_match "trace --help lists --dry-run, --help" "$(echo $OUT)" \
	'-n, --dry-run .*-h, --help'
for args in "trace" "trace bogus" "trace frees extra" "trace --bogus tlb" \
	    "trace -- tlb" "trace FREES"; do
	run $args
	t_is "usage error exits 2: pteref $args" "$RC" 2
done
run trace bogus
t_match "unknown script: lists the names" "$ERR" \
	"unknown script 'bogus': frees, tlb or reclaim"

t_done
