// SPDX-License-Identifier: GPL-2.0
/*
 * test_parse.c - unit tests of pteref's parsers: the canned files of
 * fake/ (shared with the shell tests) and malformed variants of them.
 *
 *   test_parse [FIXTURE_DIR]	(default: fake)
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "tap.h"
#include "util.h"

static const char *dir = "fake";

static char *fixture(const char *name)
{
	char path[256], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = slurp(path, NULL);
	if (!text) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	return text;
}

static void test_info(void)
{
	char *text = fixture("info"), err[PARSE_ERR_LEN] = "";
	const struct kv *kv;
	struct info in;

	tap_ok(!info_parse(&in, text, err, sizeof(err)), "info parses %s", err);
	tap_ok(in.format == 1 && in.kvs.n == 9, "info: format 1, 9 keys");
	kv = kv_find(&in.kvs, "refcount");
	tap_ok(kv && !strcmp(kv->val, "unavailable: kernel built without "
			     "CONFIG_FREE_USER_PTE"),
	       "info: value keeps spaces");
	info_free(&in);
	free(text);
	tap_ok(info_parse(&in, "version 1\n", err, sizeof(err)) &&
	       strstr(err, "format"), "info without format: %s", err);
	tap_ok(info_parse(&in, "format 1\nflavor\n", err, sizeof(err)) &&
	       strstr(err, "line 2"), "info key without value: %s", err);
	tap_ok(info_parse(&in, "format one\n", err, sizeof(err)) &&
	       strstr(err, "line 1"), "info bad format: %s", err);
	tap_ok(info_parse(&in, "format 1\nformat 2\n", err, sizeof(err)) &&
	       strstr(err, "duplicate"), "info duplicate key: %s", err);
}

static void test_census_good(void)
{
	char *text = fixture("census"), err[PARSE_ERR_LEN] = "";
	const struct kv *kv;
	struct census c;

	tap_ok(!census_parse(&c, text, err, sizeof(err)), "census parses %s",
	       err);
	tap_ok(c.pid == 812 && !strcmp(c.range, "all") && c.kvs.n == 19,
	       "census: pid, range, 19 keys (pmd_tables, empty_pmd_tables among them)");
	kv = kv_find(&c.kvs, "refcount_sum");
	tap_ok(kv && kv->type == KV_NA, "census: n/a is KV_NA");
	kv = kv_find(&c.kvs, "fill_pct");
	tap_ok(kv && kv->type == KV_DEC && !strcmp(kv->val, "20.6"),
	       "census: fill_pct is a decimal");
	kv = kv_find(&c.kvs, "pte_tables");
	tap_ok(kv && kv->type == KV_INT && kv->num == 14,
	       "census: pte_tables 14");
	tap_ok(c.nhist == 7 && !strcmp(c.hist[2].label, "2-7") &&
	       c.hist[0].count == 3 && c.hist[6].count == 2,
	       "census: 7 hist buckets in order");
	tap_ok(c.nvma == 2 && c.vma[0].start == 0x7f0000000000ULL &&
	       c.vma[0].end == 0x7f0001a00000ULL &&
	       !strcmp(c.vma[1].kind, "stack") && c.vma[0].tables == 13 &&
	       c.vma[0].empty == 3 && c.vma[0].entries == 1477,
	       "census: vma lines");
	census_free(&c);
	free(text);
}

/* Census text with one line replaced or added must give this error. */
static void census_bad(const char *text, const char *want, const char *what)
{
	char err[PARSE_ERR_LEN] = "";
	struct census c;

	tap_ok(census_parse(&c, text, err, sizeof(err)) && strstr(err, want),
	       "census %s: %s", what, err);
}

static void test_census_edges(void)
{
	char err[PARSE_ERR_LEN] = "";
	const struct kv *kv;
	struct census c;

	tap_ok(!census_parse(&c, "pid 5\nnew_key 42\nnew_text a b\n"
			     "range 0x1000-0x3000\nvma 0x1000-0x3000 file 1 0 "
			     "2 extra\n", err, sizeof(err)) &&
	       (kv = kv_find(&c.kvs, "new_key")) && kv->type == KV_INT &&
	       (kv = kv_find(&c.kvs, "new_text")) && kv->type == KV_STR &&
	       !strcmp(kv->val, "a b") && c.nvma == 1,
	       "census keeps unknown keys and vma columns %s", err);
	census_free(&c);
	census_bad("pid 5\npte_tables abc\n", "line 2", "bad number");
	census_bad("pid 5\nhist 0\n", "line 2", "hist without count");
	census_bad("pid 5\nhist 0 1\nhist 0 2\n", "line 3", "duplicate bucket");
	census_bad("pid 5\nvma 0x2000-0x1000 anon 1 1 1\n", "line 2",
		   "reversed vma range");
	census_bad("pid 5\nvma 0x1000-0x2000 anon 1 1\n", "line 2",
		   "short vma line");
	census_bad("pid 5\nrange 0x1000\n", "line 2", "bad range");
	census_bad("pid n/a\n", "pid", "pid n/a");
	census_bad("comm x\n", "no pid", "no pid");
	census_bad("pid 5\ncomm\n", "line 2", "key without value");
}

