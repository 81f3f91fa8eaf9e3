# shellcheck shell=bash
# t04: mms has one row per user mm: no threads, no kernel threads.

if start_bg lo lpid "$PTESTRESS" layout --fills 3 --threads 4; then
	eq "a process with 4 extra threads has one row" "$(mms_row "$lpid" | wc -l)" 1
	tids=$(ls /proc/"$lpid"/task | grep -vx "$lpid" | tr '\n' ' ')
	eq "it has 4 other threads" "$(wc -w <<<"$tids")" 4
	rows=0
	for t in $tids; do rows=$((rows + $(mms_row "$t" | wc -l))); done
	eq "no row for its threads" "$rows" 0
	stop_bg "$lpid"
else
	not_ok "ptestress layout --threads runs"
fi

# is_kthread PID: PF_KTHREAD (0x00200000) in the flags field of its stat.
is_kthread() {
	local stat flags
	stat=$(cat /proc/"$1"/stat 2>/dev/null) || return 2
	flags=$(awk '{ print $7 }' <<<"${stat##*) }")
	[ $((flags & 0x00200000)) -ne 0 ]
}
user_pids() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		is_kthread "$p" || [ $? -eq 2 ] || echo "$p"
	done | sort
}
# Compare one mms read with the user processes alive before and after it.
user_pids >/tmp/t04.before
awk 'NR > 1 { print $1 }' "$D/mms" | sort >/tmp/t04.rows
user_pids >/tmp/t04.after
comm -12 /tmp/t04.before /tmp/t04.after >/tmp/t04.stable
missing=$(comm -23 /tmp/t04.stable /tmp/t04.rows | tr '\n' ' ')
check "some processes lived through the read" test -s /tmp/t04.stable
eq "every user process alive around the read has a row" "$missing" ""
kthreads=0
for p in $rows; do is_kthread "$p" && kthreads=$((kthreads + 1)); done
eq "no kernel thread in mms" "$kthreads" 0
eq "kthreadd is not listed" "$(mms_row 2)" ""
eq "pid 1 is listed" "$(mms_row 1 | wc -l)" 1

# Processes coming and going while mms and census are read.
(for i in $(seq 200); do /bin/true; done) &
churn=$!
fails=0
for i in $(seq 20); do
	cat "$D/mms" >/dev/null || fails=$((fails + 1))
done
wait "$churn"
eq "mms read 20 times under process churn" "$fails" 0
