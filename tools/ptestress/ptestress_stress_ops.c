// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_stress_ops.c - the ops of `ptestress stress` that change a
 * worker's own mappings: faults, MADV_DONTNEED, munmap, mremap, mprotect,
 * KSM, MADV_COLLAPSE and MADV_PAGEOUT, and plain verification.
 *
 * Each leaves the chunk a single anonymous VMA of 2 MiB (or part of a
 * bigger one), read-write, MADV_NOHUGEPAGE, so that the next op can take
 * it as it is; the shadow follows every change of the data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptestress_stress.h"

#define ANON_FLAGS	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

unsigned int pick_chunk(struct worker *w)
{
	unsigned int c, i;

	for (i = 0; i < 64; i++) {
		c = rnd_below(w, w->nchunks);
		if (!w->chunks[c].dead)
			return c;
	}
	for (c = 0; c < w->nchunks - 1; c++)
		if (!w->chunks[c].dead)
			break;
	return c;
}

/* A run of pages [*first, *first + *n) of a chunk: whole, half the time. */
static void pick_run(struct worker *w, unsigned int *first, unsigned int *n)
{
	if (rnd_below(w, 2)) {
		*first = 0;
		*n = CHUNK_PAGES;
		return;
	}
	*first = rnd_below(w, CHUNK_PAGES);
	*n = 1 + rnd_below(w, CHUNK_PAGES - *first);
}

static void zero_shadow(struct worker *w, unsigned int c, unsigned int first,
			unsigned int n)
{
	memset(&w->shadow[(unsigned long)c * CHUNK_PAGES + first], 0,
	       n * sizeof(w->shadow[0]));
}

void write_some(struct worker *w, unsigned int c, char *addr)
{
	uint16_t gen = next_gen(w);
	unsigned int first, n, i;

	switch (rnd_below(w, 4)) {
	case 0:
	case 1:
		pick_run(w, &first, &n);
		for (i = first; i < first + n; i++)
			write_page(w, c, i, addr, gen);
		break;
	default:
		/* A few scattered pages: tables with holes. */
		n = 1 + rnd_below(w, 64);
		for (i = 0; i < n; i++)
			write_page(w, c, rnd_below(w, CHUNK_PAGES), addr, gen);
	}
}

void op_fault(struct worker *w)
{
	unsigned int c = pick_chunk(w);

	hist_add(w, c, OP_FAULT);
	write_some(w, c, chunk_addr(w, c));
	if (rnd_below(w, 2))
		verify_chunk(w, c, chunk_addr(w, c), verify_how(w));
}

void op_dontneed(struct worker *w)
{
	unsigned int c = pick_chunk(w), first, n;
	char *addr = chunk_addr(w, c);

	hist_add(w, c, OP_DONTNEED);
	pick_run(w, &first, &n);
	if (madvise(addr + first * SZ_4K, n * SZ_4K, MADV_DONTNEED)) {
		stress_error(w, "madvise(MADV_DONTNEED): %m");
		return;
	}
	/* Private anonymous memory reads as zero after MADV_DONTNEED. */
	zero_shadow(w, c, first, n);
	if (rnd_below(w, 2))
		verify_chunk(w, c, addr, verify_how(w));
}

void op_verify(struct worker *w)
{
	unsigned int i, c, n = 1 + rnd_below(w, 3);

	/* Now and then the whole region, the rest a few chunks. */
	if (!rnd_below(w, 32))
		n = w->nchunks;
	for (i = 0; i < n; i++) {
		c = n == w->nchunks ? i : pick_chunk(w);
		if (w->chunks[c].dead)
			continue;
		hist_add(w, c, OP_VERIFY);
		verify_chunk(w, c, chunk_addr(w, c), verify_how(w));
	}
}

