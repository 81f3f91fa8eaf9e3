// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_stress.c - `ptestress stress`: a target for forced reclaim.
 * Worker threads churn the page tables of their own regions in every way
 * a reclaimer can race with, and check every page against a shadow of
 * what it must hold, continuously; main prints progress and the verdict.
 *
 * Nothing maps memory at a kernel-chosen address once the workers run
 * (everything is set up before, and workers neither malloc nor use
 * stdio): munmap and mremap leave holes for a moment, and nothing else
 * must land in them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ptestress_stress.h"

#define ALL_OPS		((1U << NR_USER_OPS) - 1)
#define FILE_OPS	(1U << OP_FWRITE | 1U << OP_FDONTNEED | 1U << OP_TRUNCATE | \
			 1U << OP_PUNCH | 1U << OP_FPAGEOUT | 1U << OP_FCOLLAPSE | \
			 1U << OP_FMREMAP)

const char stress_usage[] =
"ptestress stress [-s S] [-t T] [-z SIZE] [-S SEED] [-o LIST] [-r S]\n"
"  A target for forced reclaim.  T threads each own a 2 MiB-aligned\n"
"  region and churn its page tables with random ops on random 2 MiB\n"
"  chunks, checking every page against a shadow of what it must hold.\n"
"  Prints 'stress pid=P threads=T size=BYTES seconds=S seed=N', 'skip\n"
"  OP: why' for ops this kernel lacks, 'note' lines, 'region thread=T\n"
"  start= end= spare=' and 'ready'; then 'progress seconds=N ops=N\n"
"  verified_pages=N mismatches=N' every -r seconds; at the end\n"
"  'counts OP=N...', 'detail ...' and 'stress ops=N verified_pages=N\n"
"  mismatches=N forks=N errors=N skipped=LIST|none'.  The first page\n"
"  that differs prints 'mismatch thread=T addr=A page=N want=W got=G\n"
"  op_history=OP,...' at once; a SIGSEGV or SIGBUS prints 'crash ...'.\n"
"  Exit 0 without mismatch or error, 1 otherwise.\n"
"  -s, --seconds S     run time (default 30; 0: until SIGTERM or SIGINT,\n"
"                      which end any run early, cleanly)\n"
"  -t, --threads T     worker threads, 1..64 (default 4)\n"
"  -z, --size SIZE     region per thread, a multiple of 2M, K/M/G\n"
"                      (default 64M)\n"
"  -S, --seed N        random seed (default: from the clock; printed)\n"
"  -o, --ops LIST      comma separated ops (default all): fault,dontneed,\n"
"                      munmap,mremap,mprotect,fork,gup,vmsplice,uffd,ksm,\n"
"                      collapse,pageout; on each thread's shmem file\n"
"                      ('fregion' lines): fwrite,fdontneed,truncate,punch,\n"
"                      fpageout,fcollapse,fmremap; empty (zap the whole\n"
"                      region, alone in its 1 GiB window); verification\n"
"                      always runs\n"
"  -r, --report S      seconds between progress lines (default 5; 0: none)\n"
"  -h, --help          this help\n";

struct stress st;

/* How often each op is picked, verification included. */
static const unsigned int weight[NR_USER_OPS + 1] = {
	[OP_FAULT] = 20, [OP_DONTNEED] = 12, [OP_MUNMAP] = 5,
	[OP_MREMAP] = 5, [OP_MPROTECT] = 5, [OP_FORK] = 1, [OP_GUP] = 5,
	[OP_VMSPLICE] = 5, [OP_UFFD] = 3, [OP_KSM] = 2, [OP_COLLAPSE] = 2,
	[OP_PAGEOUT] = 3, [OP_FWRITE] = 4, [OP_FDONTNEED] = 4,
	[OP_TRUNCATE] = 2, [OP_PUNCH] = 2, [OP_FPAGEOUT] = 2,
	[OP_FCOLLAPSE] = 2, [OP_FMREMAP] = 2, [OP_EMPTY] = 1,
	[OP_VERIFY] = 25,
};

