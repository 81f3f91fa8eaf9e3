/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - everything that differs between the kernels pte_ref builds on.
 *
 * Flavors (see README): "stock" Debian 6.1 / 6.12, "free_user_pte" (the
 * "Free user PTE page table pages" series, CONFIG_FREE_USER_PTE) and
 * "pt_reclaim" (Linux 6.14+, CONFIG_PT_RECLAIM).  Version differences:
 * since 6.5 PTE tables may be freed under RCU without the mmap lock
 * (retract_page_tables(), pte_free_defer()), so a walker must revalidate
 * the pmd after taking the PTE lock; 6.6 moved page-table pages to
 * struct ptdesc (hidden here behind pte_lockptr()).
 *
 * The rest of the module never tests a version or a CONFIG_ of this list.
 */
#ifndef PTE_REF_COMPAT_H
#define PTE_REF_COMPAT_H

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/userfaultfd_k.h>
#include <xen/xen.h>
#include <asm/ibt.h>
#include <asm/pgalloc.h>

#if defined(CONFIG_FREE_USER_PTE)
#include <linux/pte_ref.h>
#define PTE_REF_FLAVOR		"free_user_pte"
#define PTE_REF_HAVE_REFCOUNT	1
#elif defined(CONFIG_PT_RECLAIM)
#define PTE_REF_FLAVOR		"pt_reclaim"
#define PTE_REF_HAVE_REFCOUNT	0
#else
#define PTE_REF_FLAVOR		"stock"
#define PTE_REF_HAVE_REFCOUNT	0
#endif

/* Set by Kbuild from the kernel's own headers. */
#ifdef PTE_REF_HAVE_PTE_FREE_DEFER
#define PTE_REF_TABLES_RCU	1
#else
#define PTE_REF_TABLES_RCU	0
#endif

/*
 * Forced reclaim (reclaim.c).  Where PTE tables are freed under RCU, the
 * mmap lock for read is the lock the kernel's own table freers hold
 * (retract_page_tables(), pt_reclaim); before 6.5 it takes the mmap lock
 * for write, as 6.1's collapse_and_free_pmd() does.  The series frees
 * empty tables by itself and counts references we would have to take
 * part in: no forced reclaim there.
 */
/*
 * The flush of every CPU's TLB and paging-structure caches (reclaim.c).
 * 6.19+ exports __flush_tlb_all() to KVM's modules only (Kbuild); with
 * PARAVIRT its parts are reachable through the exported pv_ops, without
 * it they are native_flush_tlb_*(), not exported: no flush, no reclaim.
 */
/* The fixture build FIXTURE=no_paravirt pretends PARAVIRT is off. */
#if defined(PTE_REF_NO_FLUSH_TLB_ALL) && \
	(!defined(CONFIG_PARAVIRT) || defined(PTE_REF_FAKE_NO_PARAVIRT))
#define PTE_REF_CAN_FLUSH	0
#else
#define PTE_REF_CAN_FLUSH	1
#endif

#if PTE_REF_HAVE_REFCOUNT
#define PTE_REF_RECLAIM_NO	"the free_user_pte series frees empty tables itself"
#elif !PTE_REF_CAN_FLUSH
#define PTE_REF_RECLAIM_NO	"__flush_tlb_all() is not exported to modules (6.19+: KVM only), and without PARAVIRT nothing else flushes every PCID"
#elif !PTE_REF_TABLES_RCU && ALLOC_SPLIT_PTLOCKS
#define PTE_REF_RECLAIM_NO	"pte_free() needs ptlock_free(), not exported, on this config"
#else
#define PTE_REF_RECLAIM_NO	NULL
#endif
#define PTE_REF_RECLAIM_WRITE	(!PTE_REF_TABLES_RCU)

/*
 * PTE tables of file and shmem VMAs (reclaim.c).  Before Linux 6.14,
 * khugepaged's retract_page_tables() and collapse_pte_mapped_thp() take
 * the PTE lock of a pmd they read before locking and never look again;
 * the series that brought PT_RECLAIM (6.14) made them re-check the pmd
 * under the pmd lock, because PT_RECLAIM itself frees file and shmem
 * tables under the mmap (or VMA) read lock, the pmd lock and the PTE
 * lock: the protocol reclaim follows.  So the PT_RECLAIM code being there
 * is the feature test: CONFIG_ARCH_SUPPORTS_PT_RECLAIM (6.14-6.x, x86_64,
 * whether PT_RECLAIM is chosen or not) or CONFIG_PT_RECLAIM (7.x, where it
 * is always on).
 */
/*
 * Split page-table locks: each table has its own (6.12+: CONFIG_SPLIT_*;
 * 6.1: USE_SPLIT_*, from NR_CPUS).  Without split PTE locks, khugepaged's
 * collapse_pte_mapped_thp() skips its re-check of the pmd (it does it only
 * when the PTE lock is not the pmd lock), so file tables are left alone.
 */
#if defined(CONFIG_SPLIT_PTE_PTLOCKS) || \
	(defined(USE_SPLIT_PTE_PTLOCKS) && USE_SPLIT_PTE_PTLOCKS)
