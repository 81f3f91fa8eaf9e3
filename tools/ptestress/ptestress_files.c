// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_files.c - `ptestress files`: empty PTE tables in file and
 * shmem VMAs, each emptied a different way, and pages whose contents say
 * whether what a reclaim left behind is still right.
 *
 * Five regions of N 2 MiB chunks, each at a 2 MiB boundary, so each chunk
 * has a table of its own.  Pages 0-2 of every chunk are written (or read,
 * for the private file) and then, but in `kept`, taken out of the page
 * table by a zap of the chunk's first 1 MiB only: PT_RECLAIM (6.14+) frees
 * a table only where one zap covers its whole 2 MiB, so the empty tables
 * stay on every kernel until pte_ref frees them.
 *
 *   shmem      MAP_SHARED anonymous, MADV_DONTNEED: the data stays in shmem
 *   remove     MAP_SHARED anonymous, MADV_REMOVE: the data is gone (zeros)
 *   truncated  a shared file mapping whose file is truncated to 0 and
 *              extended again: zeros
 *   private    our own executable, private and read-only (a regular file,
 *              not shmem), MADV_DONTNEED: the file's bytes
 *   kept       MAP_SHARED anonymous, left as written: tables of 3 pages
 *
 * SIGUSR2 reads pages 0-2 of every chunk again (faulting the tables back)
 * and compares them with what must be there.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptestress.h"

#define PAGES		3	/* written per chunk */
#define NR_DEFAULT	4

const char files_usage[] =
"ptestress files [-n N]\n"
"  Empty PTE tables in file and shmem VMAs: five regions of N 2 MiB\n"
"  chunks (the private one: one chunk), pages 0-2 of each chunk written\n"
"  and then zapped (the first 1 MiB), each region its own way:\n"
"  shmem (MADV_DONTNEED of shared anonymous memory: data kept), remove\n"
"  (MADV_REMOVE: zeros), truncated (a shared file mapping, its file\n"
"  truncated to 0 and extended: zeros), private (our executable, private\n"
"  read-only, 2 MiB of it whatever its size: its bytes), kept (not zapped: tables of 3 pages).  Prints\n"
"  'region kind=K start= end= tables=N empty=E' for each, then 'ready';\n"
"  each SIGUSR2 reads every page again and prints 'verify ok pages=N' or\n"
"  'verify bad kind=K addr=A want=W got=G'; SIGTERM/SIGINT exit.\n"
"  -n, --chunks N      chunks per region, 1..64 (default 4)\n"
"  -h, --help          this help\n";

enum kind { SHMEM, REMOVE, TRUNCATED, PRIVATE, KEPT, NR_KINDS };

static const char *const kind_name[NR_KINDS] = {
	"shmem", "remove", "truncated", "private", "kept",
};

struct region {
	char *start;
	unsigned long long chunks, size;
	int fd;			/* truncated, private: the file; else -1 */
};

static struct region regions[NR_KINDS];

static unsigned char files_byte(int kind, unsigned long long chunk, int page)
{
	return (kind * 31 + chunk * 7 + page) % 251 + 1;
}

/* What page `page` of chunk `chunk` must read after the zap. */
static int want_byte(const struct region *r, int kind,
		     unsigned long long chunk, int page)
{
	unsigned char b;

	switch (kind) {
	case SHMEM:
	case KEPT:
		return files_byte(kind, chunk, page);
	case PRIVATE:
		if (pread(r->fd, &b, 1, page * SZ_4K) != 1)
			return -1;
		return b;
	default:
		return 0;
	}
}

static char *map_region(unsigned long long size, int prot, int flags, int fd)
{
	char *p = reserve_aligned(size, SZ_2M);

	if (!p)
		return NULL;
	p = mmap(p, size, prot, flags | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		ps_err("files: mmap: %m");
		return NULL;
	}
	/* No PMD-mapped folio: every chunk keeps a PTE table. */
	if (madvise(p, size, MADV_NOHUGEPAGE)) {
		ps_err("files: madvise(MADV_NOHUGEPAGE): %m");
		return NULL;
	}
	return p;
}

static int tmp_file(unsigned long long size)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/ptestress.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		ps_err("files: mkstemp %s: %m", path);
		return -1;
	}
	unlink(path);
	if (ftruncate(fd, size)) {
		ps_err("files: ftruncate: %m");
		return -1;
	}
	return fd;
}

