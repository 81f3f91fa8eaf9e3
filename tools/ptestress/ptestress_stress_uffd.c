// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_stress_uffd.c - the userfaultfd op of `ptestress stress`.
 *
 * Each worker has its own userfaultfd and a handler thread.  The op drops
 * part of a chunk, registers the chunk (MISSING, and WP where anonymous
 * write-protect works), touches pages so that the missing ones fault, and
 * the handler fills them with UFFDIO_COPY (or UFFDIO_ZEROPAGE) with the
 * data of this op's generation; it records what it did in served[], which
 * is how the worker knows whether a page was missing.  Then the chunk is
 * write-protected and written: each first write to a present page is a WP
 * fault that the handler resolves.  With UFFD_FEATURE_WP_UNPOPULATED
 * (6.4+) even none entries get a marker, so the chunk's table is full of
 * non-none entries that a reclaim must leave; registered for WP alone, a
 * write to a marker that takes no WP fault means the marker was lost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ptestress_stress.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY		1
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED	(1 << 13)	/* Linux 6.4 */
#endif

static int uffd_open(int flags)
{
	return syscall(SYS_userfaultfd, flags | O_CLOEXEC);
}

static int uffd_api(int fd, unsigned long long features,
		    unsigned long long *have)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };

	if (ioctl(fd, UFFDIO_API, &api))
		return -1;
	if (have)
		*have = api.features;
	return 0;
}

static int uffd_register(int fd, void *addr, unsigned long long len,
			 int missing, int wp)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = (missing ? UFFDIO_REGISTER_MODE_MISSING : 0) |
			(wp ? UFFDIO_REGISTER_MODE_WP : 0),
	};
	unsigned long long need = wp ? 1ULL << _UFFDIO_WRITEPROTECT : 0;

	if (missing)
		need |= 1ULL << _UFFDIO_COPY | 1ULL << _UFFDIO_ZEROPAGE;
	if (ioctl(fd, UFFDIO_REGISTER, &reg))
		return -1;
	if ((reg.ioctls & need) != need) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return 0;
}

static int uffd_unregister(int fd, void *addr, unsigned long long len)
{
	struct uffdio_range range = { .start = (uintptr_t)addr, .len = len };

	return ioctl(fd, UFFDIO_UNREGISTER, &range);
}

static int uffd_wp(int fd, void *addr, unsigned long long len, int on)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	return ioctl(fd, UFFDIO_WRITEPROTECT, &wp);
}

/* Register a scratch mapping the way op_uffd will; 0 if it works. */
static int try_register(unsigned long long features, int wp)
{
	int fd = uffd_open(st.uffd_flags), ret = -1;
	void *p;

	if (fd < 0)
		return -1;
	p = map_aligned(SZ_2M, SZ_2M);
	if (p && !uffd_api(fd, features, NULL) &&
	    !uffd_register(fd, p, SZ_2M, 1, wp)) {
		ret = 0;
		if (wp && uffd_wp(fd, p, SZ_2M, 1))
			ret = -1;
		uffd_unregister(fd, p, SZ_2M);
	}
	if (p)
		munmap(p, SZ_2M);
	close(fd);
	return ret;
}