#define PTE_REF_SPLIT_PTE_PTLOCKS	1
#else
#define PTE_REF_SPLIT_PTE_PTLOCKS	0
#endif
#if defined(CONFIG_SPLIT_PMD_PTLOCKS) || \
	(defined(USE_SPLIT_PMD_PTLOCKS) && USE_SPLIT_PMD_PTLOCKS)
#define PTE_REF_SPLIT_PMD_PTLOCKS	1
#else
#define PTE_REF_SPLIT_PMD_PTLOCKS	0
#endif

#if PTE_REF_TABLES_RCU && PTE_REF_SPLIT_PTE_PTLOCKS && \
	(defined(CONFIG_PT_RECLAIM) || defined(CONFIG_ARCH_SUPPORTS_PT_RECLAIM))
#define PTE_REF_FILE_TABLES_NO	NULL
#elif PTE_REF_TABLES_RCU && !PTE_REF_SPLIT_PTE_PTLOCKS
#define PTE_REF_FILE_TABLES_NO	"without split PTE locks khugepaged's collapse_pte_mapped_thp() does not re-check the pmd"
#else
#define PTE_REF_FILE_TABLES_NO	"before Linux 6.14 khugepaged's retract_page_tables() and collapse_pte_mapped_thp() lock a pmd they read before locking and never look again"
#endif

/*
 * The automatic policy only tries the mmap lock (walk.c); where reclaim
 * takes it for write (PTE_REF_RECLAIM_WRITE, before 6.5) that is
 * mmap_write_trylock(), which those kernels have and later ones dropped.
 * Without it the policy is unavailable (auto.c), and this is never called.
 */
#ifdef PTE_REF_HAVE_MMAP_WRITE_TRYLOCK
#define pte_ref_mmap_write_trylock(mm)	mmap_write_trylock(mm)
#define PTE_REF_AUTO_NO			NULL
#else
static inline bool pte_ref_mmap_write_trylock(struct mm_struct *mm)
{
	WARN_ON_ONCE(1);
	return false;
}

#define PTE_REF_AUTO_NO	(PTE_REF_RECLAIM_WRITE ? \
	"reclaim takes the mmap lock for write, and this kernel has no mmap_write_trylock()" : NULL)
#endif

/*
 * May the module free a table itself?  Not where pte_free() reaches
 * ptlock_free(), not exported, because page-table locks are allocated
 * (lockdep): there reclaim frees through pte_free_defer(), found at load,
 * or not at all.
 */
#if ALLOC_SPLIT_PTLOCKS
#define PTE_REF_OWN_PTE_FREE	0
#else
#define PTE_REF_OWN_PTE_FREE	1
#endif

/*
 * pte_free() of a user table.  With ASYNC_KERNEL_PGTABLE_FREE (7.x, x86
 * with IOMMU_SVA) pte_free() -> pagetable_dtor_free() -> pagetable_free()
 * refers to pagetable_free_kernel(), not exported, in a branch taken only
 * for tables marked PT_kernel (include/linux/mm.h).  A user table never
 * is, so we take the other branch ourselves: pagetable_dtor(), then
 * __pagetable_free(), as pte_free() does.  A marked table would be a bug
 * elsewhere: leak it rather than free it the wrong way.
 */
#if PTE_REF_OWN_PTE_FREE
static inline void pte_ref_pte_free(struct mm_struct *mm, struct page *table)
{
#ifdef CONFIG_ASYNC_KERNEL_PGTABLE_FREE
	struct ptdesc *pt = page_ptdesc(table);

	if (WARN_ON_ONCE(ptdesc_test_kernel(pt)))
		return;
	pagetable_dtor(pt);
	__pagetable_free(pt);
#else
	pte_free(mm, table);
#endif
}
#endif

/* A devmap (DAX) pmd maps a huge page: no PTE table behind it. */
static inline bool pte_ref_pmd_devmap(pmd_t pmd)
{
#ifdef PTE_REF_HAVE_PMD_DEVMAP
	return pmd_devmap(pmd);
#else
	return false;
#endif
}

/*
 * Are we a Xen PV guest (or dom0)?  The fixture build FIXTURE=xen_pv
 * pretends so, to test the refusal where no Xen runs.
 */
#ifdef PTE_REF_FAKE_XEN_PV
#define pte_ref_xen_pv()	true
#else
#define pte_ref_xen_pv()	xen_pv_domain()
#endif

/*
 * ENDBR64 and the seal objtool's list gets, for symbols.c's IBT check
 * (endbr.h).  Without kernel IBT the
 * CPU feature is compiled out too and nothing is compared with it.
 */
#if HAS_KERNEL_IBT
#define pte_ref_endbr64()	gen_endbr()
#define pte_ref_endbr_poison()	gen_endbr_poison()
#else
#define pte_ref_endbr64()	0U
#define pte_ref_endbr_poison()	0U
#endif

