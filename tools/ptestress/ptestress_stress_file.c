// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_stress_file.c - the file and shmem side of `ptestress stress`,
 * and the op that empties a worker's whole 1 GiB window.
 *
 * Each worker also owns a shmem file (memfd) of FILE_CHUNKS x 2 MiB,
 * mapped shared at a 2 MiB boundary.  Its pages live in the file, not in
 * the page tables: MADV_DONTNEED, MADV_PAGEOUT, MADV_COLLAPSE and mremap
 * keep the data while they empty, move or replace the tables a reclaimer
 * races to free; truncation and punched holes zero it.  The region is a
 * struct worker of its own (w->file, thread id + FILE_TID), so the shadow,
 * the checks and the mismatch line work on it unchanged.
 *
 * `empty` zaps the worker's whole anonymous region, which sits alone at
 * the start of its own 1 GiB window: reclaim can then free its PTE tables
 * and the PMD table above them, while the next faults build them again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ptestress_stress.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE	0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE	0x02
#endif

static int file_noreplace(struct worker *f, char *addr)
{
	void *p = mmap(addr, SZ_2M, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, f->fd,
		       (off_t)(addr - f->base));

	if (p != addr) {
		stress_error(f, "mmap of the shmem file at 0x%lx: %m",
			     (unsigned long)addr);
		return -1;
	}
	return 0;
}

int file_setup(struct worker *w)
{
	struct worker *f = calloc(1, sizeof(*f));
	unsigned long long size = FILE_CHUNKS * SZ_2M;
	char *p;

	if (!f)
		return -1;
	f->id = w->id + FILE_TID;
	f->rng = w->rng ^ 0x5bd1e995;
	f->nchunks = FILE_CHUNKS;
	f->fd = memfd_create("ptestress", MFD_CLOEXEC);
	f->shadow = calloc(FILE_CHUNKS * CHUNK_PAGES, sizeof(*f->shadow));
	f->chunks = calloc(FILE_CHUNKS, sizeof(*f->chunks));
	f->spare = reserve_aligned(SZ_2M, SZ_2M);
	p = reserve_aligned(size, SZ_2M);
	if (f->fd < 0 || ftruncate(f->fd, size) || !f->shadow || !f->chunks ||
	    !f->spare || !p) {
		ps_err("stress: thread %u: shmem file: %m", w->id);
		return -1;
	}
	f->base = p;
	if (mmap(p, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 f->fd, 0) != p) {
		ps_err("stress: thread %u: mmap of the shmem file: %m", w->id);
		return -1;
	}
	w->file = f;
	return 0;
}

/* The file's worker, with this thread's op and chunk for the crash line. */
static struct worker *file_of(struct worker *w, unsigned int *c, enum op op)
{
	struct worker *f = w->file;

	*c = pick_chunk(f);
	hist_add(f, *c, op);
	return f;
}

/* A run of pages of chunk c: whole half the time. */
static void file_run(struct worker *f, unsigned int *first, unsigned int *n)
{
	if (rnd_below(f, 2)) {
		*first = 0;
		*n = CHUNK_PAGES;
		return;
	}
	*first = rnd_below(f, CHUNK_PAGES);
	*n = 1 + rnd_below(f, CHUNK_PAGES - *first);
}

static void file_zero(struct worker *f, unsigned long first_page,
		      unsigned long n)
{
	memset(&f->shadow[first_page], 0, n * sizeof(f->shadow[0]));
}

/* Done with the file's own counters: the worker's sum them (summary()). */
static void file_verify(struct worker *f, unsigned int c, int maybe)
{
	if (!maybe || rnd_below(f, 2))
		verify_chunk(f, c, chunk_addr(f, c), verify_how(f));
}

void op_fwrite(struct worker *w)
{
	unsigned int c;
	struct worker *f = file_of(w, &c, OP_FWRITE);

	write_some(f, c, chunk_addr(f, c));
	file_verify(f, c, 1);
}

/* The zap frees no page of a shared file: every byte stays. */
void op_fdontneed(struct worker *w)
{
	unsigned int c, first, n;
	struct worker *f = file_of(w, &c, OP_FDONTNEED);

	file_run(f, &first, &n);
	if (madvise(chunk_addr(f, c) + first * SZ_4K, n * SZ_4K,
		    MADV_DONTNEED))
		stress_error(f, "madvise(MADV_DONTNEED) of the shmem file: %m");
	file_verify(f, c, 1);
}

/*
 * Cut the file at the start of chunk c and grow it back: zeros from there
 * on.  At a 2 MiB boundary, never inside: Linux 7.3's shmem_undo_range()
 * spins for ever when the new size falls inside a huge folio that went to
 * swap whole (MADV_COLLAPSE, then MADV_PAGEOUT, as fcollapse and fpageout
 * do), with or without pte_ref (tests/helpers/shmemtrunc).  Cuts inside a
 * folio are punch's, whose pass ends where truncation's restarts.
 */
void op_truncate(struct worker *w)
{
	unsigned int c;
	struct worker *f = file_of(w, &c, OP_TRUNCATE);
	unsigned long p = (unsigned long)c * CHUNK_PAGES;
	unsigned long all = (unsigned long)f->nchunks * CHUNK_PAGES;

	if (ftruncate(f->fd, p * SZ_4K) ||
	    ftruncate(f->fd, all * SZ_4K)) {
		stress_error(f, "ftruncate of the shmem file: %m");
		return;
	}
	file_zero(f, p, all - p);
	file_verify(f, c, 1);
}

