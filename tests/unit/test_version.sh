#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test_version.sh - one version everywhere: PTE_REF_VERSION of
# include/pte_ref_abi.h is what dkms.conf, the man pages, debian/changelog
# and `pteref --version` say.

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PTEREF=${PTEREF:-$TOP/tools/pteref/pteref}
. "$HERE/tap.sh"

echo "TAP version 13"
v=$(sed -n 's/^#define PTE_REF_VERSION[[:space:]]*"\(.*\)"/\1/p' "$TOP/include/pte_ref_abi.h")
t_match "PTE_REF_VERSION is a version" "$v" '^[0-9]+\.[0-9]+\.[0-9]+$'
t_is "dkms.conf: PACKAGE_VERSION" "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TOP/dkms.conf")" "$v"
for page in "$TOP/man/pteref.8" "$TOP/man/ptestress.1"; do
	t_is "${page##*/}: .TH says pte_ref $v" \
		"$(grep -o '"pte_ref [^"]*"' "$page" | head -n 1)" "\"pte_ref $v\""
done
if [ -f "$TOP/debian/changelog" ]; then
	t_is "debian/changelog: the newest entry" \
		"$(sed -n '1s/^pte-ref (\([^)-]*\)[^)]*).*/\1/p' "$TOP/debian/changelog")" "$v"
else
	t_skip "debian/changelog" "no debian/"
fi
t_match "pteref --version" "$("$PTEREF" --version)" "$v"
t_done
