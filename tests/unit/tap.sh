# SPDX-License-Identifier: GPL-2.0
# tap.sh - TAP output for the shell tests, kselftest style: "ok N - what",
# "not ok N - what" with '#' lines saying why, "1..N" at the end.
# Sourced; t_done's status is the script's.

T_N=0
T_FAILED=0

t_result()	# STATUS DESC [DIAGNOSTIC...]
{
	local status=$1 desc=$2

	shift 2
	T_N=$((T_N + 1))
	if [ "$status" = 0 ]; then
		echo "ok $T_N - $desc"
		return 0
	fi
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $desc"
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
	return 1
}

t_ok()		# DESC CMD... : passes when CMD exits 0
{
	local desc=$1

	shift
	"$@" >/dev/null 2>&1
	t_result $? "$desc" "command failed: $*"
}

t_is()		# DESC GOT WANT
{
	[ "$2" = "$3" ]
	t_result $? "$1" "got:  $2" "want: $3"
}

t_match()	# DESC TEXT EXTENDED-REGEX
{
	printf '%s\n' "$2" | grep -Eq -- "$3"
	t_result $? "$1" "text: $2" "does not match: $3"
}

t_skip()	# DESC REASON
{
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

t_done()
{
	echo "1..$T_N"
	[ "$T_FAILED" = 0 ]
}
