// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim.c - free the empty PTE tables of a process, on demand.
 *
 * A table is freed only when all 512 entries are none, it lies in an
 * anonymous VMA that is not hugetlb, PFN/IO/mixed-map or registered with
 * userfaultfd, and no other VMA shares it.  Anything else is skipped and
 * counted.  File and shmem VMAs are excluded because on 6.12 khugepaged's
 * retract_page_tables() and collapse_pte_mapped_thp() take the PTE lock of
 * a pmd they read before locking and do not look at it again (Linux 6.14
 * added that re-check for pt_reclaim): a table freed under them would be
 * used after its free.  Anonymous VMAs are never in their reach; the
 * anonymous khugepaged path takes the mmap lock for write.
 *
 * How a table is taken away, per kernel (compat.h):
 *
 * 6.5+ (PTE tables freed under RCU), as mm/khugepaged.c
 * retract_page_tables() and mm/pt_reclaim.c try_to_free_pte() (6.14):
 * mmap lock for read (keeps the VMA and its type; excludes munmap,
 * mremap, mprotect and the anonymous khugepaged collapse, which write it),
 * then the pmd lock and the PTE lock nested in it; under both, the pmd
 * still points to the table and every entry is none; clear the pmd.  Every
 * other walker of that kernel (page faults under the VMA lock, zap, GUP,
 * rmap, pagemap, userfaultfd fill, swap-in) maps the table with
 * pte_offset_map*() under RCU and re-checks the pmd after taking the PTE
 * lock, so it either saw the pmd cleared or finished before we locked.
 * GUP-fast walks with interrupts off.  Then, per batch: flush the TLB on
 * every CPU, paging-structure caches included, and free each table only
 * after a grace period (pte_free_defer() semantics), so no lockless
 * walker or stale translation still uses it.
 *
 * 6.1 (no RCU protection of PTE tables), as 6.1's collapse_and_free_pmd()
 * and retract_page_tables(): mmap lock for write (excludes every page
 * fault and every mmap-locked walker), the VMA's anon_vma lock for write
 * (excludes rmap walkers), pmd lock and PTE lock for the check and the
 * clear; then per batch the flush IPI to every CPU, which also waits out
 * GUP-fast as tlb_remove_table_sync_one() does, and the free.
 *
 * Work is bounded: a batch is at most RECLAIM_BATCH tables, after which
 * the walker drops the mmap lock and reschedules; pmd locks are only
 * tried (a busy one is a skipped table); a fatal signal stops the walk.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/smp.h>
#include <linux/userfaultfd_k.h>
#include <asm/pgalloc.h>
#include <asm/tlbflush.h>

#include "compat.h"
#include "pte_ref_trace.h"
#include "reclaim.h"
#include "stats.h"
#include "symbols.h"
#include "walk.h"

#define RECLAIM_BATCH	512

struct reclaim {
	struct mm_struct *mm;
	pid_t pid;			/* for the trace events */
	struct pte_ref_reclaim_result *r;
	unsigned int nr;
	struct page *batch[RECLAIM_BATCH];
	unsigned long addr[RECLAIM_BATCH];	/* what each table mapped */
};

const char *pte_ref_reclaim_unavailable(void)
{
	if (PTE_REF_RECLAIM_NO)
		return PTE_REF_RECLAIM_NO;
	if (PTE_REF_TABLES_RCU && ALLOC_SPLIT_PTLOCKS && !pte_ref_sym.pte_free_defer)
		return "pte_free_defer() not found (needed where page-table locks are allocated)";
	return NULL;
}

static bool vma_excluded(struct vm_area_struct *vma)
{
	return !vma_is_anonymous(vma) || is_vm_hugetlb_page(vma) ||
	       (vma->vm_flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP)) ||
	       userfaultfd_armed(vma);
}

/* Does any VMA but @vma map part of the 2 MiB at @base? */
static bool table_shared(struct vm_area_struct *vma, unsigned long base)
{
	struct vm_area_struct *next;

	if (vma->vm_start > base && find_vma(vma->vm_mm, base) != vma)
		return true;
	if (vma->vm_end < base + PMD_SIZE) {
		next = find_vma(vma->vm_mm, vma->vm_end);
		if (next && next->vm_start < base + PMD_SIZE)
			return true;
	}
	return false;
}

static bool all_none(pte_t *pte)
{
	unsigned int i;

	for (i = 0; i < PTRS_PER_PTE; i++)
		if (!pte_none(ptep_get(pte + i)))
			return false;
	return true;
}

enum detach { DETACHED, NOT_EMPTY, BUSY };

/*
 * Clear the pmd of an empty table: the caller holds the mmap lock (read,
 * or write before 6.5) and on 6.1 the anon_vma lock.  The pmd lock is only
 * tried so that a reclaim never waits on a busy table; the PTE lock is
 * taken nested in it, the order of try_to_free_pte().
 */
static enum detach detach_if_empty(struct mm_struct *mm, pmd_t *pmdp,
				   struct page **table)
{
	spinlock_t *pml = pmd_lockptr(mm, pmdp);	/* the pmd's lock */
	spinlock_t *ptl;				/* the table's lock */
	enum detach ret = NOT_EMPTY;
	pmd_t pmdval;