static void test_reclaim_good(void)
{
	char *text = fixture("reclaim"), err[PARSE_ERR_LEN] = "";
	const struct kv *kv;
	struct reclaim_result r;

	tap_ok(!reclaim_parse(&r, text, err, sizeof(err)),
	       "reclaim parses %s", err);
	tap_ok(!r.none && !r.all && r.pid == 812 && !r.ranged &&
	       r.kvs.n == 13, "reclaim: target 812, 13 keys");
	kv = kv_find(&r.kvs, "target");
	tap_ok(kv && kv->type == KV_STR && !strcmp(kv->val, "812"),
	       "reclaim: target is text");
	kv = kv_find(&r.kvs, "freed");
	tap_ok(kv && kv->type == KV_INT && kv->num == 25600,
	       "reclaim: freed 25600");
	tap_ok(!strcmp(r.kvs.kv[0].key, "target") &&
	       !strcmp(r.kvs.kv[10].key, "skipped_uffd") &&
	       !strcmp(r.kvs.kv[12].key, "duration_ns"),
	       "reclaim: keys in file order");
	reclaim_free(&r);
	free(text);
}

static void reclaim_bad(const char *text, const char *want, const char *what)
{
	char err[PARSE_ERR_LEN] = "";
	struct reclaim_result r;

	tap_ok(reclaim_parse(&r, text, err, sizeof(err)) && strstr(err, want),
	       "reclaim %s: %s", what, err);
}

static void test_reclaim_edges(void)
{
	char err[PARSE_ERR_LEN] = "";
	struct reclaim_result r;
	const struct kv *kv;

	tap_ok(!reclaim_parse(&r, "none\n", err, sizeof(err)) && r.none &&
	       !r.kvs.n, "reclaim none %s", err);
	reclaim_free(&r);
	tap_ok(!reclaim_parse(&r, "\nnone  \n\n", err, sizeof(err)) &&
	       r.none, "reclaim none between blank lines %s", err);
	reclaim_free(&r);
	tap_ok(!reclaim_parse(&r, "target all\nerror 4\n", err,
			      sizeof(err)) && r.all && !r.pid &&
	       (kv = kv_find(&r.kvs, "error")) && kv->num == 4,
	       "reclaim target all, error 4 %s", err);
	reclaim_free(&r);
	tap_ok(!reclaim_parse(&r, "target 5 0x7f0000000000-0x7f0000400000\n",
			      err, sizeof(err)) && !r.all && r.pid == 5 &&
	       r.ranged && r.start == 0x7f0000000000ULL &&
	       r.end == 0x7f0000400000ULL, "reclaim target with range %s",
	       err);
	reclaim_free(&r);
	tap_ok(!reclaim_parse(&r, "target\t5\t1000-3000\n", err,
			      sizeof(err)) && r.pid == 5 && r.ranged &&
	       r.start == 0x1000 && r.end == 0x3000,
	       "reclaim target with tabs, range without 0x %s", err);
	reclaim_free(&r);
	tap_ok(!reclaim_parse(&r, "error 0\nnew_key 7\nnew_text a b\n"
			      "target 9\n", err, sizeof(err)) && r.pid == 9 &&
	       (kv = kv_find(&r.kvs, "new_key")) && kv->type == KV_INT &&
	       (kv = kv_find(&r.kvs, "new_text")) && kv->type == KV_STR &&
	       !strcmp(kv->val, "a b"),
	       "reclaim keeps unknown keys, target anywhere %s", err);
	reclaim_free(&r);
	reclaim_bad("", "no target", "empty");
	reclaim_bad("error 0\nfreed 1\n", "no target", "no target");
	reclaim_bad("none\ntarget 1\n", "line 2", "text after none");
	reclaim_bad("target 1\nnone\n", "line 2", "none after a target");
	reclaim_bad("target 0\n", "line 1", "pid 0");
	reclaim_bad("target x\n", "line 1", "pid x");
	reclaim_bad("target -1\n", "line 1", "pid -1");
	reclaim_bad("target 5 0x3000-0x1000\n", "line 1", "reversed range");
	reclaim_bad("target 5 0x1000\n", "line 1", "half a range");
	reclaim_bad("target 5 0x1000-0x3000 x\n", "line 1", "third word");
	reclaim_bad("target all 0x1000-0x3000\n", "line 1", "all with range");
	reclaim_bad("target\n", "line 1", "target without value");
	reclaim_bad("target 1\ntarget 2\n", "duplicate", "duplicate target");
	reclaim_bad("target 1\nerror -4\n", "line 2", "negative error");
	reclaim_bad("target 1\nfreed 1.5\n", "line 2", "decimal count");
}

