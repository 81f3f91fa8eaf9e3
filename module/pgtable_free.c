// SPDX-License-Identifier: GPL-2.0
/*
 * pgtable_free.c - free a detached PMD table as the kernel does.
 *
 * The kernel frees a PMD table in free_pmd_range() (mm/memory.c): pud_clear(),
 * then pmd_free_tlb() -> ___pmd_free_tlb() (arch/x86/mm/pgtable.c), which
 * releases the page from the hypervisor (paravirt_release_pmd()), runs the
 * page-table destructor and frees the page once the TLB is flushed, then
 * mm_dec_nr_pmds().  We do the same, step by step, with the flush done by
 * the caller and the page freed after a grace period as well.
 *
 * Where page-table locks are allocated (ALLOC_SPLIT_PTLOCKS: lockdep and
 * other debug configs), the destructor calls ptlock_free(), which is not
 * exported.  Rather than copy each kernel's destructor, this file renames
 * that one call before any header is read: the inlines of <linux/mm.h>
 * compiled here call pte_ref_ptlock_free(), which calls the kernel's
 * ptlock_free() through the pointer symbols.c resolved.  The kernel's own
 * destructor runs; nothing else of it is replaced.
 */
#define ptlock_free pte_ref_ptlock_free

#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <asm/paravirt.h>
#include <asm/pgalloc.h>

/* Our own names from here on, symbols.h's member among them. */
#undef ptlock_free

#include "pgtable_free.h"
#include "symbols.h"

#if ALLOC_SPLIT_PTLOCKS
/* Declared by <linux/mm.h> under the name above; reached only if resolved. */
#ifdef PTE_REF_HAVE_PTDESC
void pte_ref_ptlock_free(struct ptdesc *pt)
#else
void pte_ref_ptlock_free(struct page *pt)
#endif
{
	void (*fn)(typeof(pt)) = pte_ref_sym.ptlock_free;

	fn(pt);
}
#endif

const char *pte_ref_pmd_free_unavailable(void)
{
	return ALLOC_SPLIT_PTLOCKS ? pte_ref_sym.ptlock_free_why : NULL;
}

/* The kernel's destructor of a PMD table: lock, flag, NR_PAGETABLE. */
static void pmd_table_dtor(struct page *page)
{
#if defined(PTE_REF_HAVE_PAGETABLE_DTOR)
	pagetable_dtor(page_ptdesc(page));
#elif defined(PTE_REF_HAVE_PAGETABLE_PMD_DTOR)
	pagetable_pmd_dtor(page_ptdesc(page));
#else
	pgtable_pmd_page_dtor(page);
#endif
}

/*
 * The page itself.  With ASYNC_KERNEL_PGTABLE_FREE (7.x) pagetable_free()
 * refers to pagetable_free_kernel(), not exported, for tables marked
 * PT_kernel; a user table never is (compat.h, pte_ref_pte_free()).
 */
static void pmd_table_free_rcu(struct rcu_head *head)
{
	struct page *page = container_of(head, struct page, rcu_head);

#if defined(CONFIG_ASYNC_KERNEL_PGTABLE_FREE)
	__pagetable_free(page_ptdesc(page));
#elif defined(PTE_REF_HAVE_PAGETABLE_FREE)
	pagetable_free(page_ptdesc(page));
#else
	__free_page(page);
#endif
}

/**
 * pte_ref_pmd_table_free - free a PMD table nobody can reach any more
 * @mm:   the mm it belonged to
 * @page: its page; the pud that pointed to it is clear and every CPU's
 *        TLB and paging-structure caches were flushed since
 *
 * The destructor runs now, as in ___pmd_free_tlb() on 6.12 and before:
 * it also checks that no deposited PTE table is left (pmd_huge_pte),
 * which shares its word with the rcu_head the free then uses.
 */
void pte_ref_pmd_table_free(struct mm_struct *mm, struct page *page)
{
	mm_dec_nr_pmds(mm);
	paravirt_release_pmd(page_to_pfn(page));
	pmd_table_dtor(page);
	call_rcu(&page->rcu_head, pmd_table_free_rcu);
}
