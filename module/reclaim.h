/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reclaim.h - forced reclaim of empty PTE tables (reclaim.c), and what
 * one reclaim reports (the `reclaim` file, reclaim_file.c).
 */
#ifndef PTE_REF_RECLAIM_H
#define PTE_REF_RECLAIM_H

#include <linux/mm_types.h>
#include <linux/types.h>

struct pte_ref_reclaim_result {
	bool done;		/* false: no reclaim since load */
	bool all;
	pid_t pid;
	bool ranged;
	unsigned long start, end;
	int error;		/* 0, or the errno the write returned */
	u64 processes;
	u64 scanned;		/* PTE tables looked at */
	u64 freed;
	u64 skipped_not_empty;
	u64 skipped_excluded;	/* in a VMA reclaim must not touch */
	u64 skipped_shared;	/* mapped by more than one VMA */
	u64 skipped_busy;	/* pmd lock held, or the pmd changed */
	u64 skipped_uffd;	/* mm has a userfaultfd-registered VMA */
	u64 skipped_notifier;	/* mm has mmu notifiers (IOMMU, KVM...) */
	/* PMD tables (reclaim_pmd.c), looked at after the PTE tables: */
	u64 pmd_scanned;
	u64 pmd_freed;
	u64 pmd_skipped_not_empty;
	u64 pmd_skipped_excluded;	/* a VMA reclaim must not touch, or two anon_vma roots */
	int pmd_error;		/* why PMD tables were not looked at, or 0 */
	u64 duration_ns;
};

/* NULL, or why forced reclaim is not available on this kernel. */
const char *pte_ref_reclaim_unavailable(void);
int pte_ref_reclaim_mm(struct mm_struct *mm, pid_t pid, unsigned long start,
		       unsigned long end, struct pte_ref_reclaim_result *r);
int pte_ref_reclaim_mm_try(struct mm_struct *mm, pid_t pid,
			   unsigned long start, unsigned long end,
			   struct pte_ref_reclaim_result *r);
/* NULL, or why the tables of file and shmem VMAs are left alone. */
const char *pte_ref_reclaim_file_unavailable(void);
/* A VMA whose tables reclaim never frees (see reclaim.c). */
bool pte_ref_reclaim_excluded(struct vm_area_struct *vma);
/* An mm reclaim leaves alone whole (notifiers, userfaultfd); mmap lock held. */
bool pte_ref_reclaim_refuses(struct mm_struct *mm);
void pte_ref_reclaim_exit(void);

/* Flush the TLB and paging-structure caches of every CPU, and wait. */
void pte_ref_flush_all_cpus(void);

/* NULL, or why PMD tables are not freed on this kernel. */
const char *pte_ref_reclaim_pmd_unavailable(void);
int pte_ref_reclaim_pmds(struct mm_struct *mm, pid_t pid, unsigned long start,
			 unsigned long end, struct pte_ref_reclaim_result *r,
			 bool automatic);

#endif /* PTE_REF_RECLAIM_H */
