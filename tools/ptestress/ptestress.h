/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptestress.h - what the ptestress workloads share: aligned anonymous
 * regions that get PTE tables whatever the THP setting, /proc/self/status
 * figures, signal waits and error reporting.
 */
#ifndef PTESTRESS_H
#define PTESTRESS_H

#include <signal.h>
#include <stddef.h>

#include "util.h"

#define SZ_4K	(1ULL << 12)
#define SZ_1M	(1ULL << 20)
#define SZ_2M	(1ULL << 21)
#define SZ_1G	(1ULL << 30)

extern const char layout_usage[], headline_usage[], stress_usage[],
		  faults_usage[], churn_usage[], files_usage[];

void ps_err(const char *fmt, ...) __printf(1, 2);

/* A size option (K/M/G suffixes); 0, or prints why and returns -1. */
int ps_size_arg(const char *opt, const char *arg, unsigned long long *v);

/*
 * size bytes of PROT_NONE address space starting at a multiple of align,
 * for the caller to map over with MAP_FIXED; NULL after printing why.
 */
void *reserve_aligned(unsigned long long size, unsigned long long align);

/*
 * size bytes of private anonymous MAP_NORESERVE memory, starting at a
 * multiple of align, with MADV_NOHUGEPAGE; NULL after printing why.
 */
void *map_aligned(unsigned long long size, unsigned long long align);
/* The same over the start of a reservation p (NULL: returns NULL). */
void *map_over(void *p, unsigned long long size);

/* VmSize, VmRSS and VmPTE of /proc/self/status, in kB. */
struct vm_kb {
	unsigned long long virt, rss, pte;
};
int read_vm_kb(struct vm_kb *vm);

/*
 * Block the signals listed up to a 0, and make set of them, so that
 * sigwaitinfo() alone receives them.
 */
void block_signals(sigset_t *set, ...);

/* Wait for a signal of set, riding over EINTR; the signal or -1. */
int wait_signal(const sigset_t *set);

/* Regions without PTE tables; print a "thp ..." or "hugetlb ..." line. */
int add_thp_region(unsigned long long n);
int add_hugetlb_region(unsigned long long n);

/* N empty PTE tables in a file VMA; print a "file ..." line. */
int add_file_region(unsigned long long n);

int cmd_layout(int argc, char **argv);
int cmd_headline(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_faults(int argc, char **argv);
int cmd_churn(int argc, char **argv);
int cmd_files(int argc, char **argv);

#endif /* PTESTRESS_H */