static void (*const op_fn[NR_USER_OPS + 1])(struct worker *) = {
	[OP_FAULT] = op_fault, [OP_DONTNEED] = op_dontneed,
	[OP_MUNMAP] = op_munmap, [OP_MREMAP] = op_mremap,
	[OP_MPROTECT] = op_mprotect, [OP_FORK] = op_fork, [OP_GUP] = op_gup,
	[OP_VMSPLICE] = op_vmsplice, [OP_UFFD] = op_uffd, [OP_KSM] = op_ksm,
	[OP_COLLAPSE] = op_collapse, [OP_PAGEOUT] = op_pageout,
	[OP_FWRITE] = op_fwrite, [OP_FDONTNEED] = op_fdontneed,
	[OP_TRUNCATE] = op_truncate, [OP_PUNCH] = op_punch,
	[OP_FPAGEOUT] = op_fpageout, [OP_FCOLLAPSE] = op_fcollapse,
	[OP_FMREMAP] = op_fmremap, [OP_EMPTY] = op_empty,
	[OP_VERIFY] = op_verify,
};

static int parse_ops(const char *list, unsigned int *ops)
{
	const char *s = list, *end;
	size_t len;
	int i;

	*ops = 0;
	for (;;) {
		end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strlen(s);
		for (i = 0; i < NR_USER_OPS; i++)
			if (strlen(op_names[i]) == len &&
			    !strncmp(s, op_names[i], len))
				break;
		if (i == NR_USER_OPS) {
			ps_err("stress: --ops: unknown op '%.*s' in '%s'",
			       (int)len, s, list);
			return -1;
		}
		*ops |= 1U << i;
		if (!end)
			return 0;
		s = end + 1;
	}
}