static void test_mms(void)
{
	char *text = fixture("mms"), err[PARSE_ERR_LEN] = "";
	struct mms m;
	int col;

	tap_ok(!mms_parse(&m, text, err, sizeof(err)), "mms parses %s", err);
	tap_ok(m.ncol == 12 && m.nrow == 4 && m.pid_col == 0,
	       "mms: 12 columns, 4 rows");
	tap_ok(!m.numeric[1] && m.numeric[0] && m.numeric[9],
	       "mms: comm text, pid and fill_pct numeric");
	col = mms_col(&m, "pte_kb");
	mms_sort(&m, col);
	tap_ok(!strcmp(m.row[0][0], "812") && !strcmp(m.row[1][0], "377") &&
	       !strcmp(m.row[2][0], "1024") && !strcmp(m.row[3][0], "1"),
	       "mms sort pte_kb: ties keep pid order");
	mms_sort(&m, mms_col(&m, "fill_pct"));
	tap_ok(!strcmp(m.row[0][9], "20.6") && !strcmp(m.row[3][9], "2.1"),
	       "mms sort fill_pct as numbers, not strings");
	tap_ok(mms_col(&m, "nope") == -1, "mms_col of unknown column");
	mms_free(&m);
	free(text);
	tap_ok(mms_parse(&m, "pid comm a\n1 x 2\n3 y\n", err, sizeof(err)) &&
	       strstr(err, "line 3"), "mms short row: %s", err);
	tap_ok(mms_parse(&m, "comm a\nx 2\n", err, sizeof(err)) &&
	       strstr(err, "pid"), "mms without pid column: %s", err);
	tap_ok(mms_parse(&m, "pid a\nx 2\n", err, sizeof(err)) &&
	       strstr(err, "line 2"), "mms bad pid: %s", err);
	tap_ok(!mms_parse(&m, "pid comm new\n", err, sizeof(err)) &&
	       m.nrow == 0 && m.numeric[2], "mms header only, new column");
	mms_free(&m);
}

static void test_stats_good(void)
{
	char *text = fixture("stats"), err[PARSE_ERR_LEN] = "";
	struct stats st;

	tap_ok(!stats_parse(&st, text, err, sizeof(err)), "stats parses %s",
	       err);
	tap_ok(st.counting && !st.elapsed_ns.na &&
	       st.elapsed_ns.val == 5012345678ULL, "stats: counting on, "
	       "elapsed_ns");
	tap_ok(!st.frees_munmap_exit.na && st.frees_munmap_exit.val == 1536 &&
	       !st.frees_forced.na && st.frees_forced.val == 12,
	       "stats: frees_munmap_exit 1536, frees_forced 12");
	tap_ok(st.frees_free_pte_table.na && st.frees_pt_reclaim.na &&
	       st.tlb_flush_remote_wrong_cpu.na, "stats: n/a counters");
	tap_ok(st.tlb_flushes.val == 40213 &&
	       st.tlb_flush_task_switch.val == 30000 &&
	       st.tlb_flush_remote_shootdown.val == 100 &&
	       st.tlb_flush_local_shootdown.val == 9000 &&
	       st.tlb_flush_local_mm_shootdown.val == 13 &&
	       st.tlb_flush_remote_send_ipi.val == 1100 &&
	       st.tlb_flush_pages.val == 123456 && st.tlb_flush_full.val == 77 &&
	       st.censuses.val == 3 && !st.censuses.na, "stats: tlb_*, censuses");
	free(text);
}

