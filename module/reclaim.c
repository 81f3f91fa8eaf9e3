// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim.c - free the empty PTE tables of a process, on demand.
 *
 * A table is freed only when all 512 entries are none, it lies in an
 * anonymous VMA (from 6.14 also a shmem or regular-file one, below) that
 * is not hugetlb, PFN/IO/mixed-map or registered with userfaultfd, and no
 * other VMA shares it.  Anything else is skipped and
 * counted.  Two kinds of mm are refused whole (reclaim_locked()): one with mmu
 * notifiers, whose devices cache its page tables where we cannot flush,
 * and, from 6.8, one with any userfaultfd-registered VMA, whose
 * UFFDIO_MOVE writes into tables it looked up without a lock we take.
 *
 * File and shmem VMAs are excluded before 6.14 because there khugepaged's
 * retract_page_tables() and collapse_pte_mapped_thp() take the PTE lock of
 * a pmd they read before locking and do not look at it again (Linux 6.14
 * added that re-check for pt_reclaim): a table freed under them would be
 * used after its free.  Anonymous VMAs are never in their reach; the
 * anonymous khugepaged path takes the mmap lock for write.  From 6.14 on
 * (PTE_REF_FILE_TABLES_NO, compat.h) the tables of shmem and regular-file
 * VMAs are freed too, by the protocol below, PT_RECLAIM's own, which it
 * applies to them in the same kernels: retract_page_tables() now takes
 * the pmd lock, checks the pmd is still a table (check_pmd_state()), and
 * only then the PTE lock of what the pmd points to (mm/khugepaged.c:2176
 * in 7.3); collapse_pte_mapped_thp() maps with pte_offset_map_rw_nolock()
 * and compares the pmd under the lock; the file fault paths
 * (filemap_map_pages(), finish_fault()) and rmap's page_vma_mapped_walk()
 * under the i_mmap lock map with pte_offset_map_lock(), which re-checks.
 *
 * How a table is taken away, per kernel (compat.h):
 *
 * 6.5+ (PTE tables freed under RCU), as mm/khugepaged.c
 * retract_page_tables() and mm/pt_reclaim.c try_to_free_pte() (6.14):
 * mmap lock for read (keeps the VMA and its type; excludes munmap,
 * mremap, mprotect and the anonymous khugepaged collapse, which write it),
 * then the pmd lock and the PTE lock nested in it; under both, the pmd
 * still points to the table and every entry is none; clear the pmd.  The
 * other walkers of an anonymous table that run beside the mmap read lock
 * (page faults under the VMA lock, zap, GUP, rmap, pagemap, swap-in) map
 * it with pte_offset_map*() under RCU, so none touches freed memory, and
 * none writes a new entry into a table we detached: most re-check the pmd
 * after taking the PTE lock (pte_offset_map_lock()); handle_pte_fault()
 * does not (pte_offset_map_nolock(), mm/memory.c:5785) but writes only
 * after pte_same() with the non-none entry it read (5809), and a table we
 * detach was all-none under that same lock.
 * GUP-fast walks with interrupts off.  Then, per batch: flush the TLB on
 * every CPU, paging-structure caches included, and free each table only
 * after a grace period (pte_free_defer() semantics), so no lockless
 * walker or stale translation still uses it.
 *
 * Not every walker rechecks the pmd, and that is fine as long as nobody
 * writes a new entry into a detached table: that is the invariant, and a
 * walker that writes without rechecking must be kept away from us some
 * other way.  There is one on 6.8+: UFFDIO_MOVE (mm/userfaultfd.c).
 * move_pages() finds both pmds with mm_find_pmd() (1770),
 * allocates an all-none source table itself for ALLOW_SRC_HOLES (1839),
 * maps both tables with pte_offset_map_nolock() (1195, 1203), and only
 * then checks WARN_ON_ONCE(pmd_none(*src_pmd)) (1217): a source table
 * we clear in between is a WARN, a taint and a panic with panic_on_warn.
 * move_present_pte() (1024) then sets the destination entry after
 * comparing it with the none entry it read, without looking at the pmd
 * again: into a table we freed.  The source need not be registered, the
 * destination must be (validate_move_areas(), 1503), so refusing the whole
 * mm while any of its VMAs is registered is what keeps reclaim out of
 * every move: this exclusion is load-bearing.
 *
 * PT_RECLAIM (6.14+; always on in 7.x) frees tables too, from
 * MADV_DONTNEED and MADV_FREE, which hold only the VMA's read lock
 * (get_lock_mode(), mm/madvise.c:1771 in 7.3), so it runs beside our
 * mmap read lock, in the very VMAs we walk.  Neither side can free a
 * table twice, nor free one the other still uses, because both clear
 * the pmd under the pmd lock and look at it under that lock first.  In
 * 7.3's mm/memory.c (6.14's try_to_free_pte() is the slow path alone):
 * - zap_pte_range() holds the PTE lock from pte_offset_map_lock(), which
 *   took it and then checked that the pmd still maps this table
 *   (mm/pgtable-generic.c:405); its fast path zap_empty_pte_table()
 *   (1982) then only trylocks the pmd lock and clears the pmd.  We clear
 *   only with the PTE lock held too, so not while it holds it; and if we
 *   cleared first, its pmd check fails, it finds the pmd none and goes.
 * - zap_pte_table_if_empty() (1997), its slow path, takes the pmd lock,
 *   then maps the table with pte_offset_map_rw_nolock(), which returns
 *   NULL for a none pmd, takes the PTE lock nested, and checks all 512
 *   entries: our order (pmd lock, then PTE lock), and our checks.
 * - We take the pmd lock (only tried), check that the pmd is still a
 *   table, then the PTE lock, then all 512 entries: a pmd it cleared is
 *   none to us, a busy table is skipped.
 * Whoever clears the pmd owns the table: it frees it after a TLB flush
 * and a grace period (its mmu_gather's tlb_remove_table(), our
 * pte_free_defer() semantics), while the other's lockless walkers map it
 * under RCU.  The lock order is the same on both sides, pmd lock then
 * PTE lock, or a trylock against it, so they cannot deadlock.
 *
 * 6.1 (no RCU protection of PTE tables), as 6.1's collapse_and_free_pmd()
 * and retract_page_tables(): mmap lock for write (excludes every page
 * fault and every mmap-locked walker), the VMA's anon_vma lock for write
 * (excludes rmap walkers), pmd lock and PTE lock for the check and the
 * clear; then per batch the flush IPI to every CPU, which also waits out
 * GUP-fast as tlb_remove_table_sync_one() does, and the free.
 *
 * Line numbers cited in this file are Debian 6.12.118's, unless they say
 * otherwise.
 *
 * Work is bounded: a batch is at most RECLAIM_BATCH tables, after which
 * the walker drops the mmap lock and reschedules; pmd locks are only
 * tried (a busy one is a skipped table); a fatal signal stops the walk.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/rmap.h>