static int parse_opts(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 'z' },
		{ "seed", required_argument, NULL, 'S' },
		{ "ops", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, 'r' },
		{ "self-test-corrupt", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long *num;
	int c;

	while ((c = getopt_long(argc, argv, "s:t:z:S:o:r:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			num = &st.seconds;
			break;
		case 't':
			num = &st.threads;
			break;
		case 'S':
			num = &st.seed;
			break;
		case 'r':
			num = &st.report;
			break;
		case 'z':
			if (ps_size_arg("--size", optarg, &st.size))
				return -1;
			continue;
		case 'o':
			if (parse_ops(optarg, &st.ops))
				return -1;
			continue;
		case 'C':
			/* Hidden: the unit test's proof that checks fail. */
			st.self_test_corrupt = 1;
			continue;
		case 'h':
			fputs(stress_usage, stdout);
			return 1;
		default:
			return -1;
		}
		if (parse_u64(optarg, num)) {
			ps_err("stress: bad number '%s'", optarg);
			return -1;
		}
	}
	if (optind < argc) {
		ps_err("stress: unexpected '%s'", argv[optind]);
		return -1;
	}
	if (!st.threads || st.threads > MAX_THREADS) {
		ps_err("stress: --threads wants 1..%d", MAX_THREADS);
		return -1;
	}
	/* 2^32 pages per region at most: the pattern's page field. */
	if (!st.size || st.size % SZ_2M || st.size > (1ULL << 44)) {
		ps_err("stress: --size wants a non-zero multiple of 2M, "
		       "at most 16T");
		return -1;
	}
	return 0;
}

/* MADV_MERGEABLE on a scratch mapping: EINVAL without CONFIG_KSM. */
static void probe_ksm(void)
{
	void *p = map_aligned(SZ_2M, SZ_2M);
	char *run;

	if (!p)
		return;
	if (madvise(p, SZ_2M, MADV_MERGEABLE)) {
		printf("skip ksm: madvise(MADV_MERGEABLE): %m\n");
		munmap(p, SZ_2M);
		return;
	}
	munmap(p, SZ_2M);
	st.avail |= 1U << OP_KSM;
	run = slurp("/sys/kernel/mm/ksm/run", NULL);
	if (run && run[0] != '1')
		printf("note ksm: ksmd is not running "
		       "(/sys/kernel/mm/ksm/run=%c): chunks are marked "
		       "mergeable, never merged\n", run[0]);
	free(run);
}

/*
 * MADV_COLLAPSE on a scratch chunk with one page.  EINVAL here means the
 * kernel does not know it (before 6.1) or has no THP; at run time it also
 * means "not these pages", which is no reason to skip.
 */
static void probe_collapse(void)
{
	char *p = map_aligned(SZ_2M, SZ_2M);

	if (!p)
		return;
	p[0] = 1;
	if (madvise(p, SZ_2M, MADV_HUGEPAGE)) {
		printf("skip collapse: madvise(MADV_HUGEPAGE): %m\n");
	} else if (madvise(p, SZ_2M, MADV_COLLAPSE) && errno == EINVAL) {
		printf("skip collapse: madvise(MADV_COLLAPSE): %m\n");
	} else {
		st.avail |= 1U << OP_COLLAPSE;
	}
	munmap(p, SZ_2M);
}

/*
 * MADV_PAGEOUT (5.4+) on a scratch page; and whether there is swap for
 * it to push anonymous pages to.
 */
static void probe_pageout(void)
{
	char *p = map_aligned(SZ_2M, SZ_2M), *swaps;

	if (!p)
		return;
	p[0] = 1;
	if (madvise(p, SZ_4K, MADV_PAGEOUT))
		printf("skip pageout: madvise(MADV_PAGEOUT): %m\n");
	else
		st.avail |= 1U << OP_PAGEOUT;
	munmap(p, SZ_2M);
	swaps = slurp("/proc/swaps", NULL);
	if (st.avail & 1U << OP_PAGEOUT && swaps && !strchr(swaps, '/'))
		printf("note pageout: no swap: anonymous pages stay "
		       "resident\n");
	free(swaps);
}

/*
 * A shmem file (memfd_create(), 3.17+) for the file ops; MADV_PAGEOUT and
 * MADV_COLLAPSE on its pages as for anonymous ones.
 */
static void probe_file(void)
{
	int fd = memfd_create("ptestress-probe", MFD_CLOEXEC);
	char *p = reserve_aligned(SZ_2M, SZ_2M);
	unsigned int i;

	if (fd < 0 || ftruncate(fd, SZ_2M) || !p ||
	    mmap(p, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0) != p) {
		for (i = OP_FWRITE; i <= OP_FMREMAP; i++)
			if (st.ops & 1U << i)
				printf("skip %s: a shmem file: %m\n", op_names[i]);
		goto out;
	}
	st.avail |= FILE_OPS;
	p[0] = 1;
	if (madvise(p, SZ_4K, MADV_PAGEOUT)) {
		if (st.ops & 1U << OP_FPAGEOUT)
			printf("skip fpageout: madvise(MADV_PAGEOUT): %m\n");
		st.avail &= ~(1U << OP_FPAGEOUT);
	}
	if (madvise(p, SZ_2M, MADV_COLLAPSE) && errno == EINVAL) {
		if (st.ops & 1U << OP_FCOLLAPSE)
			printf("skip fcollapse: madvise(MADV_COLLAPSE): %m\n");
		st.avail &= ~(1U << OP_FCOLLAPSE);
	}
out:
	if (p)
		munmap(p, SZ_2M);
	if (fd >= 0)
		close(fd);
}

/* Region, shadow, spare slot, bounce buffer, pipe: all before the run. */
static int setup_worker(struct worker *w, unsigned int id)
{
	unsigned long long pages = st.size / SZ_4K;
	int sz;

	w->id = id;
	w->rng = st.seed ^ (0x9e3779b97f4a7c15ULL * (id + 1));
	if (!w->rng)
		w->rng = 1;
	w->nchunks = st.size / SZ_2M;
	/*
	 * Alone in a 1 GiB window of its own, its spare slot right after
	 * it, the rest reserved: the window's PMD table is the region's,
	 * which `empty` and reclaim then take turns at emptying and freeing.
	 */
	if (st.size + SZ_2M <= SZ_1G) {
		char *win = reserve_aligned(SZ_1G, SZ_1G);

		w->base = map_over(win, st.size);
		w->spare = win ? win + st.size : NULL;
	} else {
		w->base = map_aligned(st.size, SZ_2M);
		w->spare = reserve_aligned(SZ_2M, SZ_2M);
	}
	w->buf = map_aligned(SZ_2M, SZ_4K);
	w->shadow = calloc(pages, sizeof(*w->shadow));
	w->chunks = calloc(w->nchunks, sizeof(*w->chunks));
	if (!w->base || !w->spare || !w->buf || !w->shadow || !w->chunks) {
		ps_err("stress: thread %u: no memory", id);
		return -1;
	}
	/* A whole chunk per vmsplice, or 1M (pipe-max-size) unprivileged. */
	if (pipe2(w->pipe, O_CLOEXEC)) {
		ps_err("stress: pipe: %m");
		return -1;
	}
	if (fcntl(w->pipe[1], F_SETPIPE_SZ, (int)SZ_2M) < 0)
		fcntl(w->pipe[1], F_SETPIPE_SZ, (int)SZ_2M / 2);
	sz = fcntl(w->pipe[1], F_GETPIPE_SZ);
	w->pipe_size = sz > 0 ? sz : 65536;
	w->uffd = -1;
	if ((st.ops & st.avail & 1U << OP_UFFD) && uffd_setup(w))
		return -1;
	if ((st.ops & st.avail & FILE_OPS) && file_setup(w))
		return -1;
	return 0;
}

static int pick_op(struct worker *w, unsigned int total)
{
	unsigned int r = rnd_below(w, total), i;

	for (i = 0; i < NR_USER_OPS; i++) {
		if (!(st.ops & st.avail & 1U << i))
			continue;
		if (r < weight[i])
			return i;
		r -= weight[i];
	}
	return OP_VERIFY;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int total = weight[OP_VERIFY], i;
	int op;

	cur_w = w;
	for (i = 0; i < NR_USER_OPS; i++)
		if (st.ops & st.avail & 1U << i)
			total += weight[i];
	while (!__atomic_load_n(&st.stop, __ATOMIC_RELAXED)) {
		if (w->id == 0 &&
		    __atomic_exchange_n(&st.corrupt_now, 0, __ATOMIC_RELAXED))
			op_corrupt(w);
		op = pick_op(w, total);
		cur_op = op;
		op_fn[op](w);
		bump(&w->n.ops[op], 1);
		cur_op = -1;
	}
	return NULL;
}

static uint64_t load(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

/* Sum of every worker's counter at offset off of struct counts. */
static uint64_t sum(size_t off)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < st.threads; i++) {
		n += load((const uint64_t *)((const char *)&st.w[i].n + off));
		if (st.w[i].file)
			n += load((const uint64_t *)
				  ((const char *)&st.w[i].file->n + off));
	}
	return n;
}

