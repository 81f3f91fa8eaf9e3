// SPDX-License-Identifier: GPL-2.0
/*
 * shmemtrunc - does ftruncate() of a shmem file return when the new size
 * falls inside a large folio that went to swap whole?  No pte_ref here:
 * this checks the kernel alone, for the race test (t08), which truncates
 * at such points only where the kernel survives it.
 *
 *   shmemtrunc         (needs swap; run it in the background, with a timeout)
 *
 * A 2 MiB memfd is written, collapsed into one huge folio (MADV_COLLAPSE),
 * paged out (MADV_PAGEOUT) and, if it left as one large swap entry (no page
 * resident), truncated to 1 MiB.  Prints one line:
 *   "shmemtrunc huge=0|1 swapped=0|1 truncated=1" once ftruncate() returned;
 *   "shmemtrunc skip: REASON" when the setup is not what it needs.
 * Linux 7.3's shmem_undo_range() never returns there: its truncation pass
 * skips a swap entry that straddles the start and restarts from the start
 * until it finds nothing, which it never does.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define SZ_1M	(1UL << 20)
#define SZ_2M	(2UL << 20)

int main(void)
{
	unsigned char vec[SZ_2M / 4096];
	int fd = memfd_create("shmemtrunc", 0), huge, resident = 0;
	unsigned long i;
	char *raw, *p;

	raw = mmap(NULL, 2 * SZ_2M, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (fd < 0 || ftruncate(fd, SZ_2M) || raw == MAP_FAILED) {
		printf("shmemtrunc skip: memfd: %m\n");
		return 0;
	}
	/* At a 2 MiB boundary, or nothing can be mapped by a pmd. */
	p = (char *)(((unsigned long)raw + SZ_2M - 1) & ~(SZ_2M - 1));
	if (mmap(p, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 0) != p) {
		printf("shmemtrunc skip: mmap: %m\n");
		return 0;
	}
	memset(p, 0x5a, SZ_2M);
	huge = !madvise(p, SZ_2M, MADV_COLLAPSE);
	if (!huge) {
		printf("shmemtrunc skip: MADV_COLLAPSE of shmem: %m\n");
		return 0;
	}
	if (madvise(p, SZ_2M, MADV_PAGEOUT)) {
		printf("shmemtrunc skip: MADV_PAGEOUT: %m\n");
		return 0;
	}
	if (!mincore(p, SZ_2M, vec))
		for (i = 0; i < SZ_2M / 4096; i++)
			resident += vec[i] & 1;
	if (resident) {
		printf("shmemtrunc skip: %d of 512 pages still resident (no swap?)\n",
		       resident);
		return 0;
	}
	munmap(p, SZ_2M);
	printf("shmemtrunc huge=%d swapped=1 truncating\n", huge);
	fflush(stdout);
	if (ftruncate(fd, SZ_1M)) {
		printf("shmemtrunc ftruncate: %m\n");
		return 1;
	}
	printf("shmemtrunc huge=%d swapped=1 truncated=1\n", huge);
	return 0;
}
