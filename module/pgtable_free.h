/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgtable_free.h - freeing a detached PMD table (pgtable_free.c).
 */
#ifndef PTE_REF_PGTABLE_FREE_H
#define PTE_REF_PGTABLE_FREE_H

#include <linux/mm_types.h>

/* NULL, or why this kernel's PMD tables cannot be freed by the module. */
const char *pte_ref_pmd_free_unavailable(void);
void pte_ref_pmd_table_free(struct mm_struct *mm, struct page *page);

#endif /* PTE_REF_PGTABLE_FREE_H */
