// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim_pmd.c - free the empty PMD tables of a process, after its PTE
 * tables (reclaim.c).
 *
 * A PMD table maps a 1 GiB window; it is freed when its 512 entries are
 * all none, every VMA that overlaps the window is one reclaim may touch
 * (pte_ref_reclaim_excluded()), and those VMAs share at most one anon_vma
 * root.  The kernel itself frees PMD tables only in free_pmd_range()
 * (mm/memory.c, from free_pgtables()), and only where no VMA is left; we
 * free them under live VMAs, so every walker that may step through the
 * pud into the table must be excluded, not only those of removed VMAs:
 *
 * - mmap lock for write: page faults taken under it, munmap, mremap
 *   (move_normal_pud()), mprotect, madvise, khugepaged, GUP, pagemap,
 *   swapoff, MGLRU's walk_mm(), our census and PTE-table reclaim, and
 *   free_pgtables() itself (which runs under the write lock or the read
 *   lock it was downgraded to).
 * - vma_start_write() on each VMA of the window (6.4+): whoever walks
 *   under the per-VMA lock alone (lock_vma_under_rcu()): page faults
 *   (__handle_mm_fault() allocates the PMD table with pmd_alloc() and
 *   walks it with no other lock), and on 7.x also MADV_DONTNEED/FREE and
 *   PT_RECLAIM, smaps, numa_maps and DAMON's vaddr walks.  Their new
 *   readers fail until we drop the mmap lock (vma_start_read()).
 * - the anon_vma root's lock for write, as 6.1's collapse_and_free_pmd()
 *   takes it: rmap walkers (page_vma_mapped_walk(), mm_find_pmd():
 *   reclaim, migration, THP split, KSM) hold it for read and reach the
 *   pud without the mmap lock.  Every anon_vma of a VMA's chain has the
 *   same root, so one lock covers the VMA; two roots would need two locks
 *   taken in an order nothing else knows, so such a window is skipped.
 * - the pud lock (mm->page_table_lock, pud_lockptr()), under which
 *   __pmd_alloc() populates a pud: the pud is checked again and cleared
 *   under it.
 * - GUP-fast and perf_get_page_size() walk with interrupts off: the
 *   flush IPI to every CPU after the clear waits them out, as
 *   tlb_remove_table_sync_one() does, and also drops every CPU's
 *   paging-structure caches, which hold the pud's old value.  The table
 *   is then freed after a grace period too (pgtable_free.c), as 7.x's
 *   tlb_remove_ptdesc() frees it.
 * - mms with mmu notifiers (an IOMMU, KVM) or userfaultfd VMAs are
 *   refused whole, as for PTE tables (reclaim.c); so is Xen PV, where
 *   paravirt_release_pmd() would unpin the page (pte_ref_reclaim_unavailable()).
 *
 * hugetlb VMAs, whose PMD tables may be shared between processes
 * (huge_pmd_share()), are excluded.  The write lock holds up this mm's
 * page faults, so it is dropped after each batch and whenever a waiter
 * or the scheduler asks; the automatic policy only tries it
 * (pmd_trylock_mm()).
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/rmap.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "pgtable_free.h"
#include "pte_ref_trace.h"
#include "reclaim.h"
#include "stats.h"
#include "walk.h"

#define PMD_BATCH	64

struct pmd_pass {
	struct mm_struct *mm;
	pid_t pid;
	struct pte_ref_reclaim_result *r;
	unsigned int nr;
	struct page *batch[PMD_BATCH];
	unsigned long addr[PMD_BATCH];
};

const char *pte_ref_reclaim_pmd_unavailable(void)
{
	return pte_ref_reclaim_unavailable() ?: pte_ref_pmd_free_unavailable();
}

/* The pud of @addr if it points to a PMD table, else NULL; mmap lock held. */
static pud_t *find_pud(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgdp = pgd_offset(mm, addr);
	p4d_t *p4dp;
	pud_t *pudp;
	pud_t pud;

	if (pgd_none(READ_ONCE(*pgdp)) || pgd_bad(READ_ONCE(*pgdp)))
		return NULL;
	p4dp = p4d_offset(pgdp, addr);
	if (p4d_none(READ_ONCE(*p4dp)) || p4d_bad(READ_ONCE(*p4dp)))
		return NULL;
	pudp = pud_offset(p4dp, addr);
	pud = READ_ONCE(*pudp);
	/* pud_bad() is also true of a 1 GiB leaf. */
	if (pud_none(pud) || !pud_present(pud) || pud_bad(pud))
		return NULL;
	return pudp;
}

