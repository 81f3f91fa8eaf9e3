# shellcheck shell=bash
# lib.sh - TAP helpers and pte_ref fixtures for the tests run in the guest.
#
# One TAP stream for the whole boot: suite.sh sources this, then each t*.sh.

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
D=/sys/kernel/debug/pte_ref
PTEREF=$TOP/tools/pteref/pteref
PTESTRESS=$TOP/tools/ptestress/ptestress
WR=$TOP/tests/helpers/wr
T_N=0
T_FAIL=0

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }
diag() { echo "# $*"; }

# check DESC CMD...: passes when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# eq DESC GOT WANT
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', want '$3')"; fi
}

# kv KEY: the value of "KEY value" in stdin (census, info).
kv() { awk -v k="$1" '$1 == k { print $2; exit }'; }

# kvl KEY=: the value of KEY=value in a line from stdin (ptestress output).
kvl() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2; exit }'; }

# median: the middle value of the numbers on stdin (benchmarks).
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# vmpte PID: the kernel's VmPTE of the process, in kB.
vmpte() { awk '$1 == "VmPTE:" { print $2 }' /proc/"$1"/status; }

# kconf SYM: the kernel under test was built with CONFIG_SYM=y, by its own
# .config (tests/run passes its path), not by what the module says.
kconf() { grep -qx "CONFIG_$1=y" "${PTE_REF_KCONFIG:-/nonexistent}"; }

# ksym NAME: the running kernel has a function NAME (/proc/kallsyms).
ksym() { awk -v n="$1" '$3 == n && NF == 3 { f = 1; exit } END { exit !f }' /proc/kallsyms; }

load_module() { insmod "$PTE_REF_KO"; }
unload_module() { rmmod pte_ref; }

# census PID [START-END]: target the process and print its census.
census() {
	local r
	r=$("$WR" "$D/target" "$*") || { echo "target: $r" >&2; return 1; }
	cat "$D/census"
}

# mms_row PID: that process's row of `mms`.
mms_row() { awk -v p="$1" 'NR > 1 && $1 == p' "$D/mms"; }

# mms_col PID NAME: one column of that row, by header name.
mms_col() {
	awk -v p="$1" -v c="$2" \
		'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i; next }
		 $1 == p { print $n }' "$D/mms"
}

# start_bg OUTVAR PIDVAR CMD...: run CMD in the background and wait for
# it to print "ready" (START_BG_SECONDS, default 60: TCG is slow).
start_bg() {
	local __out=$1 __pid=$2 f i
	shift 2
	f=$(mktemp /tmp/bg.XXXXXX)
	"$@" >"$f" 2>&1 </dev/null &
	printf -v "$__pid" %s $!
	printf -v "$__out" %s "$f"
	for i in $(seq $((${START_BG_SECONDS:-60} * 10))); do
		grep -q '^ready' "$f" && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.1
	done
	echo "start_bg: $* did not get ready:" >&2
	cat "$f" >&2
	return 1
}

stop_bg() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; true; }

# watchdog SECONDS PID...: if any PID still runs SECONDS from now, print
# where each of its threads and every task in D state waits (the kernel
# stack and wchan, and sysrq-w on the console), then SIGKILL them all: a
# hang becomes a failed test with a diagnosis instead of a timeout of the
# whole boot.  Run it in the background; kill it when the PIDs are done.
watchdog() {
	local secs=$1 p t alive=
	shift
	sleep "$secs"
	for p in "$@"; do kill -0 "$p" 2>/dev/null && alive+=" $p"; done
	[ -n "$alive" ] || return 0
	echo "# watchdog: still running after $secs s:$alive"
	for p in $alive $(awk '$3 == "D" { print $1 }' /proc/[0-9]*/stat 2>/dev/null); do
		for t in /proc/"$p"/task/*; do
			[ -r "$t/stat" ] || continue
			# state, utime and stime (ticks), and the syscall it is in.
			echo "# watchdog: task ${t##*/} ($(awk '{ print $2, $3, "utime=" $14, "stime=" $15 }' "$t/stat"))" \
				"wchan $(cat "$t/wchan" 2>/dev/null) syscall $(cut -d' ' -f1-3 "$t/syscall" 2>/dev/null)"
			sed 's/^/#   /' "$t/stack" 2>/dev/null
		done
	done
	# Blocked tasks, then what each CPU runs (a task spinning in the
	# kernel has no stack in /proc), on the console.
	echo w >/proc/sysrq-trigger 2>/dev/null
	echo l >/proc/sysrq-trigger 2>/dev/null
	# A running task's stack reads empty: sample it while it is preempted.
	for p in $alive; do
		for t in /proc/"$p"/task/*; do
			[ "$(awk '{ print $3 }' "$t/stat" 2>/dev/null)" = R ] || continue
			echo "# watchdog: task ${t##*/}, 50 samples of its kernel stack:"
			for _ in $(seq 50); do
				tr '\n' ' ' <"$t/stack" 2>/dev/null | sed 's/\[<0>\] //g; s/+0x[0-9a-f/x]*//g'
				echo
				sleep 0.05
			done | sort | uniq -c | sort -rn | head -n 8 | sed 's/^/#   /'
		done
	done
	echo l >/proc/sysrq-trigger 2>/dev/null
	# shellcheck disable=SC2086
	kill -9 $alive 2>/dev/null
}
