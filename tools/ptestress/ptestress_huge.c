// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_huge.c - regions without PTE tables, for `layout --thp` and
 * `layout --hugetlb`: a census counts them apart (thp_pmds, hugetlb_vmas).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "ptestress.h"

/*
 * How many of the region's 2 MiB pages are PMD-mapped THPs, as the
 * kernel's own smaps says: the number a census must report.
 */
static long thp_pmds_of(uintptr_t start)
{
	unsigned long a, b;
	char line[256];
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* A VMA's first line is "START-END perms ...". */
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2)
			in = a == start;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb / 2048;
}

/* n 2 MiB-aligned pages with MADV_HUGEPAGE, each written once. */
int add_thp_region(unsigned long long n)
{
	char *p = map_aligned(n * SZ_2M, SZ_2M);
	unsigned long long i;
	long pmds;

	if (!p)
		return -1;
	if (madvise(p, n * SZ_2M, MADV_HUGEPAGE)) {
		ps_err("madvise(MADV_HUGEPAGE): %m");
		return -1;
	}
	for (i = 0; i < n; i++)
		((volatile char *)p)[i * SZ_2M] = 1;
	pmds = thp_pmds_of((uintptr_t)p);
	printf("thp start=0x%llx end=0x%llx pmds=%ld\n",
	       (unsigned long long)(uintptr_t)p,
	       (unsigned long long)(uintptr_t)p + n * SZ_2M, pmds);
	return 0;
}

/* n 2 MiB hugetlb pages (the caller reserves them: vm.nr_hugepages). */
int add_hugetlb_region(unsigned long long n)
{
	char *p = mmap(NULL, n * SZ_2M, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	unsigned long long i;

	if (p == MAP_FAILED) {
		ps_err("mmap(MAP_HUGETLB) of %llu pages: %m "
		       "(is vm.nr_hugepages high enough?)", n);
		return -1;
	}
	for (i = 0; i < n; i++)
		((volatile char *)p)[i * SZ_2M] = 1;
	printf("hugetlb start=0x%llx end=0x%llx\n",
	       (unsigned long long)(uintptr_t)p,
	       (unsigned long long)(uintptr_t)p + n * SZ_2M);
	return 0;
}
