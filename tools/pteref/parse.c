// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - read pte_ref's info, mms, census, reclaim and stats files
 * (format 1).
 *
 * Known keys are checked against their type, so a corrupt number is caught
 * here rather than printed; unknown keys are classified by their value and
 * kept, so that a module adding a key does not break an older pteref.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"

enum rule { R_AUTO, R_STR, R_INT, R_DEC, R_RANGE, R_TARGET };

struct key_rule {
	const char *key;
	enum rule rule;
};

/* The sentinel's rule is the one for keys this table does not know. */
static const struct key_rule info_rules[] = {
	{ "format", R_INT },
	{ NULL, R_STR },
};

static const struct key_rule census_rules[] = {
	{ "pid", R_INT },		{ "comm", R_STR },
	{ "range", R_RANGE },		{ "vmas", R_INT },
	{ "pte_tables", R_INT },	{ "pte_kb", R_INT },
	{ "pgtables_kb", R_INT },	{ "empty_tables", R_INT },
	{ "empty_kb", R_INT },		{ "present", R_INT },
	{ "swap", R_INT },		{ "fill_pct", R_DEC },
	{ "thp_pmds", R_INT },		{ "hugetlb_vmas", R_INT },
	{ "pmd_tables", R_INT },	{ "empty_pmd_tables", R_INT },
	{ "refcount_sum", R_INT },	{ "refcount_mismatch", R_INT },
	{ "duration_ns", R_INT },
	{ NULL, R_AUTO },
};

static const struct key_rule reclaim_rules[] = {
	{ "target", R_TARGET },		{ "error", R_INT },
	{ "processes", R_INT },		{ "scanned", R_INT },
	{ "freed", R_INT },		{ "freed_kb", R_INT },
	{ "skipped_not_empty", R_INT },	{ "skipped_excluded", R_INT },
	{ "skipped_shared", R_INT },	{ "skipped_busy", R_INT },
	{ "skipped_uffd", R_INT },	{ "skipped_notifier", R_INT },
	{ "pmd_scanned", R_INT },	{ "pmd_freed", R_INT },
	{ "pmd_freed_kb", R_INT },	{ "pmd_skipped_not_empty", R_INT },
	{ "pmd_skipped_excluded", R_INT },
	{ "duration_ns", R_INT },
	{ NULL, R_AUTO },
};

/* Every line of `auto` is a number (PTE_REF_AUTO_SETTINGS, thread_pid). */
static const struct key_rule auto_rules[] = {
	{ NULL, R_INT },
};

struct cursor {
	char *p;
	int line;
};

