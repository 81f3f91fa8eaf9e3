/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptestress_stress.h - what the files of `ptestress stress` share: the
 * workers, their regions and shadows, the page pattern and the checks.
 *
 * Each worker owns a region of 2 MiB chunks (one PTE table each) and a
 * shadow with one entry per page: the generation the page must hold, or
 * GEN_ZERO.  A page holds pattern() words at three offsets and zeros
 * everywhere else, so its whole content is known, identical pages can be
 * made for KSM, and a page that shows up at the wrong place or from the
 * wrong time names where it came from.
 */
#ifndef PTESTRESS_STRESS_H
#define PTESTRESS_STRESS_H

#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "ptestress.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21	/* Linux 5.4 */
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25	/* Linux 6.1 */
#endif

#define CHUNK_PAGES	512
#define FILE_CHUNKS	4	/* of each worker's shmem file */
#define FILE_TID	64	/* its pages' thread id: worker's + this */
#define HIST_LEN	8
#define MAX_THREADS	64

/* The ops of --ops, in their order; then the ones only history shows. */
enum op {
	OP_FAULT, OP_DONTNEED, OP_MUNMAP, OP_MREMAP, OP_MPROTECT, OP_FORK,
	OP_GUP, OP_VMSPLICE, OP_UFFD, OP_KSM, OP_COLLAPSE, OP_PAGEOUT,
	/* The shmem file (ptestress_stress_file.c), and the whole window: */
	OP_FWRITE, OP_FDONTNEED, OP_TRUNCATE, OP_PUNCH, OP_FPAGEOUT,
	OP_FCOLLAPSE, OP_FMREMAP, OP_EMPTY,
	NR_USER_OPS,
	OP_VERIFY = NR_USER_OPS,
	OP_CHILD,	/* a fork child wrote or dropped pages of the chunk */
	OP_CORRUPT,	/* --self-test-corrupt */
	NR_OPS
};

extern const char *const op_names[NR_OPS];

/*
 * Shadow values.  Generations of the parent and of fork children differ
 * (GEN_CHILD), so that a child's write leaking into the parent is caught;
 * KSM pages share one generation, GEN_KSM, and a pattern without the page
 * number, so that they are identical.  GEN_BAD marks a page already
 * reported: it is not checked again until written or dropped.
 */
#define GEN_ZERO	0x0000
#define GEN_MAX		0x7ffe
#define GEN_KSM		0x7fff
#define GEN_CHILD	0x8000
#define GEN_BAD		0xffff

/* The three words of a page: first, middle and last 8 bytes. */
#define NR_WORDS	3
extern const unsigned int word_off[NR_WORDS];

struct chunk {
	uint8_t hist[HIST_LEN];		/* last ops, a ring */
	uint8_t pos, len;		/* next slot, entries in use */
	uint8_t mergeable;		/* MADV_MERGEABLE, not undone yet */
	uint8_t dead;			/* lost to an error: left alone */
};

/* Counters main reads while the worker runs: relaxed atomics. */
struct counts {
	uint64_t ops[NR_OPS];
	uint64_t verified;
	uint64_t uffd_missing, uffd_zero, uffd_wp;
	uint64_t collapse_ok, collapse_fail;
	uint64_t ksm_marked, child_quick;
	uint64_t paged_out;		/* written pages MADV_PAGEOUT took */
	uint64_t fcollapse_ok, fcollapse_fail;
};

struct worker {
	unsigned int id;
	pthread_t thread;
	uint64_t rng;
	char *base;			/* region: nchunks x 2 MiB */
	unsigned int nchunks;
	uint16_t *shadow;		/* per page */
	struct chunk *chunks;
	char *spare;			/* 2 MiB slot for mremap, or NULL */
	char *buf;			/* 2 MiB bounce buffer: gup, vmsplice */
	int pipe[2];
	int fd;				/* the file's worker: its memfd */
	struct worker *file;		/* its shmem file, as a worker */
	unsigned int pipe_size;
	uint16_t gen;			/* last generation handed out */
	int in_child;			/* this copy runs in a fork child */

	/* userfaultfd: the handler thread serves faults of one chunk. */
	int uffd;
	pthread_t uffd_thread;
	char *uffd_src;			/* the page UFFDIO_COPY copies */
	uintptr_t uffd_chunk_addr;	/* atomic: chunk being served */
	unsigned int uffd_chunk;		/* atomic: its index */
	uint16_t uffd_gen;		/* atomic: generation to copy in */
	uint32_t served[CHUNK_PAGES];	/* atomic: how, or 0 */

	struct counts n;
};
/* served[]: UFFDIO_COPY'd (or ZEROPAGE'd: gen 0) this gen; WP fault. */
#define SERVED		0x10000
#define SERVED_WP	0x20000

/* MAP_SHARED: fork children count their findings here too. */
struct shared {
	uint64_t mismatches, errors, child_verified;
	int printed;			/* the first mismatch line is out */
};

