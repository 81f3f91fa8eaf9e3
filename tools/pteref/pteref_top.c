// SPDX-License-Identifier: GPL-2.0
/*
 * pteref_top.c - `pteref top`: the mms file sorted by one of its numeric
 * columns, as an aligned table or a JSON array.
 *
 * Columns come from the header the module wrote, not from a list compiled
 * in here, so a column added by a newer module is shown and sortable.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pte_ref_abi.h"
#include "json.h"
#include "pteref.h"

#define TOP_DEFAULT_ROWS	20
#define TOP_DEFAULT_SORT	"pte_kb"

const char top_usage[] =
"pteref top [-n N] [-s FIELD] [-j]\n"
"  The user mms with the most PTE tables: rows of mms, largest first.\n"
"  -n, --count N       rows to print (default 20; 0 prints all)\n"
"  -s, --sort FIELD    numeric column to sort by (default pte_kb)\n"
"  -j, --json          a JSON array with one object per mm\n"
"  -h, --help          this help\n";

static void sort_fields_err(const struct mms *m, const char *field)
{
	size_t j;

	fprintf(stderr, "pteref: unknown sort field '%s'; valid fields:",
		field);
	for (j = 0; j < m->ncol; j++)
		if (m->numeric[j])
			fprintf(stderr, " %s", m->col[j]);
	fputc('\n', stderr);
}

static void print_table(const struct mms *m, size_t rows)
{
	size_t *w = xrealloc(NULL, m->ncol, sizeof(*w));
	size_t i, j, n;

	for (j = 0; j < m->ncol; j++) {
		w[j] = strlen(m->col[j]);
		for (i = 0; i < rows; i++) {
			n = strlen(m->row[i][j]);
			w[j] = n > w[j] ? n : w[j];
		}
	}
	for (i = 0; i <= rows; i++) {
		char **f = i ? m->row[i - 1] : m->col;

		for (j = 0; j < m->ncol; j++) {
			int last = j + 1 == m->ncol;

			/* Numbers right, text left, nothing trailing. */
			if (m->numeric[j])
				printf("%*s", (int)w[j], f[j]);
			else
				printf("%-*s", last ? 0 : (int)w[j], f[j]);
			fputs(last ? "\n" : "  ", stdout);
		}
	}
	free(w);
}

/* Integers are reprinted so that "007" still becomes valid JSON. */
static void json_field(const char *s, bool numeric)
{
	unsigned long long v;

	if (!numeric)
		json_str(stdout, s);
	else if (!parse_u64(s, &v))
		printf("%llu", v);
	else
		json_token(stdout, s);
}

static void print_json(const struct mms *m, size_t rows)
{
	size_t i, j;

	putchar('[');
	for (i = 0; i < rows; i++) {
		printf("%s\n  {", i ? "," : "");
		for (j = 0; j < m->ncol; j++) {
			if (j)
				fputs(", ", stdout);
			json_str(stdout, m->col[j]);
			fputs(": ", stdout);
			json_field(m->row[i][j], m->numeric[j]);
		}
		putchar('}');
	}
	puts(rows ? "\n]" : "]");
}

/* Read, parse and sort mms; the exit code on failure. */
static int top_load(struct mms *m, const char *field, int *col)
{
	int ret = pr_load(PTE_REF_FILE_MMS, mms_parse, m);

	if (ret)
		return ret;
	*col = mms_col(m, field);
	if (*col < 0 || !m->numeric[*col]) {
		sort_fields_err(m, field);
		mms_free(m);
		return EXIT_USAGE;
	}
	mms_sort(m, *col);
	return 0;
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long count = TOP_DEFAULT_ROWS;
	const char *field = TOP_DEFAULT_SORT;
	struct info in;
	struct mms m;
	int c, col, json = 0, ret;
	size_t rows;

	while ((c = getopt_long(argc, argv, "n:s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, &count)) {
				pr_err("top: bad count '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			field = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(top_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_err("top: unexpected '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	ret = pr_open(&in);
	if (ret)
		return ret;
	info_free(&in);
	ret = top_load(&m, field, &col);
	if (ret)
		return ret;
	rows = count && count < m.nrow ? count : m.nrow;
	if (json)
		print_json(&m, rows);
	else
		print_table(&m, rows);
	mms_free(&m);
	return EXIT_OK;
}
