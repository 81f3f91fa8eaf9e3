// SPDX-License-Identifier: GPL-2.0
/*
 * pagemap_slots - count the mapped pages of each 2 MiB slot of another
 * process's address range, from /proc/PID/pagemap: what the PTE tables of
 * that range really hold, to check ptestress layout against.
 *
 *   pagemap_slots PID START END
 * prints one line per slot: "INDEX PRESENT SWAP EXTENT", EXTENT being one
 * past the last page that is present or swapped (so PRESENT == EXTENT
 * means the present pages are exactly the first PRESENT of the slot).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define PAGES_PER_SLOT	512
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)

static int slot(int fd, unsigned long long addr, unsigned long idx)
{
	uint64_t pm[PAGES_PER_SLOT];
	unsigned int present = 0, swap = 0, extent = 0, i;
	off_t off = addr / 4096 * sizeof(uint64_t);

	if (pread(fd, pm, sizeof(pm), off) != sizeof(pm)) {
		perror("pagemap");
		return -1;
	}
	for (i = 0; i < PAGES_PER_SLOT; i++) {
		present += !!(pm[i] & PM_PRESENT);
		swap += !!(pm[i] & PM_SWAP);
		if (pm[i] & (PM_PRESENT | PM_SWAP))
			extent = i + 1;
	}
	printf("%lu %u %u %u\n", idx, present, swap, extent);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long start, end, a;
	char path[64];
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: pagemap_slots PID START END\n");
		return 2;
	}
	start = strtoull(argv[2], NULL, 16);
	end = strtoull(argv[3], NULL, 16);
	snprintf(path, sizeof(path), "/proc/%s/pagemap", argv[1]);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	for (a = start; a < end; a += PAGES_PER_SLOT * 4096ULL)
		if (slot(fd, a, (a - start) / (PAGES_PER_SLOT * 4096ULL)))
			return 1;
	return 0;
}
