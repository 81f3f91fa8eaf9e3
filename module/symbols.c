// SPDX-License-Identifier: GPL-2.0
/*
 * symbols.c - the few kernel functions we need that are not exported.
 *
 * Resolved once at load through kallsyms_lookup_name(), itself found with
 * a kprobe (it is not exported since 5.7).  We call both through pointers,
 * so on a CPU that enforces IBT each must start with ENDBR64 exactly; a
 * sealed one (objtool's poison) would raise #CP and BUG() (endbr.h).  A
 * symbol that is missing or not callable stays NULL, with the reason kept
 * for `info`, and the feature that needs it is refused.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>

#include "compat.h"
#include "endbr.h"
#include "symbols.h"

struct pte_ref_symbols pte_ref_sym = {
	.lookup_why = "kallsyms_lookup_name() not resolved yet",
	.pte_free_defer_why = "pte_free_defer() not resolved yet",
	.ptlock_free_why = "ptlock_free() not resolved yet",
};

/* "name() why", for `info`; one buffer per symbol, written at load. */
static char lookup_why[96], defer_why[96], ptlock_why[96];

static const char *why_for(char *buf, size_t size, const char *name,
			   const char *why)
{
	if (!why)
		return NULL;
	snprintf(buf, size, "%s() %s", name, why);
	return buf;
}

/* NULL if the function at @addr may be called through a pointer. */
static const char *not_callable(unsigned long addr)
{
	unsigned int insn;

	if (copy_from_kernel_nofault(&insn, (void *)addr, sizeof(insn)))
		return "cannot be read";
	if (!pte_ref_indirect_ok(insn, cpu_feature_enabled(X86_FEATURE_IBT),
				 pte_ref_endbr64()))
		return "is sealed: IBT is on and it does not start with ENDBR64";
	return NULL;
}

/*
 * The entry of kallsyms_lookup_name(), or 0 with @why set.  The kprobe
 * reports the entry, or entry + 4 where the function starts with ENDBR64
 * or its poison (arch_adjust_kprobe_addr()); sprint_symbol() tells which.
 */
static unsigned long find_lookup(const char **why)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	/* Off the stack (KASAN frames outgrow 1 KiB): load runs it once. */
	static char sym[KSYM_SYMBOL_LEN];
	unsigned long addr;
	unsigned int insn;
	long off;

	if (register_kprobe(&kp) < 0) {
		*why = "not found by a kprobe";
		return 0;
	}
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);

	sprint_symbol(sym, addr);
	off = pte_ref_entry_offset(sym, "kallsyms_lookup_name");
	if (off < 0) {
		*why = "has its kprobe neither at its entry nor at +4";
		return 0;
	}
	addr -= off;
	if (off && (copy_from_kernel_nofault(&insn, (void *)addr, 4) ||
		    !pte_ref_is_prologue(insn, pte_ref_endbr64(),
					 pte_ref_endbr_poison()))) {
		*why = "has its kprobe at +4 but neither ENDBR64 nor its seal at its entry";
		return 0;
	}
	*why = not_callable(addr);
	return *why ? 0 : addr;
}

void pte_ref_symbols_init(void)
{
	unsigned long (*lookup)(const char *name);
	const char *why;
	unsigned long addr;

	lookup = (void *)find_lookup(&why);
	why = why_for(lookup_why, sizeof(lookup_why), "kallsyms_lookup_name",
		      why);
	pte_ref_sym.lookup_why = why;
	if (!lookup) {
		pte_ref_sym.pte_free_defer_why = pte_ref_sym.lookup_why;
		pte_ref_sym.ptlock_free_why = pte_ref_sym.lookup_why;
		return;
	}
	addr = lookup("pte_free_defer");
	why = addr ? not_callable(addr) : "is not in kallsyms";
	why = why_for(defer_why, sizeof(defer_why), "pte_free_defer", why);
	pte_ref_sym.pte_free_defer_why = why;
	if (!why)
		pte_ref_sym.pte_free_defer = (void *)addr;

	/* Only split-lock kernels free a table's lock out of line. */
	if (!ALLOC_SPLIT_PTLOCKS) {
		pte_ref_sym.ptlock_free_why = NULL;
		return;
	}
	addr = lookup("ptlock_free");
	why = addr ? not_callable(addr) : "is not in kallsyms";
	why = why_for(ptlock_why, sizeof(ptlock_why), "ptlock_free", why);
	pte_ref_sym.ptlock_free_why = why;
	if (!why)
		pte_ref_sym.ptlock_free = (void *)addr;
}
