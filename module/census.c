// SPDX-License-Identifier: GPL-2.0
/*
 * census.c - turn what the walker sees into the numbers of `census` and `mms`.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/hugetlb.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "census.h"
#include "pte_ref_trace.h"
#include "stats.h"
#include "walk.h"

static const char *const kind_names[] = {
	[PTE_REF_VMA_ANON]	= "anon",
	[PTE_REF_VMA_FILE]	= "file",
	[PTE_REF_VMA_SHMEM]	= "shmem",
	[PTE_REF_VMA_STACK]	= "stack",
	[PTE_REF_VMA_SPECIAL]	= "special",
	[PTE_REF_VMA_HUGETLB]	= "hugetlb",
};

const char *pte_ref_vma_kind_name(enum pte_ref_vma_kind kind)
{
	return kind_names[kind];
}

static enum pte_ref_vma_kind vma_kind(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	if (is_vm_hugetlb_page(vma))
		return PTE_REF_VMA_HUGETLB;
	if (vma->vm_flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP))
		return PTE_REF_VMA_SPECIAL;
	if (vma->vm_file)
		return shmem_mapping(vma->vm_file->f_mapping) ?
			PTE_REF_VMA_SHMEM : PTE_REF_VMA_FILE;
	if (vma->vm_ops)
		return PTE_REF_VMA_SPECIAL;	/* vdso, vvar and the like */
	if ((vma->vm_flags & VM_GROWSDOWN) ||
	    (vma->vm_start <= mm->start_stack && mm->start_stack < vma->vm_end))
		return PTE_REF_VMA_STACK;
	return PTE_REF_VMA_ANON;
}

static int add_line(struct pte_ref_census *c, struct vm_area_struct *vma,
		    unsigned long start, unsigned long end)
{
	struct pte_ref_vma_line *line;

	if (c->nr_lines == c->cap_lines) {
		unsigned int cap = c->cap_lines ? 2 * c->cap_lines : 64;
		struct pte_ref_vma_line *n;

		/* GFP_KERNEL under mmap_lock for read, as page faults do. */
		n = kvmalloc_array(cap, sizeof(*n), GFP_KERNEL);
		if (!n)
			return -ENOMEM;
		if (c->lines)
			memcpy(n, c->lines, c->nr_lines * sizeof(*n));
		kvfree(c->lines);
		c->lines = n;
		c->cap_lines = cap;
	}
	line = &c->lines[c->nr_lines++];
	*line = (struct pte_ref_vma_line) {
		.start = start, .end = end, .kind = vma_kind(vma),
	};
	return 0;
}

static int census_vma(struct vm_area_struct *vma, unsigned long start,
		      unsigned long end, void *priv)
{
	struct pte_ref_census *c = priv;

	c->t.vmas++;
	if (is_vm_hugetlb_page(vma))
		c->t.hugetlb_vmas++;
	return c->want_lines ? add_line(c, vma, start, end) : 0;
}

static void census_table(const struct pte_ref_table *tb, void *priv)
{
	struct pte_ref_census *c = priv;
	unsigned int entries = tb->present + tb->other;

	if (c->want_lines && c->nr_lines) {
		struct pte_ref_vma_line *line = &c->lines[c->nr_lines - 1];

		line->tables++;
		line->empty += !entries;
		line->entries += tb->in_range;
	}
	if (!tb->first)
		return;

	c->t.tables++;
	c->t.empty += !entries;
	c->t.present += tb->present;
	c->t.other += tb->other;
	c->t.hist[pte_ref_hist_bucket(entries)]++;
	if (tb->refcount >= 0) {
		c->t.refcount_sum += tb->refcount;
		if (tb->refcount != entries)
			c->t.refcount_mismatch++;
		if (tb->refcount < entries)
			c->t.refcount_below++;
	}
}

static void census_huge_pmd(unsigned long addr, void *priv)
{
	struct pte_ref_census *c = priv;

	c->t.thp_pmds++;
}

static void census_pmd_table(unsigned long addr, unsigned int used,
			     void *priv)
{
	struct pte_ref_census *c = priv;

	c->t.pmd_tables++;
	c->t.empty_pmd += !used;
}

static const struct pte_ref_walk_ops census_ops = {
	.vma		= census_vma,
	.table		= census_table,
	.pmd_table	= census_pmd_table,
	.huge_pmd	= census_huge_pmd,
};

/**
 * pte_ref_census_mm - count the PTE tables of @mm in [c->start, c->end)
 * @mm: pinned by the caller
 * @c:  range and want_lines set by the caller; the counts are added
 *
 * Returns 0, -EINTR on a fatal signal or -ENOMEM.  On error @c may hold
 * partial lines: pte_ref_census_free() releases them.
 */
int pte_ref_census_mm(struct mm_struct *mm, struct pte_ref_census *c)
{
	u64 t0 = ktime_get_ns();
	int ret;

	if (!c->ranged) {
		c->start = 0;
		c->end = TASK_SIZE_MAX;
	}
	ret = pte_ref_walk(mm, c->start, c->end, &census_ops, c);
	c->pgtables_bytes = mm_pgtables_bytes(mm);
	c->duration_ns = ktime_get_ns() - t0;
	pte_ref_stat_add(PTE_REF_STAT_CENSUS, 1);
	trace_census_done(c->pid, c->t.tables, c->t.empty, c->duration_ns);
	return ret;
}

void pte_ref_census_free(struct pte_ref_census *c)
{
	kvfree(c->lines);
	c->lines = NULL;
	c->nr_lines = 0;
	c->cap_lines = 0;
}