void probe_uffd(void)
{
	unsigned long long have = 0, want;
	int fd;

	st.uffd_flags = 0;
	fd = uffd_open(0);
	if (fd < 0 && errno == EPERM) {
		/* vm.unprivileged_userfaultfd=0 still allows this (5.11+). */
		st.uffd_flags = UFFD_USER_MODE_ONLY;
		fd = uffd_open(st.uffd_flags);
	}
	if (fd < 0) {
		printf("skip uffd: userfaultfd: %m\n");
		return;
	}
	if (uffd_api(fd, 0, &have)) {
		printf("skip uffd: UFFDIO_API: %m\n");
		close(fd);
		return;
	}
	close(fd);
	want = have & (UFFD_FEATURE_PAGEFAULT_FLAG_WP |
		       UFFD_FEATURE_WP_UNPOPULATED);
	if ((want & UFFD_FEATURE_PAGEFAULT_FLAG_WP) && !try_register(want, 1)) {
		st.uffd_wp = 1;
		st.uffd_unpop = !!(want & UFFD_FEATURE_WP_UNPOPULATED);
	} else {
		want = 0;
		if (try_register(0, 0)) {
			printf("skip uffd: UFFDIO_REGISTER of anonymous "
			       "memory: %m\n");
			return;
		}
	}
	st.uffd_features = want;
	st.avail |= 1U << OP_UFFD;
	if (!st.uffd_wp)
		printf("note uffd: no anonymous write-protect here: "
		       "MISSING faults only\n");
	else if (!st.uffd_unpop)
		printf("note uffd: no UFFD_FEATURE_WP_UNPOPULATED (6.4+): "
		       "write-protect of present pages only\n");
}

/* Which page of the chunk being served, or -1. */
static int served_page(struct worker *w, uintptr_t addr, unsigned int *c)
{
	uintptr_t base = __atomic_load_n(&w->uffd_chunk_addr,
					 __ATOMIC_ACQUIRE);

	*c = __atomic_load_n(&w->uffd_chunk, __ATOMIC_RELAXED);
	if (!base || addr < base || addr >= base + SZ_2M)
		return -1;
	return (addr - base) / SZ_4K;
}

/*
 * Fill a missing page: the data of the op's generation or, for a read,
 * the zero page one time in five.  (A write fault on a uffd-wp marker
 * arrives as MISSING, and UFFDIO_ZEROPAGE refuses a marker with EEXIST;
 * UFFDIO_COPY replaces it.)  served[] is set before the ioctl that wakes
 * the faulting worker, so that it sees it.
 */
static int fill(struct worker *w, uintptr_t addr, int zero)
{
	struct uffdio_copy copy = {
		.dst = addr, .src = (uintptr_t)w->uffd_src, .len = SZ_4K,
	};
	struct uffdio_zeropage zp = {
		.range = { .start = addr, .len = SZ_4K },
	};
	int ret;

	do
		ret = zero ? ioctl(w->uffd, UFFDIO_ZEROPAGE, &zp) :
			     ioctl(w->uffd, UFFDIO_COPY, &copy);
	while (ret && errno == EAGAIN);
	return ret;
}

static void serve_missing(struct worker *w, uintptr_t addr, unsigned int c,
			  unsigned int p, int write)
{
	uint16_t gen = __atomic_load_n(&w->uffd_gen, __ATOMIC_RELAXED);
	unsigned long pg = (unsigned long)c * CHUNK_PAGES + p;
	int zero = !write && (pg + gen) % 5 == 0;
	struct uffdio_range wake = { .start = addr, .len = SZ_4K };
	uint32_t *served = &w->served[p];

	fill_page(w->uffd_src, w->id, pg, gen);
	/* OR: a WP fault on a marker may have come first. */
	__atomic_or_fetch(served, SERVED | (zero ? 0 : gen), __ATOMIC_RELEASE);
	if (!fill(w, addr, zero)) {
		bump(zero ? &w->n.uffd_zero : &w->n.uffd_missing, 1);
		return;
	}
	stress_error(w, "%s at 0x%lx: %m", zero ? "UFFDIO_ZEROPAGE" :
		     "UFFDIO_COPY", (unsigned long)addr);
	/* Not the zero page, then: the data; or else let it fault again. */
	if (zero) {
		__atomic_or_fetch(served, gen, __ATOMIC_RELEASE);
		if (!fill(w, addr, 0)) {
			bump(&w->n.uffd_missing, 1);
			return;
		}
	}
	__atomic_and_fetch(served, SERVED_WP, __ATOMIC_RELEASE);
	ioctl(w->uffd, UFFDIO_WAKE, &wake);
}

