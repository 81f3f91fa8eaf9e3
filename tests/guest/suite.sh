#!/bin/bash
# suite.sh - every guest test, in one boot, as one TAP stream.
# Run by tests/run through scripts/vm-run; PTE_REF_KO names the module.
# Usage: suite.sh [TEST...]   (default: every tests/guest/t*.sh, in order)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/guest/lib.sh
. "$here/lib.sh"

[ -n "${PTE_REF_KO:-}" ] || { echo "Bail out! PTE_REF_KO is not set"; exit 1; }
echo "TAP version 13"
diag "kernel $(uname -r), module $PTE_REF_KO"
[ -r "${PTE_REF_KCONFIG:-}" ] || { echo "Bail out! PTE_REF_KCONFIG (the kernel's .config) unreadable"; exit 1; }

if [ $# -eq 0 ]; then
	set -- "$here"/t[0-9]*.sh
fi
for t in "$@"; do
	diag "${t##*/}"
	# Every test but t01 (which loads it itself) starts with the module in.
	[ "${t##*/}" = t01_load.sh ] || lsmod | grep -q '^pte_ref ' || load_module
	# Tests are sourced and may use any name: keep ours aside.
	SUITE_TEST=${t##*/} SUITE_T0=$SECONDS
	# shellcheck disable=SC1090
	. "$t"
	diag "$SUITE_TEST took $((SECONDS - SUITE_T0)) s"
done
lsmod | grep -q '^pte_ref ' && rmmod pte_ref

echo "1..$T_N"
diag "totals: pass $((T_N - T_FAIL)) fail $T_FAIL"
[ "$T_FAIL" -eq 0 ]