#include <linux/shmem_fs.h>
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

/* Why a whole mm is left alone, decided anew under each mmap lock. */
enum refusal { REFUSE_NONE, REFUSE_NOTIFIER, REFUSE_UFFD };

struct reclaim {
	struct mm_struct *mm;
	pid_t pid;			/* for the trace events */
	struct pte_ref_reclaim_result *r;
	enum refusal refuse;
	enum pte_ref_stat freed_stat;	/* frees_forced, or frees_auto */
	unsigned int nr;
	struct page *batch[RECLAIM_BATCH];
	unsigned long addr[RECLAIM_BATCH];	/* what each table mapped */
};

const char *pte_ref_reclaim_unavailable(void)
{
	if (PTE_REF_RECLAIM_NO)
		return PTE_REF_RECLAIM_NO;
	/*
	 * Xen PV: page tables are pinned read-only by the hypervisor and
	 * every pmd write, flush and free goes through pv_ops.  We release
	 * the page as ___pte_free_tlb() does, but nobody has run this there:
	 * refuse rather than guess.
	 */
	if (pte_ref_xen_pv())
		return "running as a Xen PV guest (page tables pinned by Xen), not supported";
	/* Where pte_free() cannot be linked, only it frees a table. */
	if (PTE_REF_TABLES_RCU && !PTE_REF_OWN_PTE_FREE && !pte_ref_sym.pte_free_defer)
		return pte_ref_sym.pte_free_defer_why;
	return NULL;
}

