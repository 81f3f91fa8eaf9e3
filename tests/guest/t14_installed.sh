# shellcheck shell=bash
# t14: pte_ref as it is installed: the module `make install` put in a
# DESTDIR (tests/install, on the host) with the pteref installed beside
# it; the module DKMS built (tests/dkms); and the Debian packages'
# pteref (linked against the system's libc) with the module DKMS built
# from pte-ref-dkms's sources, both from a throwaway root (tests/deb).
# Each loads (vermagic, modversions) and passes a short check: info, a
# census and a reclaim with the exact counts of a layout.
# PTE_REF_DESTDIR, PTE_REF_DKMS_KO, PTE_REF_DEBROOT and PTE_REF_DEB_KO
# name them; where tests/run made none, SKIP.

# installed_check NAME KO PTEREF: load KO, use it through PTEREF.
installed_check() {
	local name=$1 ko=$2 p=$3 lo lpid lay range
	unload_module
	if ! check "$name: insmod ${ko##*/}" insmod "$ko"; then
		load_module
		return
	fi
	eq "$name: pteref info is the module's info file" "$("$p" info)" "$(cat "$D/info")"
	if start_bg lo lpid "$PTESTRESS" layout --fills 0,0,0,3,0,512; then
		lay=$(grep '^layout ' "$lo")
		range="$(kvl start <<<"$lay")-$(kvl end <<<"$lay")"
		eq "$name: census of the layout: 6 tables, 4 empty, 515 entries" \
			"$("$p" stat "$lpid" --range "$range" --json | jq -r '"\(.pte_tables) \(.empty_tables) \(.present)"')" \
			"6 4 515"
		if grep -qx "reclaim available" "$D/info"; then
			eq "$name: reclaim frees exactly the 4 empty tables" \
				"$("$p" reclaim "$lpid" --range "$range" --json | jq -r '"\(.freed) \(.error)"')" "4 0"
			eq "$name: 2 tables left, every entry" \
				"$(census "$lpid" "$range" | awk '$1 == "pte_tables" || $1 == "present" { printf "%s ", $2 }')" "2 515 "
		else
			skip "$name: reclaim" "$(grep '^reclaim ' "$D/info")"
		fi
		stop_bg "$lpid"
	else
		not_ok "ptestress layout runs"
	fi
	check "$name: rmmod" rmmod pte_ref
	load_module
}

dest=${PTE_REF_DESTDIR:-}
if [ -n "$dest" ] && [ -d "$dest" ]; then
	iko=$(find "$dest/lib/modules/$(uname -r)/updates" -name 'pte_ref.ko*' 2>/dev/null | head -n 1)
	if check "make install: a module for $(uname -r) in updates/" test -n "$iko"; then
		installed_check "make install" "$iko" "$dest/usr/sbin/pteref"
	fi
else
	skip "make install: the installed module and pteref" "no PTE_REF_DESTDIR (tests/run installs on 6.12)"
fi
if [ -n "${PTE_REF_DKMS_KO:-}" ]; then
	installed_check "DKMS" "$PTE_REF_DKMS_KO" "$PTEREF"
else
	skip "DKMS: the module DKMS built" "no PTE_REF_DKMS_KO (tests/run builds one per kernel)"
fi
if [ -n "${PTE_REF_DEBROOT:-}" ] && [ -n "${PTE_REF_DEB_KO:-}" ]; then
	installed_check "Debian packages" "$PTE_REF_DEB_KO" "$PTE_REF_DEBROOT/usr/sbin/pteref"
else
	skip "Debian packages: their pteref and module" "no PTE_REF_DEBROOT (tests/run makes them on 6.12)"
fi
