// SPDX-License-Identifier: GPL-2.0
/*
 * walk.c - visit every PTE table under the VMAs of an mm.
 *
 * We cannot use walk_page_range() (not exported), so this is a small copy
 * of its shape: VMA by VMA, pgd -> p4d -> pud -> pmd, and each PTE table
 * either read under the locks compat.h chooses for this kernel (census) or
 * handed to the caller, who locks it itself (reclaim).
 *
 * Locking: the caller pins the mm (mmget); we hold its mmap lock (for
 * read, or for write when the caller asks) while inside a VMA.  That keeps
 * the VMA and every upper-level table (p4d/pud/pmd tables) we step through
 * alive: they are freed only by free_pgtables(), which runs on VMAs already
 * removed from the tree and never frees a table that a remaining VMA still
 * covers (its floor and ceiling), and by our own reclaim_pmd.c, under the
 * mmap lock for write.  PTE tables can go away on 6.5+ without
 * the mmap lock; see pte_ref_with_table_locked().  We never sleep with a
 * spinlock held: the only sleeps are cond_resched() and the mmap lock
 * itself, between tables.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/hugetlb.h>
#include <linux/kthread.h>
#include <linux/mmap_lock.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "walk.h"

/* walk_*_range() return these: drop the mmap lock; stop (->full). */
#define WALK_YIELD	1
#define WALK_FULL	2

struct walk_state {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	const struct pte_ref_walk_ops *ops;
	void *priv;
	unsigned long resume;		/* where to go on after a yield */
	unsigned long last_table;	/* base of the last table reported */
	bool have_last;
	unsigned long last_pmd_table;	/* ... of the last PMD table */
	bool have_last_pmd;
};

/* A fatal signal for a writer of our files; kthread_stop() for ours. */
bool pte_ref_walk_stop(void)
{
	if (current->flags & PF_KTHREAD)
		return kthread_should_stop();
	return fatal_signal_pending(current);
}

struct table_scan {
	struct pte_ref_table t;
	unsigned int lo, hi;	/* entries of the visited range */
};

/* Called with the table locked: count, nothing else. */
static void count_entries(pte_t *pte, int refcount, void *arg)
{
	struct table_scan *sc = arg;
	struct pte_ref_table *t = &sc->t;
	unsigned int i;

	for (i = 0; i < PTRS_PER_PTE; i++) {
		pte_t e = ptep_get(pte + i);

		if (pte_none(e))
			continue;
		if (pte_present(e))
			t->present++;
		else
			t->other++;
	}
	if (sc->lo == 0 && sc->hi == PTRS_PER_PTE) {
		t->in_range = t->present + t->other;
	} else {
		for (i = sc->lo; i < sc->hi; i++)
			t->in_range += !pte_none(ptep_get(pte + i));
	}
	t->refcount = refcount;
}

static void scan_table(struct walk_state *w, pmd_t *pmdp,
		       unsigned long addr, unsigned long end)
{
	struct table_scan sc = {
		.t = { .addr = addr & PMD_MASK, .refcount = -1 },
		.lo = pte_index(addr),
		.hi = pte_index(addr) + ((end - addr) >> PAGE_SHIFT),
	};

	if (!pte_ref_with_table_locked(w->mm, pmdp, count_entries, &sc))
		return;		/* raced with a free or a THP: nothing to see */

	sc.t.first = !w->have_last || w->last_table != sc.t.addr;
	w->last_table = sc.t.addr;
	w->have_last = true;
	w->ops->table(&sc.t, w->priv);
}

static int walk_pmd_range(struct walk_state *w, pud_t *pudp,
			  unsigned long addr, unsigned long end)
{
	pmd_t *pmdp = pmd_offset(pudp, addr);
	unsigned long next;

	for (; addr < end; pmdp++, addr = next) {
		pmd_t pmdval = pte_ref_pmd_read(pmdp);

		next = pmd_addr_end(addr, end);
		if (pmd_none(pmdval) || !pmd_present(pmdval))
			continue;	/* no table, or a THP being migrated */
		if (pmd_trans_huge(pmdval) || pte_ref_pmd_devmap(pmdval)) {
			if (w->ops->huge_pmd)
				w->ops->huge_pmd(addr & PMD_MASK, w->priv);
			continue;
		}
		if (w->ops->pmd) {
			if (w->ops->pmd(w->vma, pmdp, addr, w->priv)) {
				w->resume = next;
				return WALK_YIELD;
			}
		} else {
			scan_table(w, pmdp, addr, next);
		}
		if (w->ops->full && w->ops->full(w->priv))
			return WALK_FULL;
		if (pte_ref_walk_stop())
			return -EINTR;
		cond_resched();
	}
	return 0;
}

static unsigned int pmd_table_used(pud_t *pudp)
{
	pmd_t *pmd = pmd_offset(pudp, 0);
	unsigned int i, used = 0;

	for (i = 0; i < PTRS_PER_PMD; i++)
		used += !pmd_none(pte_ref_pmd_read(pmd + i));
	return used;
}

