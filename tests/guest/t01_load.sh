# shellcheck shell=bash
# t01: load and unload, the files, their modes, and `info`.

for i in 1 2 3 4 5; do
	insmod "$PTE_REF_KO" && [ -d "$D" ] && rmmod pte_ref && [ ! -e "$D" ] ||
		break
done
eq "load/unload 5 times, debugfs dir comes and goes" "$i" 5
[ -d "$D" ] && rmmod pte_ref

check "insmod" load_module

modes=$(cd "$D" && stat -c '%n %a' info mms target census reclaim stats auto | tr '\n' ' ')
eq "files are root-only" "$modes" "info 400 mms 400 target 600 census 400 reclaim 600 stats 600 auto 600 "

info=$(cat "$D/info")
eq "info: version" "$(kv version <<<"$info")" \
	"$(sed -n 's/^#define PTE_REF_VERSION[[:space:]]*"\(.*\)"/\1/p' "$TOP/include/pte_ref_abi.h")"
eq "info: format" "$(kv format <<<"$info")" 1
eq "info: kernel" "$(kv kernel <<<"$info")" "$(uname -r)"
if kconf PT_RECLAIM; then want_flavor=pt_reclaim; else want_flavor=stock; fi
eq "info: flavor" "$(kv flavor <<<"$info")" "$want_flavor"
case "$(uname -r)" in
6.1.*) want_rcu=no ;;
*) want_rcu=yes ;;
esac
eq "info: pte_tables_rcu" "$(kv pte_tables_rcu <<<"$info")" "$want_rcu"
check "info: census available" grep -qx "census available" <<<"$info"
check "info: refcount unavailable, with the reason" \
	grep -qx "refcount unavailable: kernel built without CONFIG_FREE_USER_PTE" <<<"$info"
check "info: reclaim available" grep -qx "reclaim available" <<<"$info"
check "info: auto available" grep -qx "auto available" <<<"$info"
# Debian 6.12 has kernel IBT: its kprobe on kallsyms_lookup_name() sits
# at +4, which the module must undo (issue 8 D); 6.1 has none.
check "info: kallsyms_lookup_name() found at its entry" \
	grep -qx "kallsyms_lookup available" <<<"$info"
# PT_RECLAIM: 6.14-6.19 have free_pte(); 7.1+ inline it (issue 9).
if ! kconf PT_RECLAIM; then
	want_ptr="probe_pt_reclaim unavailable: kernel built without CONFIG_PT_RECLAIM (Linux 6.14+)"
elif ksym free_pte; then
	want_ptr="probe_pt_reclaim available"
else
	want_ptr="probe_pt_reclaim available: no free_pte() (7.1+), ___pte_free_tlb() called from the zap path"
fi
eq "info: the probes of a kernel without the series" "$(grep '^probe_' <<<"$info")" \
"probe_munmap_exit available
probe_free_pte_table unavailable: no free_pte_table() (kernel without the free_user_pte series)
$want_ptr
probe_tlb_flush available"
eq "info: counting off after load" "$(kv counting <<<"$info")" off
eq "target reads none after load" "$(cat "$D/target")" none
eq "census without a target: ENODATA" "$(cat "$D/census" 2>&1 | grep -c 'No data available')" 1

# Non-root users see nothing: not the files, not the directory.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
r=$(nobody cat "$D/info" 2>&1)
check "info is unreadable for uid 65534" grep -q "Permission denied" <<<"$r"
r=$(nobody "$WR" "$D/target" 1)
eq "target is unwritable for uid 65534" "$r" "ERR EACCES"