static int build(int kind, unsigned long long n)
{
	struct region *r = &regions[kind];
	unsigned long long size = n * SZ_2M, i;
	volatile unsigned char *v;
	unsigned long long fsize;
	struct stat st;
	int pg, advice = MADV_DONTNEED;

	r->chunks = n;
	r->fd = -1;
	switch (kind) {
	case TRUNCATED:
		r->fd = tmp_file(size);
		if (r->fd < 0)
			return -1;
		r->start = map_region(size, PROT_READ | PROT_WRITE, MAP_SHARED,
				      r->fd);
		break;
	case PRIVATE:
		r->chunks = 1;
		r->fd = open("/proc/self/exe", O_RDONLY);
		if (r->fd < 0 || fstat(r->fd, &st)) {
			ps_err("files: our executable: %m");
			return -1;
		}
		fsize = st.st_size;
		if (fsize < PAGES * SZ_4K) {
			ps_err("files: our executable is too small");
			return -1;
		}
		/*
		 * The whole 2 MiB of the table, even past the end of the
		 * file (never touched there): no other mapping shares it.
		 */
		size = SZ_2M;
		r->start = map_region(size, PROT_READ, MAP_PRIVATE, r->fd);
		break;
	default:
		r->start = map_region(size, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1);
	}
	if (!r->start)
		return -1;
	r->size = size;
	v = (volatile unsigned char *)r->start;
	for (i = 0; i < r->chunks; i++)
		for (pg = 0; pg < PAGES; pg++) {
			if (kind == PRIVATE)
				(void)v[pg * SZ_4K];
			else
				v[i * SZ_2M + pg * SZ_4K] = files_byte(kind, i, pg);
		}
	if (kind == KEPT)
		return 0;
	if (kind == TRUNCATED) {
		if (ftruncate(r->fd, 0) || ftruncate(r->fd, size)) {
			ps_err("files: truncate: %m");
			return -1;
		}
		return 0;
	}
	if (kind == REMOVE)
		advice = MADV_REMOVE;
	for (i = 0; i < r->chunks; i++)
		if (madvise(r->start + i * SZ_2M, SZ_1M, advice)) {
			ps_err("files: madvise(%s): %m", kind_name[kind]);
			return -1;
		}
	return 0;
}

static void verify(void)
{
	unsigned long long pages = 0, i;
	int kind, pg;

	for (kind = 0; kind < NR_KINDS; kind++) {
		const struct region *r = &regions[kind];

		for (i = 0; i < r->chunks; i++)
			for (pg = 0; pg < PAGES; pg++) {
				volatile unsigned char *p = (volatile unsigned char *)
					r->start + i * SZ_2M + pg * SZ_4K;
				int want = want_byte(r, kind, i, pg);
				unsigned char got = *p;

				if (want != got) {
					printf("verify bad kind=%s addr=0x%llx want=%d got=%u\n",
					       kind_name[kind],
					       (unsigned long long)(uintptr_t)p,
					       want, got);
					fflush(stdout);
					return;
				}
				pages++;
			}
	}
	printf("verify ok pages=%llu\n", pages);
	fflush(stdout);
}

int cmd_files(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "chunks", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long n = NR_DEFAULT;
	sigset_t set;
	int c, kind, sig;

	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, &n) || n < 1 || n > 64) {
				ps_err("files: --chunks must be 1..64, not '%s'",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(files_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ps_err("files: unexpected '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	block_signals(&set, SIGUSR2, SIGTERM, SIGINT, 0);
	for (kind = 0; kind < NR_KINDS; kind++) {
		const struct region *r = &regions[kind];

		if (build(kind, n))
			return EXIT_RUNTIME;
		printf("region kind=%s start=0x%llx end=0x%llx tables=%llu empty=%llu\n",
		       kind_name[kind], (unsigned long long)(uintptr_t)r->start,
		       (unsigned long long)(uintptr_t)r->start + r->size,
		       r->chunks, kind == KEPT ? 0 : r->chunks);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		sig = wait_signal(&set);
		if (sig == SIGUSR2)
			verify();
		else
			return sig < 0 ? EXIT_RUNTIME : EXIT_OK;
	}
}
