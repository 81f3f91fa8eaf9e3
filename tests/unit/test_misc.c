// SPDX-License-Identifier: GPL-2.0
/*
 * test_misc.c - unit tests of the small pure pieces of the tools: number,
 * seconds and size parsing, JSON output, the histogram math of pte_ref_abi.h and
 * the plan of `ptestress layout`, data pattern included.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "pte_ref_abi.h"
#include "json.h"
#include "layout.h"
#include "tap.h"
#include "util.h"

static void test_numbers(void)
{
	unsigned long long v = 0, s, e;

	tap_ok(!parse_u64("0", &v) && v == 0, "parse_u64 0");
	tap_ok(!parse_u64("18446744073709551615", &v) && v == ~0ULL,
	       "parse_u64 max");
	tap_ok(parse_u64("18446744073709551616", &v), "parse_u64 overflow");
	tap_ok(parse_u64("", &v) && parse_u64("-1", &v) &&
	       parse_u64("+1", &v) && parse_u64(" 1", &v) &&
	       parse_u64("1x", &v), "parse_u64 rejects empty, signs, junk");
	tap_ok(!parse_hex_u64("0x7f00", &v) && v == 0x7f00 &&
	       !parse_hex_u64("7F00", &v) && v == 0x7f00,
	       "hex with and without 0x");
	tap_ok(parse_hex_u64("0x", &v) && parse_hex_u64("0x0x1", &v) &&
	       parse_hex_u64("0xg", &v), "hex rejects junk");
	tap_ok(!parse_hex_range("0x1000-0x3000", &s, &e) && s == 0x1000 &&
	       e == 0x3000, "hex range");
	tap_ok(parse_hex_range("0x1000", &s, &e) &&
	       parse_hex_range("0x1000-", &s, &e) &&
	       parse_hex_range("-0x1000", &s, &e), "hex range rejects halves");
}

static void test_seconds(void)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1e3", "inf", "nan", "0x10", ".5",
		"1.", "01", "86400.1", "1s",
	};
	size_t i;
	double v;
	int good = 1;

	tap_ok(!parse_seconds("0.1", 86400, &v) && v == 0.1 &&
	       !parse_seconds("2", 86400, &v) && v == 2 &&
	       !parse_seconds("0", 86400, &v) && v == 0 &&
	       !parse_seconds("86400", 86400, &v) && v == 86400,
	       "parse_seconds 0.1, 2, 0, max");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		good &= parse_seconds(bad[i], 86400, &v) != 0;
	tap_ok(good, "parse_seconds rejects signs, blanks, exponents, "
	       "above max");
}

static void test_sizes(void)
{
	static const struct { const char *s; unsigned long long v; } ok[] = {
		{ "1", 1 }, { "4K", 4096 }, { "4k", 4096 },
		{ "2M", 2ULL << 20 }, { "64m", 64ULL << 20 },
		{ "50G", 50ULL << 30 }, { "0", 0 },
	};
	static const char *const bad[] = {
		"", "K", "1.5G", "10X", "G1", "-1M", "1 M", "17179869184G",
	};
	unsigned long long v;
	size_t i;
	int good = 1;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		tap_ok(!parse_size(ok[i].s, &v) && v == ok[i].v,
		       "parse_size '%s' = %llu", ok[i].s, ok[i].v);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		good &= parse_size(bad[i], &v) != 0;
	tap_ok(good, "parse_size rejects bad sizes and overflow");
}

/* What a JSON helper prints, in a malloc'd string. */
static char *capture(void (*fn)(FILE *, const char *), const char *arg)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

static void check_json(void (*fn)(FILE *, const char *), const char *in,
		       const char *want, const char *what)
{
	char *got = capture(fn, in);

	tap_ok(!strcmp(got, want), "json %s: got %s", what, got);
	free(got);
}

static void test_json(void)
{
	check_json(json_str, "ptestress", "\"ptestress\"", "plain");
	check_json(json_str, "a\"b\\c", "\"a\\\"b\\\\c\"", "quote, backslash");
	check_json(json_str, "t\tn\n\x01", "\"t\\tn\\n\\u0001\"", "controls");
	check_json(json_str, "caf\xc3\xa9", "\"caf\xc3\xa9\"", "UTF-8 kept");
	check_json(json_str, "x\xff\xc3", "\"x\\ufffd\\ufffd\"",
		   "bad UTF-8 replaced");
	check_json(json_str, "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"",
		   "surrogate replaced");
	check_json(json_token, "n/a", "null", "n/a is null");
	check_json(json_token, "20.6", "20.6", "decimal is a number");
	check_json(json_token, "0x7f", "\"0x7f\"", "hex is a string");
	tap_ok(json_is_number("0") && json_is_number("-1.5e3") &&
	       json_is_number("1E+2") && !json_is_number("01") &&
	       !json_is_number("1.") && !json_is_number(".5") &&
	       !json_is_number("") && !json_is_number("1e"),
	       "json_is_number follows RFC 8259");
	tap_ok(is_decimal("20.6") && is_decimal("0") && !is_decimal("020") &&
	       !is_decimal("2.") && !is_decimal("-1"), "is_decimal");
}

