// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_file.c - `layout --file N`: empty PTE tables that forced
 * reclaim must leave alone, since it frees tables of anonymous VMAs only.
 *
 * N 2 MiB chunks of a regular file, mapped private and read-only at a
 * 2 MiB boundary: one read per chunk faults in one table of file-backed
 * entries, and MADV_DONTNEED of its first 1 MiB empties each.  The file is unlinked at
 * once, so nothing is left behind however we exit; the fd and the mapping
 * keep it until then.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptestress.h"

/* An unlinked file of n 2 MiB chunks, each with data; its fd, or -1. */
static int chunk_file(unsigned long long n)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	unsigned long long i;
	int fd;

	snprintf(path, sizeof(path), "%s/ptestress.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		ps_err("mkstemp %s: %m", path);
		return -1;
	}
	unlink(path);
	if (ftruncate(fd, n * SZ_2M)) {
		ps_err("ftruncate %s: %m", path);
		return -1;
	}
	/*
	 * A byte of data per chunk: a read then maps a page of the file's
	 * page cache, whatever this filesystem does with a hole.
	 */
	for (i = 0; i < n; i++) {
		if (pwrite(fd, "f", 1, i * SZ_2M) != 1) {
			ps_err("write %s: %m", path);
			return -1;
		}
	}
	return fd;
}

int add_file_region(unsigned long long n)
{
	unsigned long long size = n * SZ_2M, i;
	volatile char *v;
	char *p;
	int fd;

	fd = chunk_file(n);
	if (fd < 0)
		return -1;
	p = reserve_aligned(size, SZ_2M);
	if (!p)
		return -1;
	p = mmap(p, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		ps_err("mmap of the --file file: %m");
		return -1;
	}
	/* A large folio of the page cache must not be mapped by a PMD. */
	if (madvise(p, size, MADV_NOHUGEPAGE)) {
		ps_err("madvise(MADV_NOHUGEPAGE): %m");
		return -1;
	}
	v = p;
	for (i = 0; i < n; i++) {
		if (v[i * SZ_2M] != 'f') {
			ps_err("--file: chunk %llu does not read back", i);
			return -1;
		}
	}
	/*
	 * Only the first 1 MiB of each chunk holds the page read: zap that,
	 * since PT_RECLAIM (6.14+) would free a table one zap covers whole.
	 */
	for (i = 0; i < n; i++) {
		if (madvise(p + i * SZ_2M, SZ_1M, MADV_DONTNEED)) {
			ps_err("madvise(MADV_DONTNEED): %m");
			return -1;
		}
	}
	printf("file start=0x%llx end=0x%llx tables=%llu\n",
	       (unsigned long long)(uintptr_t)p,
	       (unsigned long long)(uintptr_t)p + size, n);
	return 0;
}
