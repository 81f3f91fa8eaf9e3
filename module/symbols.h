/* SPDX-License-Identifier: GPL-2.0 */
/*
 * symbols.h - unexported kernel functions, resolved at load (symbols.c).
 * Every pointer may be NULL: check before use; its _why says why.
 */
#ifndef PTE_REF_SYMBOLS_H
#define PTE_REF_SYMBOLS_H

#include <linux/mm_types.h>

struct pte_ref_symbols {
	const char *lookup_why;		/* kallsyms_lookup_name(), or NULL */
	/* mm/pgtable-generic.c, 6.5+: free a PTE table after a grace period */
	void (*pte_free_defer)(struct mm_struct *mm, pgtable_t pgtable);
	const char *pte_free_defer_why;
	/*
	 * mm/memory.c, where page-table locks are allocated (lockdep):
	 * the part of a table's destructor pmd_free() needs (pgtable_free.c)
	 */
	void *ptlock_free;
	const char *ptlock_free_why;
};

extern struct pte_ref_symbols pte_ref_sym;

void pte_ref_symbols_init(void);

#endif /* PTE_REF_SYMBOLS_H */
