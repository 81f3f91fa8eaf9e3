/* SPDX-License-Identifier: GPL-2.0 */
/*
 * census.h - counting the PTE tables of one mm, and of every mm.
 */
#ifndef PTE_REF_CENSUS_H
#define PTE_REF_CENSUS_H

#include <linux/sched.h>
#include <linux/types.h>

#include "pte_ref_abi.h"

enum pte_ref_vma_kind {
	PTE_REF_VMA_ANON,
	PTE_REF_VMA_FILE,
	PTE_REF_VMA_SHMEM,
	PTE_REF_VMA_STACK,
	PTE_REF_VMA_SPECIAL,
	PTE_REF_VMA_HUGETLB,
};

/* Counts over whole PTE tables, each table counted once. */
struct pte_ref_totals {
	u64 tables;
	u64 empty;		/* tables whose 512 entries are all none */
	u64 present;
	u64 other;		/* non-present non-none entries ("swap") */
	u64 hist[PTE_REF_HIST_BUCKETS];
	u64 thp_pmds;
	u64 pmd_tables;
	u64 empty_pmd;		/* PMD tables whose 512 entries are all none */
	u64 hugetlb_vmas;
	u64 vmas;
	s64 refcount_sum;	/* free_user_pte only */
	u64 refcount_mismatch;	/* tables whose count != non-none entries */
	u64 refcount_below;	/* ... of which count < entries: a bug */
};

struct pte_ref_vma_line {
	unsigned long start, end;	/* clipped to the census range */
	enum pte_ref_vma_kind kind;
	u32 tables;			/* tables intersecting the VMA */
	u32 empty;
	u64 entries;			/* non-none entries inside the VMA */
};

struct pte_ref_census {
	pid_t pid;			/* in the reader's pid namespace */
	char comm[TASK_COMM_LEN];
	unsigned long start, end;	/* the range counted */
	bool ranged;			/* false: the whole address space */
	unsigned long pgtables_bytes;	/* the kernel's VmPTE, whole mm */
	u64 duration_ns;
	struct pte_ref_totals t;
	/* Only when the caller asked for per-VMA lines: */
	bool want_lines;
	struct pte_ref_vma_line *lines;
	unsigned int nr_lines, cap_lines;
};

int pte_ref_census_mm(struct mm_struct *mm, struct pte_ref_census *c);
void pte_ref_census_free(struct pte_ref_census *c);
const char *pte_ref_vma_kind_name(enum pte_ref_vma_kind kind);

/* One census per user mm, sorted by pid; see mms.c. */
struct pte_ref_mms {
	unsigned int nr;
	struct pte_ref_census rows[];
};

struct pte_ref_mms *pte_ref_mms_collect(void);
int pte_ref_each_mm(int (*fn)(struct mm_struct *mm, pid_t pid,
			      const char *comm, void *priv), void *priv);

#endif /* PTE_REF_CENSUS_H */
