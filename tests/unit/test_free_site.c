// SPDX-License-Identifier: GPL-2.0
/*
 * test_free_site.c - which path freed a PTE table, by the name of the
 * caller of ___pte_free_tlb() (module/free_site.h): the count of
 * PT_RECLAIM's frees on 7.1+, where it has no function of its own.
 */
#include "free_site.h"
#include "tap.h"

int main(void)
{
	/* sprint_symbol_no_offset() text for the two call sites of 7.3. */
	tap_ok(pte_ref_free_site_is_zap("zap_pte_range") &&
	       pte_ref_free_site_is_zap("zap_pmd_range") &&
	       pte_ref_free_site_is_zap("zap_p4d_range") &&
	       pte_ref_free_site_is_zap("__zap_vma_range") &&
	       pte_ref_free_site_is_zap("zap_vma_range_batched"),
	       "the zap chain, wherever zap_pte_range() is inlined: PT_RECLAIM");
	tap_ok(pte_ref_free_site_is_zap("zap_pte_range.isra.0") &&
	       pte_ref_free_site_is_zap("zap_pte_range.constprop.0") &&
	       pte_ref_free_site_is_zap("unmap_page_range") &&
	       pte_ref_free_site_is_zap("unmap_single_vma.constprop.0") &&
	       pte_ref_free_site_is_zap("unmap_vmas"),
	       "compiler clones and the older names of its callers: PT_RECLAIM");
	tap_ok(!pte_ref_free_site_is_zap("free_pgd_range") &&
	       !pte_ref_free_site_is_zap("free_pgtables") &&
	       !pte_ref_free_site_is_zap("free_pmd_range.isra.0") &&
	       !pte_ref_free_site_is_zap("free_pte_range"),
	       "free_pgtables() and its inlined chain: munmap/exit");
	tap_ok(!pte_ref_free_site_is_zap("") &&
	       !pte_ref_free_site_is_zap("0xffffffff81234564") &&
	       !pte_ref_free_site_is_zap("zap") &&
	       !pte_ref_free_site_is_zap("xzap_pte_range") &&
	       !pte_ref_free_site_is_zap("unmap_page") &&
	       !pte_ref_free_site_is_zap("collapse_pte_mapped_thp"),
	       "unknown callers and raw addresses: munmap/exit");
	return tap_done();
}
