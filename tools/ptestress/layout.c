// SPDX-License-Identifier: GPL-2.0
/*
 * layout.c - parse a fill list and compute what it must leave behind.
 *
 * The histogram uses pte_ref_hist_bucket() from the ABI header, the very
 * function the module buckets with, so the two cannot drift apart.
 */
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "util.h"

static int parse_item(const char *item, int *fill)
{
	unsigned long long k;

	if (!strcmp(item, "-")) {
		*fill = LAYOUT_HOLE;
		return 0;
	}
	if (parse_u64(item, &k) || k > PTE_REF_TABLE_ENTRIES)
		return -1;
	*fill = k;
	return 0;
}

int layout_parse(const char *list, int *fills, size_t max, size_t *n,
		 char *err, size_t len)
{
	char item[16];
	size_t w;

	for (*n = 0; ; list += w + 1) {
		w = strcspn(list, ",");
		if (*n == max) {
			snprintf(err, len, "more than %zu slots", max);
			return -1;
		}
		/* Longer than any valid item: keep a prefix for the message. */
		snprintf(item, sizeof(item), "%.*s", (int)w, list);
		if (w >= sizeof(item) || parse_item(item, &fills[*n])) {
			snprintf(err, len, "item %zu '%s': want 0..%d or '-'",
				 *n + 1, item, PTE_REF_TABLE_ENTRIES);
			return -1;
		}
		(*n)++;
		if (!list[w])
			return 0;
	}
}

void layout_expect(const int *fills, size_t n, unsigned long long repeat,
		   struct layout_expect *e)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < n; i++) {
		if (fills[i] == LAYOUT_HOLE)
			continue;
		e->tables += repeat;
		e->empty += fills[i] ? 0 : repeat;
		e->present += fills[i] * repeat;
		e->hist[pte_ref_hist_bucket(fills[i])] += repeat;
	}
}

/*
 * Never 0, so that a page lost and faulted back in as zeros shows; it
 * differs between neighbouring pages and slots, so that a page mapped at
 * the wrong place shows too.  The period, 251, is prime: it stays out of
 * step with the 512 pages of a table.
 */
unsigned char layout_byte(unsigned long long slot, unsigned int page)
{
	return (slot * 7 + page) % 251 + 1;
}

void layout_expect_line(const struct layout_expect *e, char *buf, size_t len)
{
	size_t n;
	int b;

	n = snprintf(buf, len, "expect tables=%llu empty=%llu present=%llu "
		     "swap=0 hist=", e->tables, e->empty, e->present);
	for (b = 0; b < PTE_REF_HIST_BUCKETS && n < len; b++)
		n += snprintf(buf + n, len - n, "%s%llu", b ? "," : "",
			      e->hist[b]);
}