static bool pmds_none(pmd_t *pmd)
{
	unsigned int i;

	for (i = 0; i < PTRS_PER_PMD; i++)
		if (!pmd_none(pte_ref_pmd_read(pmd + i)))
			return false;
	return true;
}

/*
 * May the table of the window at @base go?  Every VMA over it must be one
 * reclaim touches, with at most one anon_vma root, returned in @root.
 */
static bool window_ok(struct mm_struct *mm, unsigned long base,
		      struct anon_vma **root)
{
	unsigned long end = base + PUD_SIZE;
	struct vm_area_struct *vma;

	*root = NULL;
	for (vma = find_vma(mm, base); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		/* Only anon: a file's rmap walkers hold its i_mmap lock. */
		if (!vma_is_anonymous(vma) || pte_ref_reclaim_excluded(vma))
			return false;
		if (!vma->anon_vma)
			continue;
		if (*root && *root != vma->anon_vma->root)
			return false;
		*root = vma->anon_vma->root;
		if (vma->vm_end >= end || !vma->vm_end)
			break;
	}
	return true;
}

/*
 * The anon_vma lock is the root's rwsem: anon_vma_lock_write() is
 * down_write(&anon_vma->root->rwsem) on every kernel, and 7.x moved it to
 * mm/internal.h, out of reach; we take the root's rwsem as it does.
 */

/*
 * New page faults of the window's VMAs wait for our mmap write lock; the
 * ones under way are waited for.  -EINTR on a fatal signal where the
 * kernel lets that wait be killed (vma_start_write_killable(), 6.19+):
 * the VMAs locked so far stay locked until the mmap lock goes, as the
 * kernel's own callers leave them.
 */
static int lock_window_vmas(struct mm_struct *mm, unsigned long base)
{
#ifdef PTE_REF_HAVE_VMA_START_WRITE
	unsigned long end = base + PUD_SIZE;
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, base); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
#ifdef PTE_REF_HAVE_VMA_START_WRITE_KILLABLE
		if (vma_start_write_killable(vma))
			return -EINTR;
#else
		vma_start_write(vma);
#endif
		if (vma->vm_end >= end || !vma->vm_end)
			break;
	}
#endif
	return 0;
}

/* Flush every CPU, then free; still under the mmap write lock. */
static void pmd_flush(struct pmd_pass *p)
{
	unsigned int i;

	if (!p->nr)
		return;
	pte_ref_flush_all_cpus();
	for (i = 0; i < p->nr; i++) {
		pte_ref_pmd_table_free(p->mm, p->batch[i]);
		trace_free_pmd_table(p->mm, p->pid, p->addr[i]);
	}
	p->r->pmd_freed += p->nr;
	pte_ref_stat_add(PTE_REF_STAT_PMD_FREED, p->nr);
	p->nr = 0;
}

/*
 * With the mmap lock held for write: take the window's table if empty.
 * Returns 0, or -EINTR (lock_window_vmas()).
 */
static int pmd_window(struct pmd_pass *p, unsigned long base)
{
	struct mm_struct *mm = p->mm;
	struct anon_vma *root;
	spinlock_t *ptl;	/* the pud's: mm->page_table_lock on x86 */
	pud_t *pudp, pud;
	pmd_t *table;

	pudp = find_pud(mm, base);
	if (!pudp)
		return 0;
	p->r->pmd_scanned++;
	if (!window_ok(mm, base, &root)) {
		p->r->pmd_skipped_excluded++;
		return 0;
	}
	/* A first look without locks spares busy windows their VMA locks. */
	if (!pmds_none(pud_pgtable(READ_ONCE(*pudp)))) {
		p->r->pmd_skipped_not_empty++;
		return 0;
	}
	/*
	 * Now no page fault runs in the window: a VMA gains its anon_vma
	 * only in one (or under the mmap lock), so the root found now is the
	 * one every rmap walker of the window locks.
	 */
	if (lock_window_vmas(mm, base))
		return -EINTR;
	if (!window_ok(mm, base, &root)) {
		p->r->pmd_skipped_excluded++;
		return 0;
	}
	if (root)
		down_write(&root->rwsem);
	ptl = pud_lock(mm, pudp);
	pud = READ_ONCE(*pudp);
	table = pud_pgtable(pud);
	if (pud_none(pud) || !pud_present(pud) || pud_bad(pud) ||
	    !pmds_none(table)) {
		spin_unlock(ptl);
		if (root)
			up_write(&root->rwsem);
		p->r->pmd_skipped_not_empty++;
		return 0;
	}
#if defined(CONFIG_TRANSPARENT_HUGEPAGE) && PTE_REF_SPLIT_PMD_PTLOCKS
	/*
	 * No huge pmd, so no deposited PTE table: its destructor checks.
	 * (Without split pmd locks the deposit list is the whole mm's.)
	 */
	if (WARN_ON_ONCE(pmd_huge_pte(mm, table))) {
		spin_unlock(ptl);
		if (root)
			up_write(&root->rwsem);
		p->r->pmd_skipped_not_empty++;
		return 0;
	}
#endif
	pud_clear(pudp);
	spin_unlock(ptl);
	if (root)
		up_write(&root->rwsem);

	p->addr[p->nr] = base;
	p->batch[p->nr++] = virt_to_page(table);
	return 0;
}