static void test_buckets(void)
{
	static const char *const labels[] = PTE_REF_HIST_LABELS;
	static const unsigned int at[][2] = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 7, 2 }, { 8, 3 }, { 63, 3 },
		{ 64, 4 }, { 255, 4 }, { 256, 5 }, { 511, 5 }, { 512, 6 },
	};
	unsigned int b, lo, hi;
	char want[16];
	size_t i;
	int good = 1;

	for (i = 0; i < ARRAY_SIZE(at); i++)
		tap_ok(pte_ref_hist_bucket(at[i][0]) == at[i][1],
		       "bucket(%u) = %u", at[i][0], at[i][1]);
	/* Each label must name exactly the range its bucket holds. */
	for (b = 0; b < PTE_REF_HIST_BUCKETS; b++) {
		lo = pte_ref_hist_lo(b);
		hi = b + 1 < PTE_REF_HIST_BUCKETS ? pte_ref_hist_lo(b + 1) - 1 :
						    PTE_REF_TABLE_ENTRIES;
		if (lo == hi)
			snprintf(want, sizeof(want), "%u", lo);
		else
			snprintf(want, sizeof(want), "%u-%u", lo, hi);
		good &= !strcmp(labels[b], want);
	}
	tap_ok(good, "PTE_REF_HIST_LABELS match pte_ref_hist_lo()");
	tap_ok(pte_ref_fill_tenths(1478, 14) == 206 &&
	       pte_ref_fill_tenths(210, 5) == 82 &&
	       pte_ref_fill_tenths(0, 0) == 0 &&
	       pte_ref_fill_tenths(512, 1) == 1000, "fill_tenths rounds");
}

static void test_layout(void)
{
	int fills[LAYOUT_MAX_SLOTS];
	struct layout_expect e;
	char err[96], line[160];
	size_t n;

	tap_ok(!layout_parse(LAYOUT_DEFAULT_FILLS, fills, LAYOUT_MAX_SLOTS,
			     &n, err, sizeof(err)) && n == 13 &&
	       fills[11] == LAYOUT_HOLE && fills[10] == 512,
	       "layout_parse default list");
	layout_expect(fills, n, 1, &e);
	layout_expect_line(&e, line, sizeof(line));
	tap_ok(!strcmp(line, "expect tables=12 empty=2 present=1679 swap=0 "
		       "hist=2,1,2,2,2,2,1"), "expect line of default: %s",
	       line);
	layout_expect(fills, n, 3, &e);
	tap_ok(e.tables == 36 && e.empty == 6 && e.present == 3 * 1679 &&
	       e.hist[6] == 3, "expect of default x3");
	tap_ok(layout_parse("1,513", fills, 8, &n, err, sizeof(err)) &&
	       strstr(err, "item 2"), "layout_parse rejects 513: %s", err);
	tap_ok(layout_parse("1,,2", fills, 8, &n, err, sizeof(err)) &&
	       layout_parse("", fills, 8, &n, err, sizeof(err)) &&
	       layout_parse("x", fills, 8, &n, err, sizeof(err)) &&
	       layout_parse("1,", fills, 8, &n, err, sizeof(err)),
	       "layout_parse rejects empty and bad items");
	tap_ok(layout_parse("1,2,3", fills, 2, &n, err, sizeof(err)) &&
	       !layout_parse("-,-", fills, 2, &n, err, sizeof(err)) && n == 2,
	       "layout_parse respects max");
}

static void test_layout_byte(void)
{
	unsigned long long s;
	unsigned int i, zero = 0, same = 0;

	tap_ok(layout_byte(0, 0) == 1 && layout_byte(1, 0) == 8 &&
	       layout_byte(10, 5) == 76 && layout_byte(0, 250) == 251 &&
	       layout_byte(0, 251) == 1, "layout_byte = (s * 7 + i) %% 251 + 1");
	/* The whole window, grown slots included: 512 x 512 pages. */
	for (s = 0; s < LAYOUT_MAX_SLOTS; s++)
		for (i = 0; i < PTE_REF_TABLE_ENTRIES; i++) {
			zero += !layout_byte(s, i);
			if (i)
				same += layout_byte(s, i) == layout_byte(s, i - 1);
			if (s)
				same += layout_byte(s, i) == layout_byte(s - 1, i);
		}
	tap_ok(!zero, "layout_byte is never 0 (a lost page reads 0)");
	tap_ok(!same, "layout_byte differs between neighbouring pages, slots");
}

int main(void)
{
	puts("TAP version 13");
	test_numbers();
	test_seconds();
	test_sizes();
	test_json();
	test_buckets();
	test_layout();
	test_layout_byte();
	return tap_done();
}
