// SPDX-License-Identifier: GPL-2.0
/*
 * symbols.c - the few kernel functions we need that are not exported.
 *
 * Resolved once at load through kallsyms_lookup_name(), itself found with
 * a kprobe (it is not exported since 5.7).  A symbol that is missing, or
 * that cannot be called indirectly on a kernel with IBT (its first
 * instruction is not ENDBR64: sealed by objtool), stays NULL and the
 * feature that needs it says so in `info`.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/kprobes.h>
#include <asm/cpufeature.h>
#include <asm/ibt.h>

#include "symbols.h"

struct pte_ref_symbols pte_ref_sym;

static bool callable(unsigned long addr)
{
	if (!addr)
		return false;
	if (!cpu_feature_enabled(X86_FEATURE_IBT))
		return true;
	return is_endbr(*(u32 *)addr);
}

static unsigned long find_lookup(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr;

	if (register_kprobe(&kp) < 0)
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return callable(addr) ? addr : 0;
}

void pte_ref_symbols_init(void)
{
	unsigned long (*lookup)(const char *name);
	unsigned long addr;

	lookup = (void *)find_lookup();
	if (!lookup)
		return;
	addr = lookup("pte_free_defer");
	if (callable(addr))
		pte_ref_sym.pte_free_defer = (void *)addr;
}
