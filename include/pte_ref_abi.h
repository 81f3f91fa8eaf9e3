/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pte_ref_abi.h - what the pte_ref module and its user tools agree on.
 *
 * Included by the kernel module and by the tools in tools/, so it holds
 * only macros and static inlines on plain C types.  Change a format and
 * you bump PTE_REF_FORMAT: `info` reports it and the tools refuse a
 * format they do not know.
 */
#ifndef PTE_REF_ABI_H
#define PTE_REF_ABI_H

#define PTE_REF_VERSION		"0.3.0"
#define PTE_REF_FORMAT		1

/* Under the debugfs mount point, usually /sys/kernel/debug. */
#define PTE_REF_DIR		"pte_ref"
#define PTE_REF_FILE_INFO	"info"
#define PTE_REF_FILE_MMS	"mms"
#define PTE_REF_FILE_TARGET	"target"
#define PTE_REF_FILE_CENSUS	"census"
#define PTE_REF_FILE_RECLAIM	"reclaim"
#define PTE_REF_FILE_STATS	"stats"
#define PTE_REF_FILE_AUTO	"auto"

/* Entries in one x86_64 PTE table, and the bytes of one table. */
#define PTE_REF_TABLE_ENTRIES	512
#define PTE_REF_TABLE_KB	4

/* Longest line the module accepts in a write (target, reclaim, stats). */
#define PTE_REF_MAX_WRITE	64
/* ... in a write to `auto`: every setting at once. */
#define PTE_REF_AUTO_MAX_WRITE	256

/*
 * The automatic policy's settings (`auto`): default, least and greatest
 * value of each.  A write sets any of them, "name=value" separated by
 * blanks, all or nothing.
 */
#define PTE_REF_AUTO_ENABLED_DEF		0
#define PTE_REF_AUTO_ENABLED_MAX		1
#define PTE_REF_AUTO_SCAN_SLEEP_MS_DEF		10000
#define PTE_REF_AUTO_SCAN_SLEEP_MS_MIN		10
#define PTE_REF_AUTO_SCAN_SLEEP_MS_MAX		3600000
#define PTE_REF_AUTO_TABLES_TO_SCAN_DEF		4096
#define PTE_REF_AUTO_TABLES_TO_SCAN_MIN		1
#define PTE_REF_AUTO_TABLES_TO_SCAN_MAX		1048576
#define PTE_REF_AUTO_MIN_EMPTY_KB_DEF		64
#define PTE_REF_AUTO_MIN_EMPTY_KB_MAX		1073741824
#define PTE_REF_AUTO_MAX_CPU_PCT_DEF		1
#define PTE_REF_AUTO_MAX_CPU_PCT_MIN		1
#define PTE_REF_AUTO_MAX_CPU_PCT_MAX		100

/* The header row of `mms`; one row per user mm follows, sorted by pid. */
#define PTE_REF_MMS_HEADER \
	"pid comm pte_tables pte_kb pgtables_kb empty_tables empty_kb present swap fill_pct pmd_tables empty_pmd_tables"

/*
 * Occupancy histogram: PTE tables by number of non-none entries.
 * Bucket i holds the counts from PTE_REF_HIST_LO(i) to PTE_REF_HIST_LO(i+1)-1.
 */
#define PTE_REF_HIST_BUCKETS	7
#define PTE_REF_HIST_LABELS \
	{ "0", "1", "2-7", "8-63", "64-255", "256-511", "512" }

static inline unsigned int pte_ref_hist_lo(unsigned int bucket)
{
	switch (bucket) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2;
	case 3: return 8;
	case 4: return 64;
	case 5: return 256;
	case 6: return 512;
	default: return 513;
	}
}

static inline unsigned int pte_ref_hist_bucket(unsigned int entries)
{
	unsigned int b = 0;

	while (b + 1 < PTE_REF_HIST_BUCKETS && entries >= pte_ref_hist_lo(b + 1))
		b++;
	return b;
}

/* fill_pct is printed in tenths of a percent: entries * 1000 / slots. */
static inline unsigned long long pte_ref_fill_tenths(unsigned long long entries,
						     unsigned long long tables)
{
	unsigned long long slots = tables * PTE_REF_TABLE_ENTRIES;

	return slots ? (entries * 1000 + slots / 2) / slots : 0;
}

#endif /* PTE_REF_ABI_H */