/* The run: options, what this kernel offers, and the workers. */
struct stress {
	unsigned long long seconds, threads, size, seed, report;
	unsigned int ops;		/* bit per enum op: enabled */
	unsigned int avail;		/* bit per enum op: works here */
	int self_test_corrupt;
	int corrupt_now;		/* atomic: worker 0 corrupts a page */
	int stop;			/* atomic */
	int uffd_flags;			/* for userfaultfd(2) */
	unsigned long long uffd_features;	/* for UFFDIO_API */
	int uffd_wp;			/* UFFDIO_REGISTER_MODE_WP works */
	int uffd_unpop;			/* and marks none entries too */
	int no_dontunmap;		/* mremap without MREMAP_DONTUNMAP */
	int memfd;			/* /proc/self/mem */
	struct shared *sh;
	struct worker *w;
};

extern struct stress st;

/* Which worker and op this thread is in, for the crash line. */
extern __thread struct worker *cur_w;
extern __thread int cur_op, cur_chunk;

static inline void bump(uint64_t *c, uint64_t by)
{
	__atomic_store_n(c, *c + by, __ATOMIC_RELAXED);
}

static inline uint64_t rnd(struct worker *w)
{
	/* xorshift64* */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dULL;
}

/* Uniform enough in [0, n): n is far below 2^32. */
static inline unsigned int rnd_below(struct worker *w, unsigned int n)
{
	return (unsigned int)((rnd(w) >> 32) * n >> 32);
}

static inline char *chunk_addr(const struct worker *w, unsigned int c)
{
	return w->base + (uintptr_t)c * SZ_2M;
}

/* The word k of page pg (of the worker's region) at generation gen. */
static inline uint64_t pattern(unsigned int tid, unsigned long pg, uint16_t gen,
			       unsigned int k)
{
	if (gen == GEN_ZERO)
		return 0;
	if (gen == GEN_KSM)
		pg = 0xffffffff;
	return (uint64_t)(0xa0 | k) << 56 | (uint64_t)tid << 48 |
	       (uint64_t)(pg & 0xffffffff) << 16 | gen;
}

uint16_t next_gen(struct worker *w);
void hist_add(struct worker *w, unsigned int c, enum op op);

/* Write page p of chunk c, which lives at addr, and record it. */
void write_page(struct worker *w, unsigned int c, unsigned int p, char *addr,
		uint16_t gen);
/* The same into a bounce page (all 4 KiB), for writes through GUP. */
void fill_page(char *page, unsigned int tid, unsigned long pg, uint16_t gen);

/*
 * Check pages [first, first + n) of chunk c, living at addr, against the
 * shadow.  V_MINCORE: a page that must be zero and is not resident is
 * not read (reading would map the zero page and fill the table that a
 * reclaim wants empty).  V_FULL: also check the bytes between the words.
 * Returns the pages that differ; each is reported.
 */
#define V_MINCORE	1
#define V_FULL		2
unsigned int verify_pages(struct worker *w, unsigned int c, const char *addr,
			  unsigned int first, unsigned int n, int how);
unsigned int verify_chunk(struct worker *w, unsigned int c, const char *addr,
			  int how);
/* The same for a copy of pages [first, first + n) in buf (V_FULL). */
unsigned int verify_copy(struct worker *w, unsigned int c, const char *buf,
			 unsigned int first, unsigned int n);
/* A random choice of V_MINCORE and V_FULL: mostly the cheap one. */
int verify_how(struct worker *w);

/* A page differs: count it, print the first line of the run. */
void mismatch(struct worker *w, unsigned int c, unsigned int p,
	      const char *addr, uint64_t want, uint64_t got);
/* An op failed where it must not: count, say why (not in a child). */
void stress_error(struct worker *w, const char *fmt, ...) __printf(2, 3);

/* SIGSEGV and SIGBUS print a 'crash' line with the op, then exit 1. */
void crash_handlers(void);

/* The ops; each picks its own chunks and records them. */
void op_fault(struct worker *w);
void op_dontneed(struct worker *w);
void op_verify(struct worker *w);
void op_munmap(struct worker *w);
void op_mremap(struct worker *w);
void op_mprotect(struct worker *w);
void op_ksm(struct worker *w);
void op_collapse(struct worker *w);
void op_pageout(struct worker *w);
void op_fork(struct worker *w);
void op_gup(struct worker *w);
void op_vmsplice(struct worker *w);
void op_uffd(struct worker *w);
void op_corrupt(struct worker *w);
void op_fwrite(struct worker *w);
void op_fdontneed(struct worker *w);
void op_truncate(struct worker *w);
void op_punch(struct worker *w);
void op_fpageout(struct worker *w);
void op_fcollapse(struct worker *w);
void op_fmremap(struct worker *w);
void op_empty(struct worker *w);

/* The worker's shmem file, mapped: w->file; 0, or -1 after saying why. */
int file_setup(struct worker *w);

/* A random chunk that is not dead. */
unsigned int pick_chunk(struct worker *w);
/* Write a random choice of pages of chunk c at addr, one new generation. */
void write_some(struct worker *w, unsigned int c, char *addr);

/* Once before the workers: 'skip' or 'note' lines; then its handler. */
void probe_uffd(void);
int uffd_setup(struct worker *w);

#endif /* PTESTRESS_STRESS_H */
