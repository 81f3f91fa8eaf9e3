/* SPDX-License-Identifier: GPL-2.0 */
/*
 * walk.h - the one walker over a process's PTE tables.
 *
 * Census and (later) reclaim see the page tables through it; it knows the
 * locking rules (compat.h) and nothing of what its callers count.
 */
#ifndef PTE_REF_WALK_H
#define PTE_REF_WALK_H

#include <linux/mm_types.h>

/* What the walker saw in one PTE table, read under its locks. */
struct pte_ref_table {
	unsigned long addr;	/* first address the table maps */
	unsigned int present;	/* present entries in the whole table */
	unsigned int other;	/* non-present, non-none: swap, migration, markers */
	unsigned int in_range;	/* non-none entries inside the visited range */
	int refcount;		/* the series' pte_refcount, or -1 */
	bool first;		/* false: an earlier VMA already reported it */
};

/* ->vma returns this to have the walker pass over the VMA's tables. */
#define PTE_REF_WALK_SKIP	1

struct pte_ref_walk_ops {
	/*
	 * Called each time the walker has taken the mmap lock, before it
	 * looks at a VMA: what the caller decides here holds until
	 * ->unlocking.
	 */
	void (*locked)(struct mm_struct *mm, void *priv);
	/*
	 * A VMA, clipped to the walked range; its tables follow unless this
	 * returns PTE_REF_WALK_SKIP.  A negative errno stops the walk.
	 */
	int (*vma)(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, void *priv);
	/* Read-only visit: the table's counts, read under its locks. */
	void (*table)(const struct pte_ref_table *t, void *priv);
	/*
	 * Instead of ->table: the pmd of each PTE table, for a caller that
	 * takes the locks itself.  Returning true asks the walker to drop
	 * the mmap lock (after ->unlocking) before it goes on.
	 */
	bool (*pmd)(struct vm_area_struct *vma, pmd_t *pmdp,
		    unsigned long addr, void *priv);
	/* Called before every release of the mmap lock. */
	void (*unlocking)(void *priv);
	/*
	 * A PMD table, once however many VMAs share its 1 GiB window, with
	 * the number of its entries that are not none (read without a lock:
	 * a snapshot, under the mmap lock, which keeps the table).
	 */
	void (*pmd_table)(unsigned long addr, unsigned int used, void *priv);
	/* A PMD-mapped THP or DAX page: no PTE table behind it. */
	void (*huge_pmd)(unsigned long addr, void *priv);
	/*
	 * Asked after each PTE table: true ends the walk there (returns 0),
	 * for a caller with a budget of tables.
	 */
	bool (*full)(void *priv);
	/* Hold the mmap lock for write, not read. */
	bool write;
	/* Only try the mmap lock, each time: -EBUSY when it is taken. */
	bool trylock;
};

/* Should a walk stop now: a fatal signal, or kthread_stop() for ours? */
bool pte_ref_walk_stop(void);

int pte_ref_walk(struct mm_struct *mm, unsigned long start, unsigned long end,
		 const struct pte_ref_walk_ops *ops, void *priv);

#endif /* PTE_REF_WALK_H */
