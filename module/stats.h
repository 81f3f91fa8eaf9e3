/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.h - counters of PTE-table frees and TLB flushes (stats.c).
 */
#ifndef PTE_REF_STATS_H
#define PTE_REF_STATS_H

#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/types.h>

enum pte_ref_stat {
	/* Probed, only while counting is on: */
	PTE_REF_STAT_PTE_FREE_TLB,	/* ___pte_free_tlb(): free_pgtables() */
	PTE_REF_STAT_FREE_PTE_TABLE,	/* the series' free_pte_table() */
	PTE_REF_STAT_PT_RECLAIM,	/* 6.14+ PT_RECLAIM, from zap_pte_range() */
	PTE_REF_STAT_TLB_FLUSHES,	/* tlb:tlb_flush, every reason */
	PTE_REF_STAT_TLB_REASON,	/* ... + reason, for the 6 known ones */
	PTE_REF_STAT_TLB_PAGES = PTE_REF_STAT_TLB_REASON + 6,
	PTE_REF_STAT_TLB_FULL,		/* pages == TLB_FLUSH_ALL */
	/* Always counted, by the module itself: */
	PTE_REF_STAT_FORCED,
	PTE_REF_STAT_CENSUS,
	PTE_REF_STAT_PMD_FREED,		/* PMD tables, forced or automatic */
	/* The automatic policy (auto.c): */
	PTE_REF_STAT_AUTO_FREED,
	PTE_REF_STAT_AUTO_PASSES,
	PTE_REF_STAT_AUTO_MMS,		/* mms visited */
	PTE_REF_STAT_AUTO_SCANNED,	/* tables counted (tables_to_scan) */
	PTE_REF_STAT_AUTO_CONTENDED,	/* mms passed over: mmap lock taken */
	PTE_REF_STAT_AUTO_NS,		/* time in passes */
	PTE_REF_STAT_NR
};

void pte_ref_stat_add(enum pte_ref_stat stat, u64 n);

void pte_ref_stats_init(void);
void pte_ref_stats_exit(void);
void pte_ref_stats_info(struct seq_file *m);

extern const struct file_operations pte_ref_stats_fops;

#endif /* PTE_REF_STATS_H */
