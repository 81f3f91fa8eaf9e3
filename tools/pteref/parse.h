/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - parsers for the text pte_ref writes in debugfs (format 1):
 * info, mms, census, reclaim, stats and auto.
 *
 * Each parser copies the text and points into its copy, so a parsed file
 * lives until its *_free().  Unknown keys and columns are kept, so that a
 * newer module still parses; a line that cannot be read is an error that
 * names its line number.
 */
#ifndef PTE_REF_PARSE_H
#define PTE_REF_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define PARSE_ERR_LEN	160

enum kv_type {
	KV_STR,		/* text, e.g. comm */
	KV_INT,		/* unsigned integer, in num */
	KV_DEC,		/* unsigned decimal such as 20.6, in val only */
	KV_NA,		/* "n/a": the kernel cannot tell */
};

/* One "key value" line; val is the rest of the line after the key. */
struct kv {
	const char *key;
	const char *val;
	enum kv_type type;
	unsigned long long num;
};

struct kv_list {
	struct kv *kv;
	size_t n;
};

struct info {
	char *buf;
	struct kv_list kvs;
	unsigned long long format;
};

struct hist_bucket {
	const char *label;
	unsigned long long count;
};

struct vma_line {
	unsigned long long start, end;
	const char *kind;
	unsigned long long tables, empty, entries;
};

struct census {
	char *buf;
	struct kv_list kvs;		/* pid, comm, range, totals ... */
	struct hist_bucket *hist;	/* in file (= bucket) order */
	size_t nhist;
	struct vma_line *vma;
	size_t nvma;
	unsigned long long pid;
	const char *range;		/* "all" or "0xSTART-0xEND" */
};

/* The last reclaim: "none", or its target and counts. */
struct reclaim_result {
	char *buf;
	struct kv_list kvs;		/* target, error, freed ... */
	bool none;			/* no reclaim since the module loaded */
	bool all;			/* "target all", else: */
	unsigned long long pid;		/* "target PID" */
	bool ranged;			/* "target PID 0xSTART-0xEND" */
	unsigned long long start, end;
};

struct mms {
	char *buf;
	char **col;			/* header names */
	bool *numeric;			/* column holds numbers only */
	size_t ncol;
	char ***row;			/* row[i][j]: field j of row i */
	size_t nrow;
	size_t pid_col;
};

/* A counter of the stats file. */
struct stat_ctr {
	unsigned long long val;
	bool na;		/* "n/a" (no such path here), or not printed */
};

/*
 * The stats file: whether the probes count, and every counter it defines
 * (unknown keys are skipped, so a newer module still parses).
 */
struct stats {
	bool counting;
	struct stat_ctr elapsed_ns;
	struct stat_ctr frees_munmap_exit, frees_free_pte_table;
	struct stat_ctr frees_pt_reclaim, frees_forced;
	struct stat_ctr tlb_flushes, tlb_flush_task_switch;
	struct stat_ctr tlb_flush_remote_shootdown, tlb_flush_local_shootdown;
	struct stat_ctr tlb_flush_local_mm_shootdown, tlb_flush_remote_send_ipi;
	struct stat_ctr tlb_flush_remote_wrong_cpu;	/* 7.x; n/a before */
	struct stat_ctr tlb_flush_pages, tlb_flush_full;
	struct stat_ctr censuses;
	struct stat_ctr frees_pmd;		/* PMD tables, by reclaim or auto */
	/* The automatic policy (the auto file): */
	struct stat_ctr frees_auto, auto_passes, auto_mms_visited;
	struct stat_ctr auto_tables_scanned, auto_contended, auto_ns;
};

const struct kv *kv_find(const struct kv_list *l, const char *key);

int info_parse(struct info *in, const char *text, char *err, size_t len);
void info_free(struct info *in);

int census_parse(struct census *c, const char *text, char *err, size_t len);
void census_free(struct census *c);

int reclaim_parse(struct reclaim_result *r, const char *text, char *err,
		  size_t len);
void reclaim_free(struct reclaim_result *r);

/* Nothing to free: struct stats points into nothing. */
int stats_parse(struct stats *s, const char *text, char *err, size_t len);
/* The counters of struct stats in the file's order: how many, each key. */
size_t stats_nkeys(void);
const char *stats_key(size_t i);
const struct stat_ctr *stats_get(const struct stats *s, size_t i);

/* The auto file: each setting, and the policy's thread (0: none). */
struct auto_cfg {
	char *buf;
	struct kv_list kvs;		/* enabled, scan_sleep_ms ... */
	unsigned long long thread_pid;
};

int auto_parse(struct auto_cfg *a, const char *text, char *err, size_t len);
void auto_free(struct auto_cfg *a);

int mms_parse(struct mms *m, const char *text, char *err, size_t len);
void mms_free(struct mms *m);
/* Column index of name, or -1. */
int mms_col(const struct mms *m, const char *name);
/* Rows by column col, largest first; equal values keep pid order. */
void mms_sort(struct mms *m, size_t col);

#endif /* PTE_REF_PARSE_H */