const char *pte_ref_reclaim_file_unavailable(void)
{
	return pte_ref_reclaim_unavailable() ?: PTE_REF_FILE_TABLES_NO;
}

/*
 * A file VMA reclaim may touch: shmem, or a file whose faults are the page
 * cache's own (filemap_fault(): ext4, btrfs, 9p...).  Not a driver's
 * mapping, which may expect its tables to stay (secretmem, guest_memfd,
 * sysfs and debugfs files with vm_ops of their own), nor DAX.
 */
static bool file_ok(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;

	if (PTE_REF_FILE_TABLES_NO || !file || vma_is_dax(vma))
		return false;
	if (shmem_mapping(file->f_mapping))
		return true;
	return vma->vm_ops && vma->vm_ops->fault == filemap_fault &&
	       S_ISREG(file_inode(file)->i_mode);
}

bool pte_ref_reclaim_excluded(struct vm_area_struct *vma)
{
	return (!vma_is_anonymous(vma) && !file_ok(vma)) ||
	       is_vm_hugetlb_page(vma) ||
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

/*
 * Called with the mmap lock held (read on 6.5+, write before), every time
 * it is taken: the answer holds until it is dropped.  A refusal is kept
 * for the rest of the walk (refusing is always safe), so only an mm that
 * was allowed is looked at again: one pass over its VMAs per lock taken,
 * which the walker does at most once per batch or per VMA when contended.
 *
 * mmu notifiers: every kernel path that frees a table tells them, because
 * that is how an IOMMU walking this mm (SVA: Intel and AMD, Intel DSA)
 * drops its paging-structure caches: 6.12's flush_tlb_mm_range() calls
 * mmu_notifier_arch_invalidate_secondary_tlbs() (arch/x86/mm/tlb.c:1083),
 * 6.1's tlb_flush_mmu_tlbonly() mmu_notifier_invalidate_range().  None of
 * that is exported, so we refuse mms that have notifiers.  A first
 * notifier is registered with the mmap lock held for write
 * (__mmu_notifier_register(), mm/mmu_notifier.c:611): not under our lock.
 * mm_has_notifiers() stays true for the life of the mm, even after the
 * notifier is gone, so such an mm is refused until it exits.
 *
 * userfaultfd: see the top of this file.  Registering and unregistering
 * a range take the mmap lock for write (fs/userfaultfd.c:1302, 1449, and
 * userfaultfd_release_all()) and vma_start_write() each VMA
 * (userfaultfd_set_ctx()), so under our lock no VMA gains or loses its
 * context; and a move in flight holds its destination's VMA lock or the
 * mmap lock (uffd_move_lock()) from before its check of the context to
 * its end, so while no VMA has one, no move can be in flight either.
 */
static enum refusal refusal(struct mm_struct *mm)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;

	if (mm_has_notifiers(mm))
		return REFUSE_NOTIFIER;
	/* Before UFFDIO_MOVE (6.8), excluding registered VMAs is enough. */
	if (!PTE_REF_UFFD_MOVE)
		return REFUSE_NONE;
	for_each_vma(vmi, vma)
		if (pte_ref_vma_uffd(vma))
			return REFUSE_UFFD;
	return REFUSE_NONE;
}

static void reclaim_locked(struct mm_struct *mm, void *priv)
{
	struct reclaim *rc = priv;

	if (rc->refuse == REFUSE_NONE)
		rc->refuse = refusal(mm);
}