static void stats_bad(const char *text, const char *want, const char *what)
{
	char err[PARSE_ERR_LEN] = "";
	struct stats st;

	tap_ok(stats_parse(&st, text, err, sizeof(err)) && strstr(err, want),
	       "stats %s: %s", what, err);
}

static void test_stats_edges(void)
{
	char err[PARSE_ERR_LEN] = "";
	struct stats st;

	tap_ok(!stats_parse(&st, "frees_forced 7\nnew_key x y\n"
			    "counting off\nnew_count 5\n", err, sizeof(err)) &&
	       !st.counting && st.frees_forced.val == 7 &&
	       !st.frees_forced.na,
	       "stats: counting off, any order, unknown keys skipped %s", err);
	tap_ok(st.elapsed_ns.na && st.tlb_flushes.na && st.censuses.na,
	       "stats: a counter not printed is n/a");
	tap_ok(!stats_parse(&st, "\ncounting\ton  \n\ntlb_flushes\t0\n",
			    err, sizeof(err)) && st.counting &&
	       !st.tlb_flushes.na && !st.tlb_flushes.val,
	       "stats: tabs, blank lines, trailing blanks %s", err);
	tap_ok(!stats_parse(&st, "counting on\nfrees_forced "
			    "18446744073709551615\n", err, sizeof(err)) &&
	       st.frees_forced.val == ~0ULL, "stats: u64 max %s", err);
	stats_bad("", "no counting", "empty");
	stats_bad("frees_forced 1\n", "no counting", "no counting line");
	stats_bad("counting yes\n", "line 1", "counting yes");
	stats_bad("counting on\ncounting off\n", "duplicate",
		  "duplicate counting");
	stats_bad("counting on\ntlb_flushes 1\ntlb_flushes 2\n", "line 3",
		  "duplicate counter");
	stats_bad("counting on\nfrees_forced -1\n", "line 2", "negative");
	stats_bad("counting on\nfrees_forced 1.5\n", "line 2", "decimal");
	stats_bad("counting on\nfrees_forced 12 kB\n", "line 2",
		  "trailing word");
	stats_bad("counting on\nfrees_forced 18446744073709551616\n",
		  "line 2", "overflow");
	stats_bad("counting on\ncensuses\n", "no value", "no value");
}

static void test_auto(void)
{
	char *text = fixture("auto"), err[PARSE_ERR_LEN] = "";
	const struct kv *kv;
	struct auto_cfg a;

	tap_ok(!auto_parse(&a, text, err, sizeof(err)) && a.kvs.n == 6 &&
	       !a.thread_pid, "auto parses: 6 keys, no thread %s", err);
	kv = kv_find(&a.kvs, "scan_sleep_ms");
	tap_ok(kv && kv->type == KV_INT && kv->num == 10000,
	       "auto: scan_sleep_ms 10000");
	tap_ok(!strcmp(a.kvs.kv[0].key, "enabled") &&
	       !strcmp(a.kvs.kv[5].key, "thread_pid"), "auto: file order");
	auto_free(&a);
	free(text);
	tap_ok(!auto_parse(&a, "enabled 1\nthread_pid 42\nnew_knob 3\n", err,
			   sizeof(err)) && a.thread_pid == 42 && a.kvs.n == 3,
	       "auto: thread 42, an unknown knob kept %s", err);
	auto_free(&a);
	tap_ok(auto_parse(&a, "thread_pid 1\n", err, sizeof(err)) &&
	       strstr(err, "no enabled line"), "auto without enabled: %s", err);
	tap_ok(auto_parse(&a, "enabled 1\n", err, sizeof(err)) &&
	       strstr(err, "no thread_pid"), "auto without thread_pid: %s", err);
	tap_ok(auto_parse(&a, "enabled on\nthread_pid 0\n", err, sizeof(err)) &&
	       strstr(err, "line 1"), "auto: a word for a number: %s", err);
	tap_ok(auto_parse(&a, "enabled 1\nenabled 0\nthread_pid 0\n", err,
			  sizeof(err)) && strstr(err, "duplicate"),
	       "auto: duplicate key: %s", err);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		dir = argv[1];
	puts("TAP version 13");
	test_info();
	test_census_good();
	test_census_edges();
	test_reclaim_good();
	test_reclaim_edges();
	test_mms();
	test_stats_good();
	test_stats_edges();
	test_auto();
	return tap_done();
}
