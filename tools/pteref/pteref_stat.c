// SPDX-License-Identifier: GPL-2.0
/*
 * pteref_stat.c - `pteref stat PID`: point the module's target at one mm,
 * read its census, print totals, occupancy histogram and VMAs.
 *
 * target is global to the module, so two pterefs can race between our
 * write and our read: the census names its pid and range, and we retry
 * when they are not the ones we asked for.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pte_ref_abi.h"
#include "json.h"
#include "pteref.h"

#define STAT_RETRIES	3
#define BAR_WIDTH	50

const char stat_usage[] =
"pteref stat PID [-r START-END] [-j]\n"
"  Census of one process's PTE tables: totals, a histogram of tables by\n"
"  entries in use, and the tables of each VMA.\n"
"  -r, --range START-END  only the tables of that address range (hex,\n"
"                         0x optional, page aligned, START < END)\n"
"  -j, --json             one JSON object: totals, \"hist\" and \"vmas\"\n"
"  -h, --help             this help\n";

struct stat_req {
	unsigned long long pid, start, end;
	bool range;
};

static int parse_args(struct stat_req *r, const char *pid, const char *range)
{
	if (parse_u64(pid, &r->pid)) {
		pr_err("stat: bad pid '%s'", pid);
		return EXIT_USAGE;
	}
	if (!range)
		return 0;
	r->range = true;
	return pr_range_arg("stat", range, &r->start, &r->end);
}

/* Is this census the answer to our request, not to a racing pteref's? */
static bool census_is_ours(const struct census *c, const struct stat_req *r)
{
	unsigned long long start, end;

	if (c->pid != r->pid)
		return false;
	if (!r->range)
		return !strcmp(c->range, "all");
	return !parse_hex_range(c->range, &start, &end) &&
	       start == r->start && end == r->end;
}

static int census_load(struct census *c, const struct stat_req *r)
{
	char cmd[PTE_REF_MAX_WRITE];
	int try, ret;

	if (r->range)
		snprintf(cmd, sizeof(cmd), "%llu 0x%llx-0x%llx",
			 r->pid, r->start, r->end);
	else
		snprintf(cmd, sizeof(cmd), "%llu", r->pid);
	for (try = 0; try <= STAT_RETRIES; try++) {
		if (pr_write(PTE_REF_FILE_TARGET, cmd)) {
			pr_err("pid %s: %m", cmd);
			return EXIT_RUNTIME;
		}
		ret = pr_load(PTE_REF_FILE_CENSUS, census_parse, c);
		if (ret)
			return ret;
		if (census_is_ours(c, r))
			return 0;
		census_free(c);
	}
	pr_err("census kept answering for another target than '%s' (%d tries):"
	       " is another pteref running?", cmd, STAT_RETRIES + 1);
	return EXIT_RUNTIME;
}

static void print_totals(const struct census *c)
{
	size_t i, w = 0;

	for (i = 0; i < c->kvs.n; i++)
		if (strlen(c->kvs.kv[i].key) > w)
			w = strlen(c->kvs.kv[i].key);
	for (i = 0; i < c->kvs.n; i++)
		printf("%-*s  %s\n", (int)w, c->kvs.kv[i].key,
		       c->kvs.kv[i].val);
}

/* Bar of a count, the largest bucket's being BAR_WIDTH; none is lost. */
static int bar_len(unsigned long long count, unsigned long long max)
{
	int n;

	if (!count)
		return 0;
	n = (int)((double)count * BAR_WIDTH / max + 0.5);
	return n ? n : 1;
}

static void print_hist(const struct census *c)
{
	unsigned long long max = 0;
	int lw = 5, cw = 1, n;
	size_t i;

	for (i = 0; i < c->nhist; i++) {
		if (c->hist[i].count > max)
			max = c->hist[i].count;
		n = strlen(c->hist[i].label);
		lw = n > lw ? n : lw;
		n = snprintf(NULL, 0, "%llu", c->hist[i].count);
		cw = n > cw ? n : cw;
	}
	if (!c->nhist)
		return;
	puts("\nPTE tables by entries in use:");
	printf("%*s  %*s\n", lw, "used", cw, "#");
	for (i = 0; i < c->nhist; i++) {
		n = bar_len(c->hist[i].count, max);
		printf("%*s  %*llu%s", lw, c->hist[i].label, cw,
		       c->hist[i].count, n ? " " : "");
		while (n-- > 0)
			putchar('#');
		putchar('\n');
	}
}

static void print_vmas(const struct census *c)
{
	size_t i;

	if (!c->nvma) {
		puts("\nno VMAs in range");
		return;
	}
	printf("\n%-18s  %-18s  %-7s  %8s  %8s  %8s\n", "start", "end",
	       "kind", "tables", "empty", "entries");
	for (i = 0; i < c->nvma; i++) {
		const struct vma_line *v = &c->vma[i];

		printf("0x%016llx  0x%016llx  %-7s  %8llu  %8llu  %8llu\n",
		       v->start, v->end, v->kind, v->tables, v->empty,
		       v->entries);
	}
}

static void json_kv(const struct kv *kv)
{
	/* The scalar "vmas" count would collide with the "vmas" array. */
	fputs("  ", stdout);
	json_str(stdout, strcmp(kv->key, "vmas") ? kv->key : "nr_vmas");
	fputs(": ", stdout);
	pr_json_val(kv);
	puts(",");
}

static void print_json(const struct census *c)
{
	size_t i;

	puts("{");
	for (i = 0; i < c->kvs.n; i++)
		json_kv(&c->kvs.kv[i]);
	fputs("  \"hist\": {", stdout);
	for (i = 0; i < c->nhist; i++) {
		fputs(i ? ", " : "", stdout);
		json_str(stdout, c->hist[i].label);
		printf(": %llu", c->hist[i].count);
	}
	fputs("},\n  \"vmas\": [", stdout);
	for (i = 0; i < c->nvma; i++) {
		const struct vma_line *v = &c->vma[i];

		printf("%s\n    {\"start\": \"0x%llx\", \"end\": \"0x%llx\", "
		       "\"kind\": ", i ? "," : "", v->start, v->end);
		json_str(stdout, v->kind);
		printf(", \"tables\": %llu, \"empty\": %llu, "
		       "\"entries\": %llu}", v->tables, v->empty, v->entries);
	}
	puts(c->nvma ? "\n  ]\n}" : "]\n}");
}

int cmd_stat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "range", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stat_req req = { 0 };
	const char *range = NULL;
	struct census cen;
	struct info in;
	int c, json = 0, ret;

	while ((c = getopt_long(argc, argv, "r:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			range = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(stat_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		pr_err("stat: want exactly one PID");
		return EXIT_USAGE;
	}
	ret = parse_args(&req, argv[optind], range);
	if (!ret)
		ret = pr_open(&in);
	if (ret)
		return ret;
	info_free(&in);
	ret = census_load(&cen, &req);
	if (ret)
		return ret;
	if (json) {
		print_json(&cen);
	} else {
		print_totals(&cen);
		print_hist(&cen);
		print_vmas(&cen);
	}
	census_free(&cen);
	return EXIT_OK;
}