	if (!spin_trylock(pml))
		return BUSY;
	pmdval = READ_ONCE(*pmdp);
	if (!pte_ref_pmd_is_table(pmdval)) {
		spin_unlock(pml);
		return BUSY;	/* it changed since the walker looked */
	}
	ptl = pte_lockptr(mm, &pmdval);
	if (ptl != pml)
		spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
	else
		__acquire(ptl);	/* one lock for both: tell sparse */
	if (all_none(pte_offset_kernel(&pmdval, 0))) {
		pmd_clear(pmdp);
		*table = pmd_pgtable(pmdval);
		ret = DETACHED;
	}
	if (ptl != pml)
		spin_unlock(ptl);
	else
		__release(ptl);
	spin_unlock(pml);
	return ret;
}

static void free_table_rcu(struct rcu_head *head)
{
	pte_free(NULL, container_of(head, struct page, rcu_head));
}

static void free_table(struct mm_struct *mm, struct page *table)
{
	mm_dec_nr_ptes(mm);
	if (!PTE_REF_TABLES_RCU)
		pte_free(mm, table);	/* every walker was excluded */
	else if (ALLOC_SPLIT_PTLOCKS)
		pte_ref_sym.pte_free_defer(mm, table);
	else
		call_rcu(&table->rcu_head, free_table_rcu);
}

static void flush_this_cpu(void *unused)
{
	__flush_tlb_all();
}

/* The pmds of the batch are clear: flush every CPU, then free. */
static void reclaim_flush(void *priv)
{
	struct reclaim *rc = priv;
	unsigned int i;

	if (!rc->nr)
		return;
	on_each_cpu(flush_this_cpu, NULL, 1);
	for (i = 0; i < rc->nr; i++) {
		free_table(rc->mm, rc->batch[i]);
		trace_free_table(rc->mm, rc->pid, rc->addr[i]);
	}
	rc->r->freed += rc->nr;
	pte_ref_stat_add(PTE_REF_STAT_FORCED, rc->nr);
	rc->nr = 0;
}

static int reclaim_vma(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, void *priv)
{
	return 0;
}

static bool reclaim_pmd(struct vm_area_struct *vma, pmd_t *pmdp,
			unsigned long addr, void *priv)
{
	struct reclaim *rc = priv;
	struct pte_ref_reclaim_result *r = rc->r;
	struct anon_vma *av = PTE_REF_RECLAIM_WRITE ? vma->anon_vma : NULL;
	struct page *table;
	enum detach d;

	r->scanned++;
	if (vma_excluded(vma)) {
		r->skipped_excluded++;
		return false;
	}
	if (table_shared(vma, addr & PMD_MASK)) {
		r->skipped_shared++;
		return false;
	}
	if (av)
		anon_vma_lock_write(av);
	d = detach_if_empty(rc->mm, pmdp, &table);
	if (av)
		anon_vma_unlock_write(av);

	if (d == NOT_EMPTY) {
		r->skipped_not_empty++;
	} else if (d == BUSY) {
		r->skipped_busy++;
	} else {
		rc->addr[rc->nr] = addr & PMD_MASK;
		rc->batch[rc->nr++] = table;
		return rc->nr == RECLAIM_BATCH;	/* flush, let faults in */
	}
	return false;
}

static const struct pte_ref_walk_ops reclaim_ops = {
	.vma		= reclaim_vma,
	.pmd		= reclaim_pmd,
	.unlocking	= reclaim_flush,
	.write		= PTE_REF_RECLAIM_WRITE,
};

/**
 * pte_ref_reclaim_mm - free the empty PTE tables of @mm in [start, end)
 * @mm:    pinned by the caller
 * @pid:   its pid in the writer's namespace, for the trace events
 * @start: page aligned
 * @end:   page aligned, exclusive
 * @r:     counts are added here
 *
 * Returns 0 or -EINTR (fatal signal; what was freed until then is freed
 * and counted), -ENOMEM.
 */
int pte_ref_reclaim_mm(struct mm_struct *mm, pid_t pid, unsigned long start,
		       unsigned long end, struct pte_ref_reclaim_result *r)
{
	struct reclaim *rc = kmalloc(sizeof(*rc), GFP_KERNEL);
	struct pte_ref_reclaim_result before = *r;
	u64 t0 = ktime_get_ns();
	int ret;

	if (!rc)
		return -ENOMEM;
	rc->mm = mm;
	rc->pid = pid;
	rc->r = r;
	rc->nr = 0;
	ret = pte_ref_walk(mm, start, end, &reclaim_ops, rc);
	kfree(rc);
	r->processes++;
	trace_reclaim_done(pid, r->scanned - before.scanned,
			   r->freed - before.freed,
			   r->skipped_busy - before.skipped_busy,
			   ktime_get_ns() - t0);
	return ret;
}

/* Our RCU callbacks run module code: wait for them before unload. */
void pte_ref_reclaim_exit(void)
{
	rcu_barrier();
}