#define SUM(field)	sum(offsetof(struct counts, field))

static uint64_t total_ops(void)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i <= OP_VERIFY; i++)
		n += SUM(ops[i]);
	return n;
}

static uint64_t verified(void)
{
	return SUM(verified) + load(&st.sh->child_verified);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Until --seconds pass or SIGTERM/SIGINT: a progress line every
 * --report seconds, and the corruption of --self-test-corrupt half way.
 */
static void run(const sigset_t *set)
{
	double t0 = now(), t, next = st.report, wake, corrupt_at;
	struct timespec ts;

	corrupt_at = st.self_test_corrupt ?
		     (st.seconds ? st.seconds / 2.0 : 1.0) : -1;
	for (;;) {
		t = now() - t0;
		if (st.seconds && t >= st.seconds)
			return;
		if (corrupt_at >= 0 && t >= corrupt_at) {
			__atomic_store_n(&st.corrupt_now, 1, __ATOMIC_RELAXED);
			corrupt_at = -1;
		}
		if (st.report && t >= next) {
			printf("progress seconds=%.0f ops=%llu "
			       "verified_pages=%llu mismatches=%llu\n", t,
			       (unsigned long long)total_ops(),
			       (unsigned long long)verified(),
			       (unsigned long long)load(&st.sh->mismatches));
			fflush(stdout);
			next += st.report;
			continue;
		}
		wake = 3600;
		if (st.seconds)
			wake = st.seconds - t;
		if (st.report && next - t < wake)
			wake = next - t;
		if (corrupt_at >= 0 && corrupt_at - t < wake)
			wake = corrupt_at - t;
		ts.tv_sec = (time_t)wake;
		ts.tv_nsec = (long)((wake - ts.tv_sec) * 1e9);
		if (sigtimedwait(set, NULL, &ts) > 0)
			return;
	}
}

static void print_skipped(void)
{
	const char *sep = "";
	unsigned int i;

	printf(" skipped=");
	for (i = 0; i < NR_USER_OPS; i++) {
		if ((st.ops & 1U << i) && !(st.avail & 1U << i)) {
			printf("%s%s", sep, op_names[i]);
			sep = ",";
		}
	}
	printf("%s\n", *sep ? "" : "none");
}

static void summary(void)
{
	unsigned int i;

	printf("counts");
	for (i = 0; i <= OP_VERIFY; i++)
		printf(" %s=%llu", op_names[i],
		       (unsigned long long)SUM(ops[i]));
	printf("\ndetail uffd_missing=%llu uffd_zeropage=%llu uffd_wp=%llu "
	       "collapse_ok=%llu collapse_failed=%llu ksm_marked=%llu "
	       "quick_children=%llu paged_out=%llu fcollapse_ok=%llu "
	       "fcollapse_failed=%llu\n",
	       (unsigned long long)SUM(uffd_missing),
	       (unsigned long long)SUM(uffd_zero),
	       (unsigned long long)SUM(uffd_wp),
	       (unsigned long long)SUM(collapse_ok),
	       (unsigned long long)SUM(collapse_fail),
	       (unsigned long long)SUM(ksm_marked),
	       (unsigned long long)SUM(child_quick),
	       (unsigned long long)SUM(paged_out),
	       (unsigned long long)SUM(fcollapse_ok),
	       (unsigned long long)SUM(fcollapse_fail));
	printf("stress ops=%llu verified_pages=%llu mismatches=%llu "
	       "forks=%llu errors=%llu", (unsigned long long)total_ops(),
	       (unsigned long long)verified(),
	       (unsigned long long)load(&st.sh->mismatches),
	       (unsigned long long)SUM(ops[OP_FORK]),
	       (unsigned long long)load(&st.sh->errors));
	print_skipped();
	fflush(stdout);
}

/* What this kernel offers: 'skip' and 'note' lines. */
static void probe(void)
{
	st.avail = ALL_OPS & ~(1U << OP_UFFD | 1U << OP_KSM |
			       1U << OP_COLLAPSE | 1U << OP_PAGEOUT |
			       FILE_OPS);
	if (st.ops & 1U << OP_UFFD)
		probe_uffd();
	if (st.ops & 1U << OP_KSM)
		probe_ksm();
	if (st.ops & 1U << OP_COLLAPSE)
		probe_collapse();
	if (st.ops & 1U << OP_PAGEOUT)
		probe_pageout();
	if (st.ops & FILE_OPS)
		probe_file();
}

static int start(void)
{
	unsigned int i;
	int err;

	st.memfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (st.memfd < 0) {
		ps_err("stress: /proc/self/mem: %m");
		return -1;
	}
	st.sh = mmap(NULL, sizeof(*st.sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	st.w = calloc(st.threads, sizeof(*st.w));
	if (st.sh == MAP_FAILED || !st.w) {
		ps_err("stress: no memory");
		return -1;
	}
	probe();
	for (i = 0; i < st.threads; i++)
		if (setup_worker(&st.w[i], i))
			return -1;
	for (i = 0; i < st.threads; i++)
		printf("region thread=%u start=0x%lx end=0x%lx spare=0x%lx\n",
		       i, (unsigned long)st.w[i].base,
		       (unsigned long)(st.w[i].base + st.size),
		       (unsigned long)st.w[i].spare);
	for (i = 0; i < st.threads; i++)
		if (st.w[i].file)
			printf("fregion thread=%u start=0x%lx end=0x%lx\n", i,
			       (unsigned long)st.w[i].file->base,
			       (unsigned long)(st.w[i].file->base +
					       FILE_CHUNKS * SZ_2M));
	crash_handlers();
	fflush(stdout);
	for (i = 0; i < st.threads; i++) {
		err = pthread_create(&st.w[i].thread, NULL, worker_main,
				     &st.w[i]);
		if (err) {
			ps_err("stress: thread: %s", strerror(err));
			return -1;
		}
	}
	puts("ready");
	fflush(stdout);
	return 0;
}

int cmd_stress(int argc, char **argv)
{
	sigset_t set;
	unsigned int i;
	int ret;

	st.seconds = 30;
	st.threads = 4;
	st.size = 64ULL << 20;
	st.seed = (unsigned long long)time(NULL) * 1000003 ^ getpid();
	st.report = 5;
	st.ops = ALL_OPS;
	ret = parse_opts(argc, argv);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_USAGE;
	/* Blocked in every thread: main alone takes them, in run(). */
	block_signals(&set, SIGTERM, SIGINT, 0);
	printf("stress pid=%d threads=%llu size=%llu seconds=%llu "
	       "seed=%llu\n", getpid(), st.threads, st.size, st.seconds,
	       st.seed);
	fflush(stdout);
	if (start())
		return EXIT_RUNTIME;
	run(&set);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < st.threads; i++)
		pthread_join(st.w[i].thread, NULL);
	summary();
	return load(&st.sh->mismatches) || load(&st.sh->errors) ?
	       EXIT_RUNTIME : EXIT_OK;
}
