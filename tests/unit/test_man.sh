#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test_man.sh - the man pages: they render without a warning (as lintian
# runs man), and they follow the tools: every command of `pteref --help`
# and `ptestress --help` has its section, and every long option a pteref
# command's help lists is in that command's section.

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PTEREF=${PTEREF:-$TOP/tools/pteref/pteref}
PTESTRESS=${PTESTRESS:-$TOP/tools/ptestress/ptestress}
. "$HERE/tap.sh"

echo "TAP version 13"
for page in "$TOP/man/pteref.8" "$TOP/man/ptestress.1"; do
	name=${page##*/}
	if ! command -v man >/dev/null; then
		t_skip "$name renders" "no man (man-db)"
		continue
	fi
	err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
	t_is "$name renders without a warning" "$err" ""
done

# section PAGE CMD: the text of CMD's .SS section in PAGE.
section() {
	awk -v c="$2" '/^\.S[SH] / { on = ($1 == ".SS" && $2 ~ "^\"" c "( |\"|$)") ; next } on' "$1"
}
for cmd in $("$PTEREF" --help | awk '/^pteref [a-z]+ ?/ { print $2 }'); do
	sec=$(section "$TOP/man/pteref.8" "$cmd")
	t_ok "pteref.8 has a section for 'pteref $cmd'" test -n "$sec"
	for opt in $("$PTEREF" "$cmd" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		[ "$opt" = --help ] && continue
		# roff writes each '-' as '\-'.
		t_match "pteref.8, $cmd: $opt" "$sec" "${opt//-/\\\\-}"
	done
done
for cmd in $("$PTESTRESS" --help | awk '/^ptestress [a-z]+ ?/ { print $2 }'); do
	t_ok "ptestress.1 has a section for 'ptestress $cmd'" \
		test -n "$(section "$TOP/man/ptestress.1" "$cmd")"
done
t_done