static void *uffd_handler(void *arg)
{
	struct worker *w = arg;
	struct uffd_msg msg;
	uintptr_t addr;
	unsigned int c;
	ssize_t r;
	int p;

	cur_w = w;
	for (;;) {
		r = read(w->uffd, &msg, sizeof(msg));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r != sizeof(msg)) {
			stress_error(w, "read userfaultfd: %m");
			return NULL;
		}
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		addr = msg.arg.pagefault.address & ~(uintptr_t)(SZ_4K - 1);
		p = served_page(w, addr, &c);
		if (p < 0) {
			stress_error(w, "userfault at 0x%lx: not ours",
				     (unsigned long)addr);
			continue;
		}
		if (!(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP)) {
			serve_missing(w, addr, c, p, msg.arg.pagefault.flags &
				      UFFD_PAGEFAULT_FLAG_WRITE);
			continue;
		}
		__atomic_or_fetch(&w->served[p], SERVED_WP, __ATOMIC_RELEASE);
		bump(&w->n.uffd_wp, 1);
		/* Clearing the protection wakes the writer. */
		if (uffd_wp(w->uffd, (void *)addr, SZ_4K, 0))
			stress_error(w, "UFFDIO_WRITEPROTECT off: %m");
	}
}

int uffd_setup(struct worker *w)
{
	pthread_attr_t attr;
	int err;

	w->uffd = uffd_open(st.uffd_flags);
	if (w->uffd < 0 || uffd_api(w->uffd, st.uffd_features, NULL)) {
		ps_err("stress: userfaultfd: %m");
		return -1;
	}
	w->uffd_src = map_aligned(SZ_4K, SZ_4K);
	if (!w->uffd_src)
		return -1;
	/* Never joined: it ends with the process, blocked in read(). */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&w->uffd_thread, &attr, uffd_handler, w);
	pthread_attr_destroy(&attr);
	if (err) {
		ps_err("stress: userfaultfd handler thread: %s",
		       strerror(err));
		return -1;
	}
	return 0;
}

/* What the handler did for page p since the last call. */
static uint32_t take_served(struct worker *w, unsigned int p)
{
	return __atomic_exchange_n(&w->served[p], 0, __ATOMIC_ACQUIRE);
}

/*
 * The page was missing and got served: fine if the shadow said zero, a
 * lost page otherwise.  Then the shadow holds what was served.
 */
static void account_missing(struct worker *w, unsigned int c, unsigned int p,
			    uint32_t how, uint64_t got)
{
	unsigned long pg = (unsigned long)c * CHUNK_PAGES + p;
	uint16_t old = w->shadow[pg];

	if (old != GEN_ZERO && old != GEN_BAD)
		mismatch(w, c, p, chunk_addr(w, c) + p * SZ_4K,
			 pattern(w->id, pg, old, 0), got);
	w->shadow[pg] = how & 0xffff;
}

/* Read one word of random pages: the missing ones fault to the handler. */
static void touch_pages(struct worker *w, unsigned int c, char *addr)
{
	unsigned int i, p, n = 64 + rnd_below(w, CHUNK_PAGES - 64);
	uint32_t how;
	uint64_t v;

	for (i = 0; i < n; i++) {
		p = rnd_below(w, CHUNK_PAGES);
		v = *(volatile uint64_t *)(addr + p * SZ_4K);
		how = take_served(w, p);
		if (how & SERVED)
			account_missing(w, c, p, how, v);
		verify_pages(w, c, addr, p, 1, V_FULL);
	}
}

/*
 * Write-protect the chunk and write a run of it.  The first write to a
 * present page must be a WP fault.  A none entry gets a marker only with
 * UFFD_FEATURE_WP_UNPOPULATED, and a write to it is a MISSING fault if
 * the chunk is registered MISSING too; registered for WP alone (wp_only)
 * it must be a WP fault: else the marker, and the table holding it, was
 * lost.
 */
