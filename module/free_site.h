/* SPDX-License-Identifier: GPL-2.0 */
/*
 * free_site.h - which kernel path freed a PTE table, told by the function
 * that called ___pte_free_tlb().
 *
 * Since 7.1, PT_RECLAIM has no function of its own: its code is static
 * and inlined in zap_pte_range() (mm/memory.c), and its pte_free_tlb()
 * reaches ___pte_free_tlb() (arch/x86/mm/pgtable.c) as munmap's and
 * exit's does.  mm/memory.c has exactly two such call sites (7.3):
 * free_pte_range(), inlined in the free_p*_range() chain under
 * free_pgtables(), and zap_pte_range(), inlined in the zap_*_range()
 * chain under __zap_vma_range() and its callers.  So the caller's name,
 * from sprint_symbol() of the return address ("name+0xOFF/0xSIZE", or
 * "name.isra.0+..." for a compiler's clone), tells the path: a zap or
 * unmap function is PT_RECLAIM; everything else, free_pgtables() and
 * whatever a later kernel adds, counts as munmap/exit.
 *
 * Pure: the unit tests build this file in user space
 * (tests/unit/test_free_site.c).
 */
#ifndef PTE_REF_FREE_SITE_H
#define PTE_REF_FREE_SITE_H

static inline int pte_ref_starts_with(const char *s, const char *prefix)
{
	while (*prefix && *s == *prefix) {
		s++;
		prefix++;
	}
	return !*prefix;
}

/* Is @sym, sprint_symbol()'s text for a return address, in the zap path? */
static inline int pte_ref_free_site_is_zap(const char *sym)
{
	return pte_ref_starts_with(sym, "zap_") ||
	       pte_ref_starts_with(sym, "__zap_") ||
	       pte_ref_starts_with(sym, "unmap_page_range") ||
	       pte_ref_starts_with(sym, "unmap_single_vma") ||
	       pte_ref_starts_with(sym, "unmap_vmas");
}

#endif /* PTE_REF_FREE_SITE_H */
