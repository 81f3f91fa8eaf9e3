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
	u64 duration_ns;
};

/* NULL, or why forced reclaim is not available on this kernel. */
const char *pte_ref_reclaim_unavailable(void);
int pte_ref_reclaim_mm(struct mm_struct *mm, pid_t pid, unsigned long start,
		       unsigned long end, struct pte_ref_reclaim_result *r);
int pte_ref_reclaim_mm_try(struct mm_struct *mm, pid_t pid,
			   unsigned long start, unsigned long end,
			   struct pte_ref_reclaim_result *r);
/* A VMA whose tables reclaim never frees (anything but plain anon). */
bool pte_ref_reclaim_excluded(struct vm_area_struct *vma);
/* An mm reclaim leaves alone whole (notifiers, userfaultfd); mmap lock held. */
bool pte_ref_reclaim_refuses(struct mm_struct *mm);
void pte_ref_reclaim_exit(void);

#endif /* PTE_REF_RECLAIM_H */
