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

#include "auto.h"
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
	/* Before debugfs: no write to `auto` can race the parameters. */
	ret = pte_ref_auto_init();	/* insmod ... auto=1 */
	if (ret)
		goto err_stats;
	ret = pte_ref_debugfs_init();
	if (ret)
		goto err_auto;
	return 0;

err_auto:
	pte_ref_auto_exit();
	pte_ref_reclaim_exit();	/* its passes may have queued RCU frees */
err_stats:
	pte_ref_stats_exit();
	return ret;
}

static void __exit pte_ref_exit(void)
{
	pte_ref_debugfs_exit();	/* waits for running reclaims */
	pte_ref_auto_exit();	/* stops the policy's thread */
	pte_ref_stats_exit();	/* detaches the probes */
	pte_ref_reclaim_exit();	/* waits for our RCU callbacks */
}

module_init(pte_ref_init);
module_exit(pte_ref_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Statistics of user PTE page tables, in debugfs");
MODULE_VERSION(PTE_REF_VERSION);
