/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layout.h - the plan of `ptestress layout`: which 2 MiB slot gets how many
 * present pages, and the census that plan must produce.  Pure arithmetic,
 * so the unit tests check it without mapping anything.
 */
#ifndef PTE_REF_LAYOUT_H
#define PTE_REF_LAYOUT_H

#include <stddef.h>

#include "pte_ref_abi.h"

#define LAYOUT_HOLE		(-1)
/* One PMD table maps 512 slots of 2 MiB: the 1 GiB window of a layout. */
#define LAYOUT_MAX_SLOTS	512
#define LAYOUT_DEFAULT_FILLS	"0,1,2,7,8,63,64,255,256,511,512,-,0"

struct layout_expect {
	unsigned long long tables;	/* slots that are not holes */
	unsigned long long empty;	/* slots filled with 0 */
	unsigned long long present;	/* pages written and kept */
	unsigned long long hist[PTE_REF_HIST_BUCKETS];
};

/*
 * LIST ("0,1,-,512") into fills[] (a count or LAYOUT_HOLE), at most max
 * items; 0, or -1 with a message in err.
 */
int layout_parse(const char *list, int *fills, size_t max, size_t *n,
		 char *err, size_t len);

/* What n fills repeated repeat times leave in the page tables. */
void layout_expect(const int *fills, size_t n, unsigned long long repeat,
		   struct layout_expect *e);

/*
 * The byte written at the start of page `page` (0..511) of slot `slot`
 * (its index in the region), and checked by SIGUSR2: (slot * 7 + page)
 * % 251 + 1.
 */
unsigned char layout_byte(unsigned long long slot, unsigned int page);

/* "expect tables=T empty=E present=N swap=0 hist=h0,...,h6" */
void layout_expect_line(const struct layout_expect *e, char *buf,
			size_t len);

#endif /* PTE_REF_LAYOUT_H */