/*
 * The automatic policy only tries the mmap lock.  6.5+ kernels dropped
 * mmap_write_trylock(), and a bare down_write_trylock() would skip what
 * mmap_write_lock() does beside the rwsem (the seqcount of 6.13+, the
 * trace events).  There the policy takes the write lock only when nobody
 * held it or waited for it an instant before: what it may wait for is
 * the one holder that came in between, not a queue, and it then holds up
 * this mm's faults for one batch at most, as on 6.1.
 */
static bool pmd_trylock_mm(struct mm_struct *mm)
{
#ifdef PTE_REF_HAVE_MMAP_WRITE_TRYLOCK
	return mmap_write_trylock(mm);
#else
	if (rwsem_is_locked(&mm->mmap_lock) || mmap_lock_is_contended(mm))
		return false;
	return !mmap_write_lock_killable(mm);
#endif
}

static int pmd_lock_mm(struct pmd_pass *p, bool automatic)
{
	int ret;

	if (automatic)
		ret = pmd_trylock_mm(p->mm) ? 0 : -EBUSY;
	else
		ret = mmap_write_lock_killable(p->mm) ? -EINTR : 0;
	if (ret)
		return ret;
	/* Notifiers and userfaultfd are looked at anew under each lock. */
	if (pte_ref_reclaim_refuses(p->mm)) {
		mmap_write_unlock(p->mm);
		return 1;
	}
	return 0;
}

static void pmd_unlock_mm(struct pmd_pass *p)
{
	pmd_flush(p);
	mmap_write_unlock(p->mm);
}

/**
 * pte_ref_reclaim_pmds - free the empty PMD tables of @mm over [start, end)
 * @mm:        pinned by the caller
 * @pid:       for the trace events
 * @start:     page aligned
 * @end:       page aligned, exclusive
 * @r:         pmd_* counts are added here
 * @automatic: only try the mmap lock (-EBUSY when taken)
 *
 * Every table whose 1 GiB window intersects the range is looked at.
 * Returns 0, -EINTR (a fatal signal, or kthread_stop()), -EBUSY, -ENOMEM
 * or -EOPNOTSUPP (pte_ref_reclaim_pmd_unavailable(); nothing looked at).
 */
int pte_ref_reclaim_pmds(struct mm_struct *mm, pid_t pid, unsigned long start,
			 unsigned long end, struct pte_ref_reclaim_result *r,
			 bool automatic)
{
	unsigned long addr = start & PUD_MASK;
	struct pmd_pass *p;
	int ret;

	if (pte_ref_reclaim_pmd_unavailable())
		return -EOPNOTSUPP;
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	*p = (struct pmd_pass){ .mm = mm, .pid = pid, .r = r };

	ret = pmd_lock_mm(p, automatic);
	if (ret) {
		kfree(p);
		return ret < 0 ? ret : 0;
	}
	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned long base;

		if (!vma || vma->vm_start >= end)
			break;
		base = max(addr, vma->vm_start) & PUD_MASK;
		ret = pmd_window(p, base);
		if (ret)
			break;
		addr = base + PUD_SIZE;
		if (!addr)
			break;		/* the last window of the address space */

		if (pte_ref_walk_stop()) {
			ret = -EINTR;
			break;
		}
		if (p->nr == PMD_BATCH || mmap_lock_is_contended(mm) ||
		    need_resched()) {
			pmd_unlock_mm(p);
			cond_resched();
			ret = pmd_lock_mm(p, automatic);
			if (ret) {
				kfree(p);
				return ret < 0 ? ret : 0;
			}
		}
	}
	pmd_unlock_mm(p);
	kfree(p);
	return ret;
}