/* A fresh mapping at addr, where the old one was or a hole is. */
static int remap_chunk(struct worker *w, char *addr, int noreplace)
{
	int flags = ANON_FLAGS | (noreplace ? MAP_FIXED_NOREPLACE : MAP_FIXED);
	void *p = mmap(addr, SZ_2M, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (p == MAP_FAILED || p != addr) {
		/*
		 * EEXIST: something else took the hole.  Nothing of ours
		 * maps at run time, so this is a bug, not bad luck.
		 */
		stress_error(w, "mmap 0x%lx%s: %s", (unsigned long)addr,
			     noreplace ? " MAP_FIXED_NOREPLACE" : " MAP_FIXED",
			     p == MAP_FAILED ? strerror(errno) : "moved");
		if (p != MAP_FAILED)
			munmap(p, SZ_2M);
		return -1;
	}
	if (madvise(addr, SZ_2M, MADV_NOHUGEPAGE))
		stress_error(w, "madvise(MADV_NOHUGEPAGE): %m");
	return 0;
}

void op_munmap(struct worker *w)
{
	unsigned int c = pick_chunk(w);
	char *addr = chunk_addr(w, c);
	int noreplace = rnd_below(w, 2);

	hist_add(w, c, OP_MUNMAP);
	/* munmap then mmap, or mmap over it: both free the tables. */
	if (noreplace && munmap(addr, SZ_2M)) {
		stress_error(w, "munmap: %m");
		return;
	}
	if (remap_chunk(w, addr, noreplace)) {
		w->chunks[c].dead = 1;
		return;
	}
	zero_shadow(w, c, 0, CHUNK_PAGES);
	w->chunks[c].mergeable = 0;
	if (rnd_below(w, 2))
		write_some(w, c, addr);
	verify_chunk(w, c, addr, verify_how(w));
}

/* After MREMAP_DONTUNMAP the old range is mapped and holds nothing. */
static void check_emptied(struct worker *w, char *addr)
{
	unsigned char vec[CHUNK_PAGES];
	unsigned int i;

	if (mincore(addr, SZ_2M, vec)) {
		stress_error(w, "mincore: %m");
		return;
	}
	for (i = 0; i < CHUNK_PAGES; i++)
		if (vec[i] & 1)
			break;
	if (i < CHUNK_PAGES)
		stress_error(w, "mremap(MREMAP_DONTUNMAP) left page %u at "
			     "0x%lx", i, (unsigned long)addr);
}

/* Move 2 MiB; *dontunmap: asked, and cleared if the kernel refused. */
static int move(struct worker *w, char *from, char *to, int *dontunmap)
{
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED;
	void *p;

	p = mremap(from, SZ_2M, SZ_2M,
		   flags | (*dontunmap ? MREMAP_DONTUNMAP : 0), to);
	if (p == MAP_FAILED && *dontunmap && errno == EINVAL) {
		/* Before 5.7: plain moves only, from now on. */
		__atomic_store_n(&st.no_dontunmap, 1, __ATOMIC_RELAXED);
		*dontunmap = 0;
		p = mremap(from, SZ_2M, SZ_2M, flags, to);
	}
	if (p == MAP_FAILED) {
		stress_error(w, "mremap 0x%lx to 0x%lx: %m",
			     (unsigned long)from, (unsigned long)to);
		return -1;
	}
	return 0;
}

static int dontunmap_ok(void)
{
	return !__atomic_load_n(&st.no_dontunmap, __ATOMIC_RELAXED);
}

/*
 * Move the chunk to the spare slot and back.  Both 2 MiB aligned: the
 * kernel moves whole PTE tables from PMD to PMD, under a reclaimer that
 * may be looking at them.  MREMAP_DONTUNMAP keeps the old range mapped
 * (and empty), so that no other mmap can take the hole meanwhile.
 */
void op_mremap(struct worker *w)
{
	unsigned int c = pick_chunk(w);
	char *addr = chunk_addr(w, c);
	int dontunmap = dontunmap_ok();

	if (!w->spare)
		return;
	hist_add(w, c, OP_MREMAP);
	if (move(w, addr, w->spare, &dontunmap))
		return;
	if (dontunmap)
		check_emptied(w, addr);
	verify_chunk(w, c, w->spare, verify_how(w));
	if (rnd_below(w, 2))
		write_some(w, c, w->spare);
	/* Back with the spare left mapped, or unmapped and mapped again. */
	dontunmap = dontunmap_ok() && rnd_below(w, 2);
	if (move(w, w->spare, addr, &dontunmap)) {
		/* The data stays in the spare slot: give up on both. */
		w->chunks[c].dead = 1;
		w->spare = NULL;
		return;
	}
	if (!dontunmap &&
	    mmap(w->spare, SZ_2M, PROT_NONE, ANON_FLAGS | MAP_FIXED_NOREPLACE,
		 -1, 0) != w->spare) {
		stress_error(w, "mmap spare 0x%lx again: %m",
			     (unsigned long)w->spare);
		w->spare = NULL;
	}
	verify_chunk(w, c, addr, verify_how(w));
}

/*
 * Read-only (verified so) or PROT_NONE, all the chunk or part of it: a
 * part splits the VMA inside a PTE table, which then serves two VMAs.
 */
void op_mprotect(struct worker *w)
{
	unsigned int c = pick_chunk(w), first, n;
	char *addr = chunk_addr(w, c);
	int prot = rnd_below(w, 4) ? PROT_READ : PROT_NONE;

	hist_add(w, c, OP_MPROTECT);
	pick_run(w, &first, &n);
	if (mprotect(addr + first * SZ_4K, n * SZ_4K, prot)) {
		stress_error(w, "mprotect: %m");
		return;
	}
	if (prot == PROT_READ)
		verify_chunk(w, c, addr, verify_how(w));
	if (mprotect(addr + first * SZ_4K, n * SZ_4K,
		     PROT_READ | PROT_WRITE)) {
		stress_error(w, "mprotect back: %m");
		w->chunks[c].dead = 1;
		return;
	}
	verify_chunk(w, c, addr, verify_how(w));
}

/*
 * Fill a chunk with identical pages and let ksmd merge them (if it runs:
 * /sys/kernel/mm/ksm/run); the next ksm op on the chunk unmerges it.
 * Merged pages are write-protected: later writes break them by COW.
 */
void op_ksm(struct worker *w)
{
	unsigned int c = pick_chunk(w), first, n, i;
	char *addr = chunk_addr(w, c);
	struct chunk *ch = &w->chunks[c];

	hist_add(w, c, OP_KSM);
	if (ch->mergeable) {
		if (madvise(addr, SZ_2M, MADV_UNMERGEABLE))
			stress_error(w, "madvise(MADV_UNMERGEABLE): %m");
		ch->mergeable = 0;
		verify_chunk(w, c, addr, verify_how(w));
		return;
	}
	pick_run(w, &first, &n);
	for (i = first; i < first + n; i++)
		write_page(w, c, i, addr, GEN_KSM);
	if (madvise(addr, SZ_2M, MADV_MERGEABLE)) {
		stress_error(w, "madvise(MADV_MERGEABLE): %m");
		return;
	}
	ch->mergeable = 1;
	bump(&w->n.ksm_marked, 1);
	verify_chunk(w, c, addr, verify_how(w));
}

/*
 * MADV_COLLAPSE: the chunk's PTE table is replaced by a PMD-mapped THP;
 * the next partial MADV_DONTNEED or mprotect splits it into a new table.
 */
void op_collapse(struct worker *w)
{
	unsigned int c = pick_chunk(w);
	char *addr = chunk_addr(w, c);
	struct chunk *ch = &w->chunks[c];

	hist_add(w, c, OP_COLLAPSE);
	if (ch->mergeable) {
		/* KSM pages do not collapse. */
		if (madvise(addr, SZ_2M, MADV_UNMERGEABLE))
			stress_error(w, "madvise(MADV_UNMERGEABLE): %m");
		ch->mergeable = 0;
	}
	write_some(w, c, addr);
	if (madvise(addr, SZ_2M, MADV_HUGEPAGE)) {
		stress_error(w, "madvise(MADV_HUGEPAGE): %m");
		return;
	}
	if (!madvise(addr, SZ_2M, MADV_COLLAPSE))
		bump(&w->n.collapse_ok, 1);
	else if (errno == EINVAL || errno == EAGAIN || errno == ENOMEM ||
		 errno == EBUSY)
		/* Its answers for "not this time" or "not these pages". */
		bump(&w->n.collapse_fail, 1);
	else
		stress_error(w, "madvise(MADV_COLLAPSE): %m");
	if (madvise(addr, SZ_2M, MADV_NOHUGEPAGE))
		stress_error(w, "madvise(MADV_NOHUGEPAGE): %m");
	verify_chunk(w, c, addr, verify_how(w));
}

/*
 * MADV_PAGEOUT: with swap, the written pages of the run become swap
 * entries (non-none entries a reclaim must keep, or the data is gone);
 * without, nothing moves.  Checked now and then only: a check reads the
 * pages back in.
 */
void op_pageout(struct worker *w)
{
	unsigned int c = pick_chunk(w), first, n, p, out = 0;
	char *addr = chunk_addr(w, c);
	unsigned char vec[CHUNK_PAGES];

	hist_add(w, c, OP_PAGEOUT);
	pick_run(w, &first, &n);
	if (madvise(addr + first * SZ_4K, n * SZ_4K, MADV_PAGEOUT)) {
		stress_error(w, "madvise(MADV_PAGEOUT): %m");
		return;
	}
	if (!mincore(addr + first * SZ_4K, n * SZ_4K, vec)) {
		for (p = first; p < first + n; p++)
			if (!(vec[p - first] & 1) &&
			    w->shadow[(unsigned long)c * CHUNK_PAGES + p])
				out++;
		bump(&w->n.paged_out, out);
	}
	if (!rnd_below(w, 4))
		verify_chunk(w, c, addr, verify_how(w));
}

/*
 * --self-test-corrupt: change one byte behind the shadow's back, through
 * /proc/self/mem as a stray writer would, and check the page: the run
 * must report it and fail.
 */
void op_corrupt(struct worker *w)
{
	unsigned int c = pick_chunk(w), p = rnd_below(w, CHUNK_PAGES);
	char *page = chunk_addr(w, c) + p * SZ_4K;
	unsigned char b;

	hist_add(w, c, OP_CORRUPT);
	if (pread(st.memfd, &b, 1, (off_t)(uintptr_t)page) != 1) {
		stress_error(w, "read /proc/self/mem: %m");
		return;
	}
	b ^= 0x5a;
	if (pwrite(st.memfd, &b, 1, (off_t)(uintptr_t)page) != 1) {
		stress_error(w, "write /proc/self/mem: %m");
		return;
	}
	verify_pages(w, c, chunk_addr(w, c), p, 1, 0);
}
