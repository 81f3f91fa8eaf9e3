# shellcheck shell=bash
# t03: bad input to `target` gets its errno and changes nothing.

sleep 1000 &
spid=$!
eq "target: a good pid" "$("$WR" "$D/target" "$spid")" "OK ${#spid}"
before=$(cat "$D/target")
eq "target reads back" "$before" "$spid"

# bad WANT INPUT: the write fails with WANT and target is unchanged.
bad() {
	local want=$1 input=$2 r
	r=$("$WR" "$D/target" "$input")
	if [ "$r" = "ERR $want" ] && [ "$(cat "$D/target")" = "$before" ]; then
		ok "target '$input': $want, unchanged"
	else
		not_ok "target '$input': got '$r', target '$(cat "$D/target")'"
	fi
}
bad EINVAL ""
bad EINVAL "abc"
bad EINVAL "12abc"
bad EINVAL "-1"
bad EINVAL "0"
bad EINVAL "99999999999999999999"
bad EINVAL "0x10"
bad EINVAL "$spid $spid"
bad ESRCH "$(($(cat /proc/sys/kernel/pid_max) + 1))"
bad EINVAL "2"
bad EINVAL "$spid 0x2000-0x1000"
bad EINVAL "$spid 0x1000-0x1000"
bad EINVAL "$spid 0x1001-0x2000"
bad EINVAL "$spid 0x1000-0x2001"
bad EINVAL "$spid 0x1000"
bad EINVAL "$spid 0x1000-"
bad EINVAL "$spid zz-0x2000"
bad EINVAL "$spid 0x1000-0x2000 extra"
bad EINVAL "$spid 0x1000-0x10000000000000000"
bad EINVAL "$spid 0x1000-0xffffffffffff000"

r=$("$WR" -n 200 "$D/target")
if [ "$r" = "ERR E2BIG" ] && [ "$(cat "$D/target")" = "$before" ]; then
	ok "target: a 200-byte write: E2BIG, unchanged"
else
	not_ok "target: a 200-byte write: got '$r'"
fi
r=$("$WR" "$D/info" "1")
eq "info takes no write" "$r" "ERR EINVAL"
r=$("$WR" "$D/mms" "1")
eq "mms takes no write" "$r" "ERR EINVAL"
eq "good range accepted" "$("$WR" "$D/target" "$spid 0x400000-0x800000")" "OK $((${#spid} + 18))"
eq "range reads back" "$(cat "$D/target")" "$spid 0x400000-0x800000"
eq "0x is optional" "$("$WR" "$D/target" "$spid 400000-800000" | cut -d' ' -f1)" OK
eq "range reads back the same" "$(cat "$D/target")" "$spid 0x400000-0x800000"

before=$(cat "$D/target")
kill "$spid"
wait "$spid" 2>/dev/null
bad ESRCH "$spid"

# Nothing of this reached the kernel log (the kernel's own taint notes
# about an unsigned out-of-tree module aside).
eq "bad input logs nothing" \
	"$(dmesg | grep 'pte_ref' | grep -Evc 'taints kernel|verification failed' || true)" 0