static int walk_pud_range(struct walk_state *w, p4d_t *p4dp,
			  unsigned long addr, unsigned long end)
{
	pud_t *pudp = pud_offset(p4dp, addr);
	unsigned long next;
	int ret;

	for (; addr < end; pudp++, addr = next) {
		pud_t pud = READ_ONCE(*pudp);

		next = pud_addr_end(addr, end);
		/* pud_bad() is also true of a 1 GiB leaf: no tables below. */
		if (pud_none(pud) || !pud_present(pud) || pud_bad(pud))
			continue;
		if (w->ops->pmd_table &&
		    (!w->have_last_pmd || w->last_pmd_table != (addr & PUD_MASK))) {
			w->last_pmd_table = addr & PUD_MASK;
			w->have_last_pmd = true;
			w->ops->pmd_table(addr & PUD_MASK, pmd_table_used(pudp),
					  w->priv);
		}
		ret = walk_pmd_range(w, pudp, addr, next);
		if (ret)
			return ret;
	}
	return 0;
}

static int walk_vma_range(struct walk_state *w, unsigned long addr,
			  unsigned long end)
{
	pgd_t *pgdp = pgd_offset(w->mm, addr);
	unsigned long next, p4d_next;
	int ret;

	for (; addr < end; pgdp++, addr = next) {
		pgd_t pgd = READ_ONCE(*pgdp);
		p4d_t *p4dp;

		next = pgd_addr_end(addr, end);
		if (pgd_none(pgd) || pgd_bad(pgd))
			continue;
		p4dp = p4d_offset(pgdp, addr);
		for (; addr < next; p4dp++, addr = p4d_next) {
			p4d_t p4d = READ_ONCE(*p4dp);

			p4d_next = p4d_addr_end(addr, next);
			if (p4d_none(p4d) || p4d_bad(p4d))
				continue;
			ret = walk_pud_range(w, p4dp, addr, p4d_next);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int walk_lock(struct walk_state *w)
{
	struct mm_struct *mm = w->mm;
	int ret;

	if (w->ops->trylock && w->ops->write)
		ret = pte_ref_mmap_write_trylock(mm) ? 0 : -EBUSY;
	else if (w->ops->trylock)
		ret = mmap_read_trylock(mm) ? 0 : -EBUSY;
	else if (w->ops->write)
		ret = mmap_write_lock_killable(mm) ? -EINTR : 0;
	else
		ret = mmap_read_lock_killable(mm) ? -EINTR : 0;
	if (ret)
		return ret;
	if (w->ops->locked)
		w->ops->locked(w->mm, w->priv);
	return 0;
}

static void walk_unlock(struct walk_state *w)
{
	if (w->ops->unlocking)
		w->ops->unlocking(w->priv);
	if (w->ops->write)
		mmap_write_unlock(w->mm);
	else
		mmap_read_unlock(w->mm);
}

/**
 * pte_ref_walk - report every PTE table of @mm that maps part of [start, end)
 * @mm:    pinned by the caller (mmget_not_zero() or get_task_mm())
 * @start: first address, page aligned
 * @end:   end address (exclusive), page aligned
 * @ops:   callbacks; ->table is called once per VMA a table intersects,
 *         with ->first true only the first time
 * @priv:  passed to the callbacks
 *
 * Takes the mmap lock (killable, or only tried: ->trylock) and drops it
 * between VMAs when a writer waits, and wherever ->pmd asks; the VMA is
 * looked up again afterwards.  Returns 0, -EINTR on a fatal signal (in
 * a kthread: kthread_stop()), -EBUSY when a tried lock was taken, or the
 * error ->vma returned.
 */
int pte_ref_walk(struct mm_struct *mm, unsigned long start, unsigned long end,
		 const struct pte_ref_walk_ops *ops, void *priv)
{
	struct walk_state w = { .mm = mm, .ops = ops, .priv = priv };
	unsigned long addr = start;
	int ret;

	ret = walk_lock(&w);
	if (ret)
		return ret;

	while (addr < end) {
		unsigned long s, e;
		bool yield = false;

		w.vma = find_vma(mm, addr);
		if (!w.vma || w.vma->vm_start >= end)
			break;
		s = max(addr, w.vma->vm_start);
		e = min(end, w.vma->vm_end);

		ret = ops->vma(w.vma, s, e, priv);
		if (ret < 0)
			break;
		addr = e;
		/* hugetlb maps its pages at the pmd: it has no PTE tables. */
		if (ret != PTE_REF_WALK_SKIP && !is_vm_hugetlb_page(w.vma)) {
			ret = walk_vma_range(&w, s, e);
			if (ret < 0)
				break;
			if (ret == WALK_FULL) {
				ret = 0;
				break;
			}
			if (ret == WALK_YIELD) {
				addr = w.resume;
				yield = true;
			}
		}
		ret = 0;

		/* Let a waiting writer (munmap, mprotect, a fault) in. */
		yield |= mmap_lock_is_contended(mm) || need_resched();
		if (yield && addr < end) {
			walk_unlock(&w);
			cond_resched();
			ret = walk_lock(&w);
			if (ret)
				return ret;
		}
	}
	walk_unlock(&w);
	return ret;
}