static void write_protected(struct worker *w, unsigned int c, char *addr,
			    int wp_only)
{
	unsigned char vec[CHUNK_PAGES];
	unsigned int p, first = rnd_below(w, CHUNK_PAGES);
	unsigned int n = 1 + rnd_below(w, CHUNK_PAGES - first);
	uint16_t gen = next_gen(w), old;
	unsigned long pg;
	uint32_t how;

	if (mincore(addr, SZ_2M, vec)) {
		stress_error(w, "mincore: %m");
		return;
	}
	if (uffd_wp(w->uffd, addr, SZ_2M, 1)) {
		stress_error(w, "UFFDIO_WRITEPROTECT: %m");
		return;
	}
	for (p = first; p < first + n; p++) {
		pg = (unsigned long)c * CHUNK_PAGES + p;
		old = w->shadow[pg];
		write_page(w, c, p, addr, gen);
		how = take_served(w, p);
		if ((how & SERVED) && old != GEN_ZERO && old != GEN_BAD)
			mismatch(w, c, p, addr + p * SZ_4K,
				 pattern(w->id, pg, old, 0),
				 pattern(w->id, pg, how & 0xffff, 0));
		if (!(how & SERVED_WP) &&
		    ((vec[p] & 1) || (wp_only && st.uffd_unpop)))
			stress_error(w, "write to page %lu at 0x%lx under "
				     "UFFDIO_WRITEPROTECT took no WP fault "
				     "(%s entry)", pg,
				     (unsigned long)(addr + p * SZ_4K),
				     vec[p] & 1 ? "present" : "marker");
		verify_pages(w, c, addr, p, 1, V_FULL);
	}
	if (uffd_wp(w->uffd, addr, SZ_2M, 0))
		stress_error(w, "UFFDIO_WRITEPROTECT off: %m");
}

/*
 * Register the chunk MISSING (+ WP), serve its missing pages, then write
 * it under WP; or, one time in three where WP works, register it for WP
 * alone and write it under WP.
 */
void op_uffd(struct worker *w)
{
	unsigned int c = pick_chunk(w), p, first, n;
	char *addr = chunk_addr(w, c);
	struct chunk *ch = &w->chunks[c];
	int wp_only = st.uffd_wp && !rnd_below(w, 3);

	hist_add(w, c, OP_UFFD);
	/* ksmd would replace write-protected entries by its own. */
	if (ch->mergeable) {
		if (madvise(addr, SZ_2M, MADV_UNMERGEABLE))
			stress_error(w, "madvise(MADV_UNMERGEABLE): %m");
		ch->mergeable = 0;
	}
	/* Something missing to serve, or to mark. */
	first = rnd_below(w, CHUNK_PAGES);
	n = 1 + rnd_below(w, CHUNK_PAGES - first);
	if (madvise(addr + first * SZ_4K, n * SZ_4K, MADV_DONTNEED)) {
		stress_error(w, "madvise(MADV_DONTNEED): %m");
		return;
	}
	memset(&w->shadow[(unsigned long)c * CHUNK_PAGES + first], 0,
	       n * sizeof(w->shadow[0]));
	for (p = 0; p < CHUNK_PAGES; p++)
		__atomic_store_n(&w->served[p], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w->uffd_gen, next_gen(w), __ATOMIC_RELAXED);
	__atomic_store_n(&w->uffd_chunk, c, __ATOMIC_RELAXED);
	__atomic_store_n(&w->uffd_chunk_addr, (uintptr_t)addr,
			 __ATOMIC_RELEASE);
	if (uffd_register(w->uffd, addr, SZ_2M, !wp_only, st.uffd_wp)) {
		stress_error(w, "UFFDIO_REGISTER: %m");
		return;
	}
	if (!wp_only)
		touch_pages(w, c, addr);
	if (st.uffd_wp)
		write_protected(w, c, addr, wp_only);
	if (uffd_unregister(w->uffd, addr, SZ_2M))
		stress_error(w, "UFFDIO_UNREGISTER: %m");
	__atomic_store_n(&w->uffd_chunk_addr, 0, __ATOMIC_RELEASE);
	verify_chunk(w, c, addr, verify_how(w));
}