/* With the mmap lock held: would reclaim refuse all of @mm now? */
bool pte_ref_reclaim_refuses(struct mm_struct *mm)
{
	return refusal(mm) != REFUSE_NONE;
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

/*
 * Where pte_free() reaches an unexported function (compat.h,
 * PTE_REF_OWN_PTE_FREE), not a single call to it may be compiled in, or
 * modpost fails: tables are then freed by pte_free_defer() (6.5+) or not
 * at all (reclaim refused, PTE_REF_RECLAIM_NO).
 */
#if PTE_REF_OWN_PTE_FREE
static void free_table_rcu(struct rcu_head *head)
{
	pte_ref_pte_free(NULL, container_of(head, struct page, rcu_head));
}
#endif

#if PTE_REF_OWN_PTE_FREE || PTE_REF_TABLES_RCU

/*
 * As ___pte_free_tlb() (arch/x86/mm/pgtable.c:53-58): release the page
 * from the hypervisor (paravirt_release_pte(): Xen PV unpins it; a no-op
 * elsewhere), then free it.  The kernel runs the page-table destructor
 * before the release and pte_free() runs it after; for a page nobody maps
 * any more the two do not depend on each other.
 */
static void free_table(struct mm_struct *mm, struct page *table)
{
	mm_dec_nr_ptes(mm);
	paravirt_release_pte(page_to_pfn(table));
#if PTE_REF_OWN_PTE_FREE
	if (!PTE_REF_TABLES_RCU)
		pte_ref_pte_free(mm, table);	/* every walker was excluded */
	else
		call_rcu(&table->rcu_head, free_table_rcu);
#else
	pte_ref_sym.pte_free_defer(mm, table);
#endif
}
#else
static void free_table(struct mm_struct *mm, struct page *table)
{
	/* Unreachable: pte_ref_reclaim_mm() refuses first. */
	WARN_ON_ONCE(1);
}
#endif

/*
 * Everything this CPU caches of page tables: TLB entries of every PCID,
 * global ones and the paging-structure caches.  6.19+ exports
 * __flush_tlb_all() to KVM only (or not at all without KVM); then we do
 * what it does
 * (arch/x86/mm/tlb.c), through the exported pv_ops: a global flush
 * (INVPCID all-context or a CR4.PGE toggle) or, without PGE, which also
 * means without PCID, a CR3 reload.  Called with preemption off (IPI).
 */
static void flush_this_cpu(void *unused)
{
#if !PTE_REF_CAN_FLUSH
	WARN_ON_ONCE(1);	/* unreachable: reclaim is refused (compat.h) */
#elif defined(PTE_REF_NO_FLUSH_TLB_ALL)
	if (cpu_feature_enabled(X86_FEATURE_PGE))
		__flush_tlb_global();
	else
		__flush_tlb_local();
#else
	__flush_tlb_all();
#endif
}

void pte_ref_flush_all_cpus(void)
{
	on_each_cpu(flush_this_cpu, NULL, 1);
}

/* The pmds of the batch are clear: flush every CPU, then free. */
static void reclaim_flush(void *priv)
{
	struct reclaim *rc = priv;
	unsigned int i;

	if (!rc->nr)
		return;
	pte_ref_flush_all_cpus();
	for (i = 0; i < rc->nr; i++) {
		free_table(rc->mm, rc->batch[i]);
		trace_free_table(rc->mm, rc->pid, rc->addr[i]);
	}
	rc->r->freed += rc->nr;
	pte_ref_stat_add(rc->freed_stat, rc->nr);
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
	struct page *table;
	enum detach d;

	r->scanned++;
	if (rc->refuse == REFUSE_NOTIFIER) {
		r->skipped_notifier++;
		return false;
	}
	if (rc->refuse == REFUSE_UFFD) {
		r->skipped_uffd++;
		return false;
	}
	if (pte_ref_reclaim_excluded(vma)) {
		r->skipped_excluded++;
		return false;
	}
	if (table_shared(vma, addr & PMD_MASK)) {
		r->skipped_shared++;
		return false;
	}
#if PTE_REF_RECLAIM_WRITE
	/* 6.1: rmap walkers hold the anon_vma lock (7.x moved it to mm/). */
	if (vma->anon_vma)
		anon_vma_lock_write(vma->anon_vma);
	d = detach_if_empty(rc->mm, pmdp, &table);
	if (vma->anon_vma)
		anon_vma_unlock_write(vma->anon_vma);
#else
	d = detach_if_empty(rc->mm, pmdp, &table);
#endif

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
	.locked		= reclaim_locked,
	.vma		= reclaim_vma,
	.pmd		= reclaim_pmd,
	.unlocking	= reclaim_flush,
	.write		= PTE_REF_RECLAIM_WRITE,
};

/* The automatic policy's: the same, but it never waits for the mmap lock. */
static const struct pte_ref_walk_ops reclaim_try_ops = {
	.locked		= reclaim_locked,
	.vma		= reclaim_vma,
	.pmd		= reclaim_pmd,
	.unlocking	= reclaim_flush,
	.write		= PTE_REF_RECLAIM_WRITE,
	.trylock	= true,
};

static int reclaim_mm(struct mm_struct *mm, pid_t pid, unsigned long start,
		      unsigned long end, struct pte_ref_reclaim_result *r,
		      bool automatic)
{
	struct pte_ref_reclaim_result before = *r;
	u64 t0 = ktime_get_ns();
	struct reclaim *rc;
	int ret;

	if (pte_ref_reclaim_unavailable())
		return -EOPNOTSUPP;
	rc = kmalloc(sizeof(*rc), GFP_KERNEL);
	if (!rc)
		return -ENOMEM;
	rc->mm = mm;
	rc->pid = pid;
	rc->r = r;
	rc->nr = 0;
	rc->refuse = REFUSE_NONE;
	rc->freed_stat = automatic ? PTE_REF_STAT_AUTO_FREED :
				     PTE_REF_STAT_FORCED;
	ret = pte_ref_walk(mm, start, end,
			   automatic ? &reclaim_try_ops : &reclaim_ops, rc);
	kfree(rc);
	/* Then the PMD tables, which may have just lost their last table. */
	if (!ret) {
		r->pmd_error = pte_ref_reclaim_pmds(mm, pid, start, end, r,
						    automatic);
		if (r->pmd_error != -EOPNOTSUPP)
			ret = r->pmd_error;
	}
	r->processes++;
	trace_reclaim_done(pid, r->scanned - before.scanned,
			   r->freed - before.freed,
			   r->skipped_busy - before.skipped_busy,
			   ktime_get_ns() - t0);
	return ret;
}

/**
 * pte_ref_reclaim_mm - free the empty PTE tables of @mm in [start, end)
 * @mm:    pinned by the caller
 * @pid:   its pid in the writer's namespace, for the trace events
 * @start: page aligned
 * @end:   page aligned, exclusive
 * @r:     counts are added here
 *
 * Returns 0 or -EINTR (fatal signal; what was freed until then is freed
 * and counted), -ENOMEM, -EOPNOTSUPP (pte_ref_reclaim_unavailable()).
 */
int pte_ref_reclaim_mm(struct mm_struct *mm, pid_t pid, unsigned long start,
		       unsigned long end, struct pte_ref_reclaim_result *r)
{
	return reclaim_mm(mm, pid, start, end, r, false);
}

/**
 * pte_ref_reclaim_mm_try - pte_ref_reclaim_mm() for the automatic policy
 * @mm:    pinned by the caller
 * @pid:   its pid, for the trace events
 * @start: page aligned
 * @end:   page aligned, exclusive
 * @r:     counts are added here
 *
 * Every mmap lock is only tried: -EBUSY when one is taken (what was freed
 * until then is freed and counted); -EINTR when kthread_stop() asks.
 * Frees count as frees_auto.
 */
int pte_ref_reclaim_mm_try(struct mm_struct *mm, pid_t pid,
			   unsigned long start, unsigned long end,
			   struct pte_ref_reclaim_result *r)
{
	return reclaim_mm(mm, pid, start, end, r, true);
}

/* Our RCU callbacks run module code: wait for them before unload. */
void pte_ref_reclaim_exit(void)
{
	rcu_barrier();
}
