// SPDX-License-Identifier: GPL-2.0
/*
 * dontneed - give N aligned 2 MiB chunks back with MADV_DONTNEED, each
 * holding one written page, and say how pte_ref's `stats` saw it: the
 * counters are read just before and just after, from this process, so
 * that no fork, exec or exit of anyone falls in between (the guest runs
 * nothing else).  On a kernel with PT_RECLAIM each call frees one table.
 *
 *   dontneed STATS N [WAIT]
 *
 * prints "pid=P frees_pt_reclaim=D frees_munmap_exit=D vmpte_before_kb=K
 * vmpte_after_kb=K" (a delta is "n/a" where `stats` says so); with WAIT,
 * then sleeps WAIT seconds before it exits (for a tracer to read its pid).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SZ_2M	(2UL << 20)

/* Value of KEY in the stats file: -1 for n/a, -2 when missing. */
static long long stat_of(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strncmp(p + n + 1, "n/a", 3) ? atoll(p + n + 1) : -1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -2;
}

static int read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	buf[n] = 0;
	fclose(f);
	return 0;
}

static long vmpte(void)
{
	char buf[8192], *p;

	if (read_file("/proc/self/status", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "VmPTE:");
	return p ? atol(p + 6) : -1;
}

static void delta(const char *key, const char *a, const char *b)
{
	long long x = stat_of(a, key), y = stat_of(b, key);

	if (x < 0 || y < 0)
		printf(" %s=n/a", key);
	else
		printf(" %s=%lld", key, y - x);
}

int main(int argc, char **argv)
{
	static char before[4096], after[4096];
	unsigned long n, i;
	long pte0, pte1;
	char *map, *start;

	if (argc < 3 || (n = strtoul(argv[2], NULL, 0)) == 0) {
		fprintf(stderr, "usage: dontneed STATS N [WAIT]\n");
		return 2;
	}
	/* Map one chunk more, to start on a 2 MiB boundary. */
	map = mmap(NULL, (n + 1) * SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	start = (char *)(((unsigned long)map + SZ_2M - 1) & ~(SZ_2M - 1));
	/* No THP: a huge pmd would have no table to free. */
	if (madvise(map, (n + 1) * SZ_2M, MADV_NOHUGEPAGE))
		perror("madvise(MADV_NOHUGEPAGE)");
	for (i = 0; i < n; i++)
		start[i * SZ_2M] = 1;
	pte0 = vmpte();
	if (read_file(argv[1], before, sizeof(before))) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++)
		if (madvise(start + i * SZ_2M, SZ_2M, MADV_DONTNEED)) {
			perror("madvise(MADV_DONTNEED)");
			return 1;
		}
	if (read_file(argv[1], after, sizeof(after))) {
		perror(argv[1]);
		return 1;
	}
	pte1 = vmpte();
	printf("pid=%d", getpid());
	delta("frees_pt_reclaim", before, after);
	delta("frees_munmap_exit", before, after);
	printf(" vmpte_before_kb=%ld vmpte_after_kb=%ld\n", pte0, pte1);
	fflush(stdout);
	if (argc > 3)
		sleep(atoi(argv[3]));
	return 0;
}