static int fail(char *err, size_t len, int line, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (line > 0)
		n = snprintf(err, len, "line %d: ", line);
	if (n < len) {
		va_start(ap, fmt);
		vsnprintf(err + n, len - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Next line, NUL-terminated in place with trailing blanks cut, or NULL. */
static char *next_line(struct cursor *cur)
{
	char *line = cur->p, *nl, *end;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	cur->p = nl ? nl + 1 : NULL;
	end = nl ? nl : line + strlen(line);
	while (end > line && strchr(" \t\r", end[-1]))
		end--;
	*end = '\0';
	cur->line++;
	return line;
}

/* Cut the first word off line; *rest is what follows its blanks. */
static char *split_key(char *line, char **rest)
{
	char *p = line + strcspn(line, " \t");

	if (*p)
		*p++ = '\0';
	*rest = p + strspn(p, " \t");
	return line;
}

/* Split in place into at most max words; returns how many were found. */
static size_t split_words(char *s, char **word, size_t max)
{
	size_t n = 0;

	for (;;) {
		s += strspn(s, " \t");
		if (!*s || n == max)
			return n;
		word[n++] = s;
		s += strcspn(s, " \t");
		if (*s)
			*s++ = '\0';
	}
}

static enum rule rule_of(const struct key_rule *r, const char *key)
{
	for (; r->key; r++)
		if (!strcmp(r->key, key))
			break;
	return r->rule;
}

static int valid_range(const char *s)
{
	unsigned long long start, end;

	if (!strcmp(s, "all"))
		return 1;
	return !parse_hex_range(s, &start, &end) && start < end;
}

/*
 * A reclaim's target: "all", "PID" or "PID 0xSTART-0xEND", into r's
 * all, pid, ranged, start and end; 0, or -1 if s is none of them.
 */
static int reclaim_target(const char *s, struct reclaim_result *r)
{
	char pid[24];
	size_t n;

	r->all = !strcmp(s, "all");
	if (r->all)
		return 0;
	n = strcspn(s, " \t");
	if (n >= sizeof(pid))
		return -1;
	memcpy(pid, s, n);
	pid[n] = '\0';
	if (parse_u64(pid, &r->pid) || !r->pid)
		return -1;
	s += n + strspn(s + n, " \t");
	r->ranged = *s != '\0';
	if (!r->ranged)
		return 0;
	/* A third word fails here too: the range would end in a blank. */
	return parse_hex_range(s, &r->start, &r->end) || r->start >= r->end ?
	       -1 : 0;
}

/* Type kv->val by its rule; 0, or -1 if it does not fit the rule. */
static int classify(struct kv *kv, enum rule rule)
{
	kv->type = KV_STR;
	if (rule == R_STR)
		return 0;
	if (rule == R_RANGE)
		return valid_range(kv->val) ? 0 : -1;
	if (rule == R_TARGET) {
		struct reclaim_result scratch;

		return reclaim_target(kv->val, &scratch);
	}
	if (!strcmp(kv->val, "n/a"))
		kv->type = KV_NA;
	else if (!parse_u64(kv->val, &kv->num))
		kv->type = KV_INT;
	else if (rule != R_INT && is_decimal(kv->val))
		kv->type = KV_DEC;
	else if (rule != R_AUTO)
		return -1;
	return 0;
}

const struct kv *kv_find(const struct kv_list *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->kv[i].key, key))
			return &l->kv[i];
	return NULL;
}

static int kv_add(struct kv_list *l, const struct key_rule *rules,
		  char *line, int lineno, char *err, size_t len)
{
	struct kv kv = { 0 };
	char *rest;

	kv.key = split_key(line, &rest);
	kv.val = rest;
	if (!*kv.val)
		return fail(err, len, lineno, "'%s' has no value", kv.key);
	if (kv_find(l, kv.key))
		return fail(err, len, lineno, "duplicate key '%s'", kv.key);
	if (classify(&kv, rule_of(rules, kv.key)))
		return fail(err, len, lineno, "bad value '%s' for '%s'",
			    kv.val, kv.key);
	l->kv = xrealloc(l->kv, l->n + 1, sizeof(*l->kv));
	l->kv[l->n++] = kv;
	return 0;
}

static char *copy_text(const char *text)
{
	size_t n = strlen(text) + 1;

	return memcpy(xrealloc(NULL, n, 1), text, n);
}

static int info_read(struct info *in, const char *text,
			char *err, size_t len)
{
	struct cursor cur;
	const struct kv *f;
	char *line;

	memset(in, 0, sizeof(*in));
	in->buf = copy_text(text);
	cur = (struct cursor){ in->buf, 0 };
	while ((line = next_line(&cur)))
		if (*line && kv_add(&in->kvs, info_rules, line, cur.line,
				    err, len))
			return -1;
	f = kv_find(&in->kvs, "format");
	if (!f || f->type != KV_INT)
		return fail(err, len, 0, "no format line");
	in->format = f->num;
	return 0;
}

void info_free(struct info *in)
{
	free(in->kvs.kv);
	free(in->buf);
	memset(in, 0, sizeof(*in));
}

/* On error nothing is left allocated. */
int info_parse(struct info *in, const char *text, char *err, size_t len)
{
	if (!info_read(in, text, err, len))
		return 0;
	info_free(in);
	return -1;
}

/* "hist LABEL COUNT" */
static int census_hist(struct census *c, char *rest, int lineno,
		       char *err, size_t len)
{
	struct hist_bucket b;
	char *w[2];
	size_t i;

	if (split_words(rest, w, 2) < 2)
		return fail(err, len, lineno, "hist needs LABEL COUNT");
	if (parse_u64(w[1], &b.count))
		return fail(err, len, lineno, "bad hist count '%s'", w[1]);
	for (i = 0; i < c->nhist; i++)
		if (!strcmp(c->hist[i].label, w[0]))
			return fail(err, len, lineno,
				    "duplicate hist bucket '%s'", w[0]);
	b.label = w[0];
	c->hist = xrealloc(c->hist, c->nhist + 1, sizeof(*c->hist));
	c->hist[c->nhist++] = b;
	return 0;
}

/* "vma 0xSTART-0xEND KIND TABLES EMPTY ENTRIES"; later columns ignored */
static int census_vma(struct census *c, char *rest, int lineno,
		      char *err, size_t len)
{
	struct vma_line v;
	char *w[5];

	if (split_words(rest, w, 5) < 5)
		return fail(err, len, lineno,
			    "vma needs RANGE KIND TABLES EMPTY ENTRIES");
	if (parse_hex_range(w[0], &v.start, &v.end) || v.start >= v.end)
		return fail(err, len, lineno, "bad vma range '%s'", w[0]);
	if (parse_u64(w[2], &v.tables) || parse_u64(w[3], &v.empty) ||
	    parse_u64(w[4], &v.entries))
		return fail(err, len, lineno, "bad vma count");
	v.kind = w[1];
	c->vma = xrealloc(c->vma, c->nvma + 1, sizeof(*c->vma));
	c->vma[c->nvma++] = v;
	return 0;
}

static bool first_word_is(const char *line, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(line, word, n) &&
	       (line[n] == ' ' || line[n] == '\t' || !line[n]);
}

static int census_line(struct census *c, char *line, int lineno,
		       char *err, size_t len)
{
	char *rest;

	if (first_word_is(line, "hist")) {
		split_key(line, &rest);
		return census_hist(c, rest, lineno, err, len);
	}
	if (first_word_is(line, "vma")) {
		split_key(line, &rest);
		return census_vma(c, rest, lineno, err, len);
	}
	return kv_add(&c->kvs, census_rules, line, lineno, err, len);
}

static int census_read(struct census *c, const char *text,
			char *err, size_t len)
{
	const struct kv *kv;
	struct cursor cur;
	char *line;

	memset(c, 0, sizeof(*c));
	c->buf = copy_text(text);
	cur = (struct cursor){ c->buf, 0 };
	while ((line = next_line(&cur)))
		if (*line && census_line(c, line, cur.line, err, len))
			return -1;
	kv = kv_find(&c->kvs, "pid");
	if (!kv || kv->type != KV_INT)
		return fail(err, len, 0, "no pid line");
	c->pid = kv->num;
	kv = kv_find(&c->kvs, "range");
	c->range = kv ? kv->val : "all";
	return 0;
}

void census_free(struct census *c)
{
	free(c->kvs.kv);
	free(c->hist);
	free(c->vma);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

/* On error nothing is left allocated. */
int census_parse(struct census *c, const char *text, char *err, size_t len)
{
	if (!census_read(c, text, err, len))
		return 0;
	census_free(c);
	return -1;
}

/*
 * "none" alone, or key value lines of which target is the one required:
 * pteref needs it to tell its own result from a concurrent reclaim's.
 */
static int reclaim_read(struct reclaim_result *r, const char *text,
			char *err, size_t len)
{
	const struct kv *kv;
	struct cursor cur;
	char *line;

	memset(r, 0, sizeof(*r));
	r->buf = copy_text(text);
	cur = (struct cursor){ r->buf, 0 };
	while ((line = next_line(&cur))) {
		if (!*line)
			continue;
		if (r->none)
			return fail(err, len, cur.line, "text after 'none'");
		if (!strcmp(line, "none") && !r->kvs.n)
			r->none = true;
		else if (kv_add(&r->kvs, reclaim_rules, line, cur.line,
				err, len))
			return -1;
	}
	if (r->none)
		return 0;
	kv = kv_find(&r->kvs, "target");
	if (!kv)
		return fail(err, len, 0, "no target line");
	reclaim_target(kv->val, r);
	return 0;
}

void reclaim_free(struct reclaim_result *r)
{
	free(r->kvs.kv);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* On error nothing is left allocated. */
int reclaim_parse(struct reclaim_result *r, const char *text, char *err,
		  size_t len)
{
	if (!reclaim_read(r, text, err, len))
		return 0;
	reclaim_free(r);
	return -1;
}

static int auto_read(struct auto_cfg *a, const char *text, char *err,
		     size_t len)
{
	const struct kv *kv;
	struct cursor cur;
	char *line;

	memset(a, 0, sizeof(*a));
	a->buf = copy_text(text);
	cur = (struct cursor){ a->buf, 0 };
	while ((line = next_line(&cur)))
		if (*line && kv_add(&a->kvs, auto_rules, line, cur.line,
				    err, len))
			return -1;
	kv = kv_find(&a->kvs, "enabled");
	if (!kv)
		return fail(err, len, 0, "no enabled line");
	kv = kv_find(&a->kvs, "thread_pid");
	if (!kv)
		return fail(err, len, 0, "no thread_pid line");
	a->thread_pid = kv->num;
	return 0;
}

void auto_free(struct auto_cfg *a)
{
	free(a->kvs.kv);
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

/* On error nothing is left allocated. */
int auto_parse(struct auto_cfg *a, const char *text, char *err, size_t len)
{
	if (!auto_read(a, text, err, len))
		return 0;
	auto_free(a);
	return -1;
}

#define STAT(name)	{ #name, offsetof(struct stats, name) }

/* The counters of struct stats, by key; "counting" is not a counter. */
static const struct {
	const char *key;
	size_t off;
} stat_keys[] = {
	STAT(elapsed_ns),
	STAT(frees_munmap_exit),		STAT(frees_free_pte_table),
	STAT(frees_pt_reclaim),			STAT(frees_forced),
	STAT(tlb_flushes),			STAT(tlb_flush_task_switch),
	STAT(tlb_flush_remote_shootdown),	STAT(tlb_flush_local_shootdown),
	STAT(tlb_flush_local_mm_shootdown),	STAT(tlb_flush_remote_send_ipi),
	STAT(tlb_flush_remote_wrong_cpu),
	STAT(tlb_flush_pages),			STAT(tlb_flush_full),
	STAT(censuses),				STAT(frees_pmd),
	STAT(frees_auto),			STAT(auto_passes),
	STAT(auto_mms_visited),			STAT(auto_tables_scanned),
	STAT(auto_contended),			STAT(auto_ns),
};

#define NSTAT_KEYS	ARRAY_SIZE(stat_keys)
/* Index of "counting" in the seen bits, after the counters. */
#define SEEN_COUNTING	NSTAT_KEYS

static struct stat_ctr *stat_ctr(struct stats *s, size_t i)
{
	return (struct stat_ctr *)((char *)s + stat_keys[i].off);
}

size_t stats_nkeys(void)
{
	return NSTAT_KEYS;
}

const char *stats_key(size_t i)
{
	return i < NSTAT_KEYS ? stat_keys[i].key : NULL;
}

const struct stat_ctr *stats_get(const struct stats *s, size_t i)
{
	return stat_ctr((struct stats *)s, i);
}

/* "counting on|off", or "COUNTER VALUE|n/a"; other keys are skipped. */
static int stats_line(struct stats *s, char *line, int lineno,
		      unsigned int *seen, char *err, size_t len)
{
	struct stat_ctr *c;
	char *key, *val;
	size_t i;

	key = split_key(line, &val);
	for (i = 0; i < NSTAT_KEYS; i++)
		if (!strcmp(key, stat_keys[i].key))
			break;
	if (i == NSTAT_KEYS && strcmp(key, "counting"))
		return 0;
	if (!*val)
		return fail(err, len, lineno, "'%s' has no value", key);
	if (*seen & 1U << i)
		return fail(err, len, lineno, "duplicate key '%s'", key);
	*seen |= 1U << i;
	if (i == SEEN_COUNTING) {
		s->counting = !strcmp(val, "on");
		if (s->counting || !strcmp(val, "off"))
			return 0;
	} else {
		c = stat_ctr(s, i);
		c->na = !strcmp(val, "n/a");
		if (c->na || !parse_u64(val, &c->val))
			return 0;
	}
	return fail(err, len, lineno, "bad value '%s' for '%s'", val, key);
}

int stats_parse(struct stats *s, const char *text, char *err, size_t len)
{
	char *buf = copy_text(text), *line;
	struct cursor cur = { buf, 0 };
	unsigned int seen = 0;
	size_t i;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	/* A counter this module does not print is as unknown as n/a. */
	for (i = 0; i < NSTAT_KEYS; i++)
		stat_ctr(s, i)->na = true;
	while (!ret && (line = next_line(&cur)))
		if (*line)
			ret = stats_line(s, line, cur.line, &seen, err, len);
	free(buf);
	if (!ret && !(seen & 1U << SEEN_COUNTING))
		ret = fail(err, len, 0, "no counting line");
	return ret;
}

/* Split a whole line into a malloc'd array of words. */
static size_t split_all(char *line, char ***words)
{
	size_t n = 0;
	const char *p = line;

	/* Count first, so one allocation holds every word. */
	for (;;) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		n++;
		p += strcspn(p, " \t");
	}
	*words = xrealloc(NULL, n, sizeof(**words));
	return split_words(line, *words, n);
}

static int mms_header(struct mms *m, char *line, char *err, size_t len)
{
	size_t i, j;
	int pid = -1;

	m->ncol = split_all(line, &m->col);
	for (i = 0; i < m->ncol; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(m->col[i], m->col[j]))
				return fail(err, len, 1,
					    "duplicate column '%s'", m->col[i]);
		if (!strcmp(m->col[i], "pid"))
			pid = i;
	}
	if (pid < 0)
		return fail(err, len, 1, "header has no pid column");
	m->pid_col = pid;
	return 0;
}

static int mms_row(struct mms *m, char *line, int lineno, char *err,
		   size_t len)
{
	unsigned long long pid;
	char **f;
	size_t n;

	n = split_all(line, &f);
	if (n != m->ncol) {
		free(f);
		return fail(err, len, lineno, "%zu fields, header has %zu",
			    n, m->ncol);
	}
	m->row = xrealloc(m->row, m->nrow + 1, sizeof(*m->row));
	m->row[m->nrow++] = f;
	if (parse_u64(f[m->pid_col], &pid))
		return fail(err, len, lineno, "bad pid '%s'", f[m->pid_col]);
	return 0;
}

static bool is_number_field(const char *s)
{
	unsigned long long v;

	return !strcmp(s, "n/a") || !parse_u64(s, &v) || is_decimal(s);
}

/* A column is numeric when every value is; comm never is. */
static void mms_numeric(struct mms *m)
{
	size_t i, j;

	m->numeric = xrealloc(NULL, m->ncol, sizeof(*m->numeric));
	for (j = 0; j < m->ncol; j++) {
		m->numeric[j] = strcmp(m->col[j], "comm") != 0;
		for (i = 0; i < m->nrow && m->numeric[j]; i++)
			m->numeric[j] = is_number_field(m->row[i][j]);
	}
}

static int mms_read(struct mms *m, const char *text,
			char *err, size_t len)
{
	struct cursor cur;
	char *line;

	memset(m, 0, sizeof(*m));
	m->buf = copy_text(text);
	cur = (struct cursor){ m->buf, 0 };
	line = next_line(&cur);
	if (!line || !*line)
		return fail(err, len, 1, "no header");
	if (mms_header(m, line, err, len))
		return -1;
	while ((line = next_line(&cur)))
		if (*line && mms_row(m, line, cur.line, err, len))
			return -1;
	mms_numeric(m);
	return 0;
}

void mms_free(struct mms *m)
{
	size_t i;

	for (i = 0; i < m->nrow; i++)
		free(m->row[i]);
	free(m->row);
	free(m->col);
	free(m->numeric);
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

/* On error nothing is left allocated. */
int mms_parse(struct mms *m, const char *text, char *err, size_t len)
{
	if (!mms_read(m, text, err, len))
		return 0;
	mms_free(m);
	return -1;
}

int mms_col(const struct mms *m, const char *name)
{
	size_t j;

	for (j = 0; j < m->ncol; j++)
		if (!strcmp(m->col[j], name))
			return j;
	return -1;
}

/* "n/a" sorts below every number. */
static double field_value(const char *s)
{
	return strcmp(s, "n/a") ? strtod(s, NULL) : -1.0;
}

struct sort_key {
	size_t col, pid_col;
};

static int row_cmp(const void *a, const void *b, void *arg)
{
	char *const *ra = *(char **const *)a, *const *rb = *(char **const *)b;
	const struct sort_key *k = arg;
	double va = field_value(ra[k->col]), vb = field_value(rb[k->col]);
	unsigned long long pa, pb;

	if (va != vb)
		return va < vb ? 1 : -1;
	pa = strtoull(ra[k->pid_col], NULL, 10);
	pb = strtoull(rb[k->pid_col], NULL, 10);
	return (pa > pb) - (pa < pb);
}

void mms_sort(struct mms *m, size_t col)
{
	struct sort_key k = { col, m->pid_col };

	qsort_r(m->row, m->nrow, sizeof(*m->row), row_cmp, &k);
}
