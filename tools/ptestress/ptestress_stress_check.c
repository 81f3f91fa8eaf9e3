// SPDX-License-Identifier: GPL-2.0
/*
 * ptestress_stress_check.c - the data side of `ptestress stress`: write
 * pages, check them against the shadow, report the first mismatch.
 *
 * Everything here may run in a fork child of a multithreaded process, or
 * in a signal handler: no stdio, no malloc, only snprintf and write(2).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptestress_stress.h"

const char *const op_names[NR_OPS] = {
	[OP_FAULT] = "fault", [OP_DONTNEED] = "dontneed",
	[OP_MUNMAP] = "munmap", [OP_MREMAP] = "mremap",
	[OP_MPROTECT] = "mprotect", [OP_FORK] = "fork", [OP_GUP] = "gup",
	[OP_VMSPLICE] = "vmsplice", [OP_UFFD] = "uffd", [OP_KSM] = "ksm",
	[OP_COLLAPSE] = "collapse", [OP_PAGEOUT] = "pageout",
	[OP_FWRITE] = "fwrite", [OP_FDONTNEED] = "fdontneed",
	[OP_TRUNCATE] = "truncate", [OP_PUNCH] = "punch",
	[OP_FPAGEOUT] = "fpageout", [OP_FCOLLAPSE] = "fcollapse",
	[OP_FMREMAP] = "fmremap", [OP_EMPTY] = "empty",
	[OP_VERIFY] = "verify",
	[OP_CHILD] = "child", [OP_CORRUPT] = "corrupt",
};

const unsigned int word_off[NR_WORDS] = { 0, 2048, 4096 - 8 };

__thread struct worker *cur_w;
__thread int cur_op = -1, cur_chunk = -1;

uint16_t next_gen(struct worker *w)
{
	if (++w->gen > GEN_MAX)
		w->gen = 1;
	return w->in_child ? w->gen | GEN_CHILD : w->gen;
}

void hist_add(struct worker *w, unsigned int c, enum op op)
{
	struct chunk *ch = &w->chunks[c];

	ch->hist[ch->pos] = op;
	ch->pos = (ch->pos + 1) % HIST_LEN;
	if (ch->len < HIST_LEN)
		ch->len++;
	cur_chunk = c;
}

static unsigned long page_no(unsigned int c, unsigned int p)
{
	return (unsigned long)c * CHUNK_PAGES + p;
}

void write_page(struct worker *w, unsigned int c, unsigned int p, char *addr,
		uint16_t gen)
{
	volatile uint64_t *page = (volatile uint64_t *)(addr + p * SZ_4K);
	unsigned long pg = page_no(c, p);
	unsigned int k;

	for (k = 0; k < NR_WORDS; k++)
		page[word_off[k] / 8] = pattern(w->id, pg, gen, k);
	w->shadow[pg] = gen;
}

void fill_page(char *page, unsigned int tid, unsigned long pg, uint16_t gen)
{
	unsigned int k;

	memset(page, 0, SZ_4K);
	for (k = 0; k < NR_WORDS; k++)
		*(uint64_t *)(page + word_off[k]) = pattern(tid, pg, gen, k);
}

/*
 * The first word of page (at addr) that is not what generation gen puts
 * there: its offset, with want and got; -1 if none.  full: every other
 * word must be zero too.
 */
static int check_page(const volatile uint64_t *page, unsigned int tid,
		      unsigned long pg, uint16_t gen, int full, uint64_t *want,
		      uint64_t *got)
{
	unsigned int k, i;
	uint64_t v;

	for (k = 0; k < NR_WORDS; k++) {
		v = page[word_off[k] / 8];
		if (v != pattern(tid, pg, gen, k)) {
			*want = pattern(tid, pg, gen, k);
			*got = v;
			return word_off[k];
		}
	}
	if (!full)
		return -1;
	for (i = 0; i < SZ_4K / 8; i++) {
		if (i == word_off[0] / 8 || i == word_off[1] / 8 ||
		    i == word_off[2] / 8)
			continue;
		v = page[i];
		if (v) {
			*want = 0;
			*got = v;
			return i * 8;
		}
	}
	return -1;
}

/*
 * Pages [first, first + n) of chunk c, read from `from` on; user: where
 * page 0 of the chunk is mapped, for the mismatch line.
 */
