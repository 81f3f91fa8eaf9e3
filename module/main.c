// SPDX-License-Identifier: GPL-2.0
/*
 * pte_ref - per-mm statistics of user PTE page tables, in debugfs.
 *
 * For the developers and users of the work that frees empty user PTE
 * tables ("Free user PTE page table pages", and CONFIG_PT_RECLAIM since
 * Linux 6.14).  See README.md for the files and the tools.
 */
#define pr_fmt(fmt) "pte_ref: " fmt

#include <linux/module.h>

#include "pte_ref.h"
#include "pte_ref_abi.h"
#include "reclaim.h"
#include "stats.h"
#include "symbols.h"

static int __init pte_ref_init(void)
{
	int ret;

	/* Silent on success: `info` tells what this build can do. */
	pte_ref_symbols_init();
	pte_ref_stats_init();
	ret = pte_ref_debugfs_init();
	if (ret)
		pte_ref_stats_exit();
	return ret;
}

static void __exit pte_ref_exit(void)
{
	pte_ref_debugfs_exit();	/* waits for running reclaims */
	pte_ref_stats_exit();	/* detaches the probes */
	pte_ref_reclaim_exit();
}

module_init(pte_ref_init);
module_exit(pte_ref_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Statistics of user PTE page tables, in debugfs");
MODULE_VERSION(PTE_REF_VERSION);
