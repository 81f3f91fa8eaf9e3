/* SPDX-License-Identifier: GPL-2.0 */
/*
 * auto.h - the automatic policy (auto.c) and its settings (auto_file.c).
 */
#ifndef PTE_REF_AUTO_H
#define PTE_REF_AUTO_H

#include <linux/fs.h>
#include <linux/types.h>

#include "pte_ref_abi.h"

/* The settings, as `auto` shows them (pte_ref_abi.h: their bounds). */
struct pte_ref_auto_cfg {
	unsigned int enabled;
	unsigned int scan_sleep_ms;
	unsigned int tables_to_scan;
	unsigned int min_empty_kb;
	unsigned int max_cpu_pct;
};

#define PTE_REF_AUTO_DEFAULTS {					\
	.enabled = PTE_REF_AUTO_ENABLED_DEF,			\
	.scan_sleep_ms = PTE_REF_AUTO_SCAN_SLEEP_MS_DEF,	\
	.tables_to_scan = PTE_REF_AUTO_TABLES_TO_SCAN_DEF,	\
	.min_empty_kb = PTE_REF_AUTO_MIN_EMPTY_KB_DEF,		\
	.max_cpu_pct = PTE_REF_AUTO_MAX_CPU_PCT_DEF,		\
}

/* Each setting's name, bounds and field; ended by a NULL name. */
struct pte_ref_auto_setting {
	const char *name;
	unsigned int lo, hi;
	size_t offset;		/* in struct pte_ref_auto_cfg */
};

extern const struct pte_ref_auto_setting pte_ref_auto_settings[];

static inline unsigned int *
pte_ref_auto_field(struct pte_ref_auto_cfg *c,
		   const struct pte_ref_auto_setting *s)
{
	return (unsigned int *)((char *)c + s->offset);
}

void pte_ref_auto_get(struct pte_ref_auto_cfg *cfg, pid_t *thread);
int pte_ref_auto_update(int (*parse)(char *buf, struct pte_ref_auto_cfg *c),
			char *buf);
int pte_ref_auto_check(const struct pte_ref_auto_cfg *cfg);
const char *pte_ref_auto_unavailable(void);
int pte_ref_auto_init(void);
void pte_ref_auto_exit(void);

#endif /* PTE_REF_AUTO_H */