/* Reasons of tracepoint tlb:tlb_flush: 7.x added TLB_REMOTE_WRONG_CPU. */
#ifdef PTE_REF_HAVE_TLB_REMOTE_WRONG_CPU
#define PTE_REF_TLB_REASONS	6
#else
#define PTE_REF_TLB_REASONS	5
#endif

/* UFFDIO_MOVE (6.8+) writes into tables of VMAs it did not register. */
#ifdef UFFD_FEATURE_MOVE
#define PTE_REF_UFFD_MOVE	1
#else
#define PTE_REF_UFFD_MOVE	0
#endif

/*
 * Is @vma registered with a userfaultfd (any mode), or does it still
 * carry a context?  The context is what UFFDIO_MOVE checks.
 */
static inline bool pte_ref_vma_uffd(struct vm_area_struct *vma)
{
#ifdef CONFIG_USERFAULTFD
	if (vma->vm_userfaultfd_ctx.ctx)
		return true;
#endif
	return userfaultfd_armed(vma);
}

/* A snapshot of a pmd entry that may change under us (x86_64: one load). */
static inline pmd_t pte_ref_pmd_read(pmd_t *pmdp)
{
#if PTE_REF_TABLES_RCU
	return pmdp_get_lockless(pmdp);
#else
	return pmd_read_atomic(pmdp);
#endif
}

/* Does this pmd value point to a PTE table (not none, huge, migration)? */
static inline bool pte_ref_pmd_is_table(pmd_t pmdval)
{
	if (pmd_none(pmdval) || !pmd_present(pmdval))
		return false;
	if (pmd_trans_huge(pmdval) || pte_ref_pmd_devmap(pmdval))
		return false;
	return !pmd_bad(pmdval);
}

/*
 * pte_ref_with_table_locked - call @fn on the PTE table that @pmdp points
 * to, with the table locked so that it can be neither freed nor changed.
 * @fn gets the first entry of the table and the series' pte_refcount
 * (-1 where there is none).  Returns false, without calling @fn, when
 * @pmdp maps no table (none, huge, migration entry, or it became one).
 * The caller holds the mmap lock for read and a VMA covering the table.
 *
 * stock: the protocol of __pte_offset_map_lock() (mm/pgtable-generic.c,
 * not exported): under rcu_read_lock() read the pmd, take the PTE lock it
 * names, and retry unless the pmd still points to the same table.  A table
 * that khugepaged's retract_page_tables() (6.5+) takes away is cleared
 * under the pmd lock *and* the PTE lock and freed only after a grace
 * period (pte_free_defer()), and so is one that pt_reclaim frees (6.14+,
 * try_to_free_pte()): once the recheck passes under the PTE lock, the
 * table stays ours until we unlock.  Before 6.5 every path that frees a
 * PTE table of a mapped range holds the mmap lock for write
 * (collapse_and_free_pmd(), free_pgtables() of a removed VMA), which our
 * read lock excludes; the recheck is then merely redundant.
 *
 * free_user_pte: the series frees a table in free_pte_table() under the
 * pmd lock alone, with no grace period and without the PTE lock, as soon
 * as the last pte_put() drops the count.  So we hold the pmd lock (as its
 * pte_try_get() does) for the whole visit, and the PTE lock nested inside
 * it (the order of mm/pt_reclaim.c try_to_free_pte()) to hold the entries
 * and the count still.
 *
 * Always inlined so that @fn is a direct call and sparse sees the locks
 * pair up.
 */
typedef void (*pte_ref_table_fn)(pte_t *pte, int refcount, void *arg);

static __always_inline bool
pte_ref_with_table_locked(struct mm_struct *mm, pmd_t *pmdp,
			  pte_ref_table_fn fn, void *arg)
{
	spinlock_t *ptl;	/* the table's PTE lock */
	pmd_t pmdval;
#if PTE_REF_HAVE_REFCOUNT
	spinlock_t *pml = pmd_lock(mm, pmdp);	/* its pmd's lock */

	pmdval = *pmdp;
	if (!pte_ref_pmd_is_table(pmdval)) {
		spin_unlock(pml);
		return false;
	}
	ptl = pte_lockptr(mm, &pmdval);
	spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
	fn(pte_offset_kernel(&pmdval, 0),
	   atomic_read(&pmd_pgtable(pmdval)->pte_refcount), arg);
	spin_unlock(ptl);
	spin_unlock(pml);
#else
	rcu_read_lock();
	for (;;) {
		pmdval = pte_ref_pmd_read(pmdp);
		if (!pte_ref_pmd_is_table(pmdval)) {
			rcu_read_unlock();
			return false;
		}
		ptl = pte_lockptr(mm, &pmdval);
		spin_lock(ptl);
		if (likely(pmd_same(pmdval, pte_ref_pmd_read(pmdp))))
			break;
		spin_unlock(ptl);
	}
	fn(pte_offset_kernel(&pmdval, 0), -1, arg);
	spin_unlock(ptl);
	rcu_read_unlock();
#endif
	return true;
}

#endif /* PTE_REF_COMPAT_H */