void op_punch(struct worker *w)
{
	unsigned int c, first, n;
	struct worker *f = file_of(w, &c, OP_PUNCH);

	file_run(f, &first, &n);
	if (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      ((off_t)c * CHUNK_PAGES + first) * SZ_4K,
		      (off_t)n * SZ_4K)) {
		stress_error(f, "fallocate(PUNCH_HOLE) of the shmem file: %m");
		return;
	}
	file_zero(f, (unsigned long)c * CHUNK_PAGES + first, n);
	file_verify(f, c, 1);
}

/* Shmem pages go to swap (zram, where t08 has it), entries stay. */
void op_fpageout(struct worker *w)
{
	unsigned int c;
	struct worker *f = file_of(w, &c, OP_FPAGEOUT);

	write_some(f, c, chunk_addr(f, c));
	if (madvise(chunk_addr(f, c), SZ_2M, MADV_PAGEOUT))
		stress_error(f, "madvise(MADV_PAGEOUT) of the shmem file: %m");
	file_verify(f, c, 1);
}

/*
 * khugepaged's file path, synchronously: collapse the chunk into a huge
 * shmem page and retract its PTE table (retract_page_tables() for the
 * other mappers, collapse_pte_mapped_thp() for us).
 */
void op_fcollapse(struct worker *w)
{
	unsigned int c;
	struct worker *f = file_of(w, &c, OP_FCOLLAPSE);
	char *addr = chunk_addr(f, c);

	write_some(f, c, addr);
	if (!madvise(addr, SZ_2M, MADV_COLLAPSE))
		bump(&w->n.fcollapse_ok, 1);
	else if (errno == EINVAL || errno == EAGAIN || errno == ENOMEM ||
		 errno == EBUSY)
		bump(&w->n.fcollapse_fail, 1);
	else
		stress_error(f, "madvise(MADV_COLLAPSE) of the shmem file: %m");
	file_verify(f, c, 0);
}

/*
 * Move the chunk's mapping to the spare slot and back: the kernel moves
 * the file's PTE table whole (move_normal_pmd()), or entry by entry.
 */
void op_fmremap(struct worker *w)
{
	unsigned int c;
	struct worker *f = file_of(w, &c, OP_FMREMAP);
	char *addr = chunk_addr(f, c);
	const int flags = MREMAP_MAYMOVE | MREMAP_FIXED;

	if (!f->spare)
		return;
	if (mremap(addr, SZ_2M, SZ_2M, flags, f->spare) == MAP_FAILED) {
		stress_error(f, "mremap of the shmem file: %m");
		return;
	}
	verify_chunk(f, c, f->spare, verify_how(f));
	if (mremap(f->spare, SZ_2M, SZ_2M, flags, addr) == MAP_FAILED) {
		stress_error(f, "mremap of the shmem file back: %m");
		/* The mapping is in the spare slot: map the chunk anew. */
		if (file_noreplace(f, addr))
			f->chunks[c].dead = 1;
		f->spare = NULL;
		return;
	}
	/* The slot is a hole now: reserve it again before anyone maps. */
	if (mmap(f->spare, SZ_2M, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
		 -1, 0) != f->spare) {
		stress_error(f, "mmap of the spare slot again: %m");
		f->spare = NULL;
	}
	file_verify(f, c, 1);
}

/*
 * Zap the whole anonymous region, wait a moment, then refill a chunk or
 * two: the window's PMD table is empty once reclaim took its PTE tables,
 * and the faults race with its free.  The wait (up to 20 ms, a reclaim of
 * this process or a few) gives the reclaimers their chance.
 */
void op_empty(struct worker *w)
{
	struct timespec ts = { 0, (long)rnd_below(w, 20000) * 1000 };
	unsigned int c, i, n = 1 + rnd_below(w, 2);

	/*
	 * Chunk by chunk, so that a dead one (maybe unmapped) is passed
	 * over; in two halves now and then, which PT_RECLAIM (6.14+) leaves
	 * to the reclaimers.
	 */
	for (c = 0; c < w->nchunks; c++) {
		char *addr = chunk_addr(w, c);
		int halves = rnd_below(w, 2);

		if (w->chunks[c].dead)
			continue;
		hist_add(w, c, OP_EMPTY);
		if (halves ? madvise(addr, SZ_1M, MADV_DONTNEED) ||
			     madvise(addr + SZ_1M, SZ_1M, MADV_DONTNEED) :
			     madvise(addr, SZ_2M, MADV_DONTNEED)) {
			stress_error(w, "madvise(MADV_DONTNEED) of the region: %m");
			return;
		}
		memset(&w->shadow[(unsigned long)c * CHUNK_PAGES], 0,
		       CHUNK_PAGES * sizeof(w->shadow[0]));
	}
	nanosleep(&ts, NULL);
	for (i = 0; i < n; i++) {
		c = pick_chunk(w);
		write_some(w, c, chunk_addr(w, c));
		verify_chunk(w, c, chunk_addr(w, c), verify_how(w));
	}
}
