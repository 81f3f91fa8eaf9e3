// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_stress_gup.c - the ops of `ptestress stress` that reach the
 * pages through someone else's page-table walk: fork (copy_page_range,
 * then COW on both sides), process_vm_readv/writev and /proc/self/mem
 * (GUP under the mmap lock), vmsplice (GUP-fast, no lock at all).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptestress_stress.h"

/*
 * The fork child: one thread, a copy of the worker, its shadow and its
 * region.  Nothing else of the parent is consistent (other workers were
 * mid-op), so only this region is checked.  It writes and drops pages of
 * its own (the parent must not see them), and exits 1 on a mismatch.
 */
static void __attribute__((noreturn)) child(struct worker *w, int quick)
{
	unsigned int c, i, n, bad = 0;
	char *addr;

	w->in_child = 1;
	cur_op = OP_CHILD;
	/* An exit while the parent, or a reclaimer, walks our tables. */
	if (quick)
		_exit(0);
	for (c = 0; c < w->nchunks; c++)
		if (!w->chunks[c].dead)
			bad += verify_chunk(w, c, chunk_addr(w, c), V_MINCORE);
	n = 1 + rnd_below(w, 3);
	for (i = 0; i < n; i++) {
		c = pick_chunk(w);
		addr = chunk_addr(w, c);
		hist_add(w, c, OP_CHILD);
		if (rnd_below(w, 4)) {
			write_some(w, c, addr);
		} else if (madvise(addr, SZ_2M, MADV_DONTNEED)) {
			stress_error(w, "madvise(MADV_DONTNEED): %m");
		} else {
			memset(&w->shadow[(unsigned long)c * CHUNK_PAGES], 0,
			       CHUNK_PAGES * sizeof(w->shadow[0]));
		}
		bad += verify_chunk(w, c, addr, verify_how(w));
	}
	_exit(bad ? EXIT_RUNTIME : EXIT_OK);
}

void op_fork(struct worker *w)
{
	unsigned int c, i, n;
	int status, quick = !rnd_below(w, 4);
	pid_t pid;

	/* Every table of the region is copied, and its entries COW'd. */
	for (c = 0; c < w->nchunks; c++)
		hist_add(w, c, OP_FORK);
	pid = fork();
	if (pid == 0)
		child(w, quick);
	if (pid < 0) {
		stress_error(w, "fork: %m");
		return;
	}
	/* Meanwhile break COW from this side. */
	n = 1 + rnd_below(w, 3);
	for (i = 0; i < n; i++) {
		c = pick_chunk(w);
		write_some(w, c, chunk_addr(w, c));
		verify_chunk(w, c, chunk_addr(w, c), verify_how(w));
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			stress_error(w, "waitpid %d: %m", (int)pid);
			return;
		}
	}
	if (quick)
		bump(&w->n.child_quick, 1);
	/* Exit 1: the child counted and printed its mismatches itself. */
	if (WIFSIGNALED(status))
		stress_error(w, "fork child %d killed by signal %d", (int)pid,
			     WTERMSIG(status));
	else if (WEXITSTATUS(status) > EXIT_RUNTIME)
		stress_error(w, "fork child %d exited %d", (int)pid,
			     WEXITSTATUS(status));
}

/* Read exactly len bytes at off of fd (a pipe or /proc/self/mem). */
static int read_all(int fd, char *buf, size_t len, off_t off, int seek)
{
	ssize_t r;

	while (len) {
		r = seek ? pread(fd, buf, len, off) : read(fd, buf, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		off += r;
		len -= r;
	}
	return 0;
}

/* Write some pages through GUP (FOLL_WRITE; FOLL_FORCE for /proc). */
static void gup_write(struct worker *w, unsigned int c, char *addr)
{
	unsigned int i, p, n = 1 + rnd_below(w, 16);
	uint16_t gen = next_gen(w);
	struct iovec local, remote;
	unsigned long pg;
	ssize_t r;

	for (i = 0; i < n; i++) {
		p = rnd_below(w, CHUNK_PAGES);
		pg = (unsigned long)c * CHUNK_PAGES + p;
		fill_page(w->buf, w->id, pg, gen);
		local.iov_base = w->buf;
		local.iov_len = SZ_4K;
		remote.iov_base = addr + p * SZ_4K;
		remote.iov_len = SZ_4K;
		if (i & 1)
			r = pwrite(st.memfd, w->buf, SZ_4K,
				   (off_t)(uintptr_t)remote.iov_base);
		else
			r = process_vm_writev(getpid(), &local, 1, &remote, 1,
					      0);
		if (r != (ssize_t)SZ_4K) {
			stress_error(w, "%s: %m", i & 1 ?
				     "write /proc/self/mem" :
				     "process_vm_writev");
			return;
		}
		w->shadow[pg] = gen;
		verify_pages(w, c, addr, p, 1, V_FULL);
	}
}

void op_gup(struct worker *w)
{
	unsigned int c = pick_chunk(w), first = 0, n = CHUNK_PAGES;
	char *addr = chunk_addr(w, c), *from;
	struct iovec local, remote;
	size_t len;

	hist_add(w, c, OP_GUP);
	if (rnd_below(w, 2)) {
		first = rnd_below(w, CHUNK_PAGES);
		n = 1 + rnd_below(w, CHUNK_PAGES - first);
	}
	from = addr + first * SZ_4K;
	len = n * SZ_4K;
	local.iov_base = w->buf;
	local.iov_len = len;
	remote.iov_base = from;
	remote.iov_len = len;
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) !=
	    (ssize_t)len)
		stress_error(w, "process_vm_readv: %m");
	else
		verify_copy(w, c, w->buf, first, n);
	if (read_all(st.memfd, w->buf, len, (off_t)(uintptr_t)from, 1))
		stress_error(w, "read /proc/self/mem: %m");
	else
		verify_copy(w, c, w->buf, first, n);
	if (rnd_below(w, 2))
		gup_write(w, c, addr);
}

/*
 * vmsplice() takes references to our pages with GUP-fast, which walks the
 * page tables with no lock, only interrupts off: the walk a reclaimer
 * must not free a table under.  Read the pipe back and compare.
 */
void op_vmsplice(struct worker *w)
{
	unsigned int c = pick_chunk(w);
	char *addr = chunk_addr(w, c);
	size_t done = 0, len;
	struct iovec iov;
	ssize_t r;

	hist_add(w, c, OP_VMSPLICE);
	while (done < SZ_2M) {
		len = SZ_2M - done < w->pipe_size ? SZ_2M - done : w->pipe_size;
		iov.iov_base = addr + done;
		iov.iov_len = len;
		r = vmsplice(w->pipe[1], &iov, 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			stress_error(w, "vmsplice: %m");
			return;
		}
		if (read_all(w->pipe[0], w->buf + done, r, 0, 0)) {
			stress_error(w, "read pipe: %m");
			return;
		}
		done += r;
	}
	verify_copy(w, c, w->buf, 0, CHUNK_PAGES);
}