static unsigned int check_range(struct worker *w, unsigned int c,
				const char *from, const char *user,
				unsigned int first, unsigned int n, int how,
				const unsigned char *vec)
{
	unsigned int p, bad = 0, ok = 0;
	unsigned long pg;
	uint64_t want, got;
	uint16_t gen;
	int off;

	for (p = first; p < first + n; p++) {
		pg = page_no(c, p);
		gen = w->shadow[pg];
		if (gen == GEN_BAD)
			continue;
		/* No entry: it reads as zero, as it must. */
		if (vec && gen == GEN_ZERO && !(vec[p - first] & 1)) {
			ok++;
			continue;
		}
		off = check_page((const volatile uint64_t *)
				 (from + (p - first) * SZ_4K), w->id, pg, gen,
				 how & V_FULL, &want, &got);
		if (off < 0) {
			ok++;
			continue;
		}
		mismatch(w, c, p, user + p * SZ_4K + off, want, got);
		bad++;
	}
	if (w->in_child)
		__atomic_add_fetch(&st.sh->child_verified, ok,
				   __ATOMIC_RELAXED);
	else
		bump(&w->n.verified, ok);
	return bad;
}

unsigned int verify_pages(struct worker *w, unsigned int c, const char *addr,
			  unsigned int first, unsigned int n, int how)
{
	unsigned char vec[CHUNK_PAGES];

	if ((how & V_MINCORE) &&
	    mincore((void *)(addr + first * SZ_4K), n * SZ_4K, vec)) {
		stress_error(w, "mincore: %m");
		how &= ~V_MINCORE;
	}
	return check_range(w, c, addr + first * SZ_4K, addr, first, n, how,
			   how & V_MINCORE ? vec : NULL);
}

unsigned int verify_chunk(struct worker *w, unsigned int c, const char *addr,
			  int how)
{
	return verify_pages(w, c, addr, 0, CHUNK_PAGES, how);
}

unsigned int verify_copy(struct worker *w, unsigned int c, const char *buf,
			 unsigned int first, unsigned int n)
{
	return check_range(w, c, buf, chunk_addr(w, c), first, n, V_FULL,
			   NULL);
}

int verify_how(struct worker *w)
{
	unsigned int r = rnd_below(w, 8);

	/* 1/4 read every page (zero pages get mapped), 1/8 whole pages. */
	return (r < 6 ? V_MINCORE : 0) | (r == 0 || r == 7 ? V_FULL : 0);
}

/* The chunk's last ops, oldest first: "fault,verify,mremap". */
static void hist_str(const struct chunk *ch, char *buf, size_t size)
{
	unsigned int i, first = (ch->pos + HIST_LEN - ch->len) % HIST_LEN;
	size_t len = 0;

	snprintf(buf, size, "none");
	for (i = 0; i < ch->len && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? "," : "",
				op_names[ch->hist[(first + i) % HIST_LEN]]);
}

static void say(const char *line, int len)
{
	ssize_t r;

	while (len > 0) {
		r = write(STDOUT_FILENO, line, len);
		if (r <= 0)
			return;
		line += r;
		len -= r;
	}
}

void mismatch(struct worker *w, unsigned int c, unsigned int p,
	      const char *addr, uint64_t want, uint64_t got)
{
	char line[512], hist[HIST_LEN * 12];
	int len;

	__atomic_add_fetch(&st.sh->mismatches, 1, __ATOMIC_RELAXED);
	/* Checked again once written or dropped, not at every verify. */
	w->shadow[page_no(c, p)] = GEN_BAD;
	if (__atomic_exchange_n(&st.sh->printed, 1, __ATOMIC_RELAXED))
		return;
	hist_str(&w->chunks[c], hist, sizeof(hist));
	len = snprintf(line, sizeof(line),
		       "mismatch thread=%u addr=0x%lx page=%lu want=0x%016llx "
		       "got=0x%016llx op_history=%s\n", w->id,
		       (unsigned long)(uintptr_t)addr, page_no(c, p),
		       (unsigned long long)want, (unsigned long long)got,
		       hist);
	say(line, len);
}

void stress_error(struct worker *w, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int len;

	__atomic_add_fetch(&st.sh->errors, 1, __ATOMIC_RELAXED);
	len = snprintf(line, sizeof(line), "ptestress: stress: thread %u%s: ",
		       w->id, w->in_child ? " (fork child)" : "");
	va_start(ap, fmt);
	len += vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	/* stderr unbuffered through write(2): safe in a fork child. */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

static void on_crash(int sig, siginfo_t *si, void *uc)
{
	struct worker *w = cur_w;
	char line[256], hist[HIST_LEN * 12] = "none";
	int len;

	(void)uc;
	if (w && cur_chunk >= 0)
		hist_str(&w->chunks[cur_chunk], hist, sizeof(hist));
	len = snprintf(line, sizeof(line),
		       "crash signal=%d addr=0x%lx thread=%d pid=%d op=%s "
		       "chunk=%d op_history=%s\n", sig,
		       (unsigned long)(uintptr_t)si->si_addr,
		       w ? (int)w->id : -1, (int)getpid(),
		       cur_op >= 0 ? op_names[cur_op] : "none", cur_chunk,
		       hist);
	say(line, len);
	_exit(EXIT_RUNTIME);
}

void crash_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_crash;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}
