// SPDX-License-Identifier: GPL-2.0
/*
 * test_endbr.c - the module's IBT check (module/endbr.h) on the bytes the
 * kernel really has at a function's entry, and the kprobe +4 adjustment.
 * A regression test for sealed functions passing as callable.
 */
#include <string.h>

#include "endbr.h"
#include "tap.h"

/* The 4 bytes at an entry, as the module reads them (x86: little endian). */
static unsigned int insn(const unsigned char b[4])
{
	unsigned int v;

	memcpy(&v, b, sizeof(v));
	return v;
}

#define ENDBR64	0xfa1e0ff3U	/* what the kernel's gen_endbr() returns */
#define POISON6	0x001f0f66U	/* gen_endbr_poison(), up to 6.x */
#define POISON7	0xd6401f0fU	/* gen_endbr_poison(), 7.x */

static const unsigned char endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const unsigned char endbr32[4] = { 0xf3, 0x0f, 0x1e, 0xfb };
static const unsigned char poison[4] = { 0x66, 0x0f, 0x1f, 0x00 };	/* osp nopl (%rax) */
static const unsigned char poison7[4] = { 0x0f, 0x1f, 0x40, 0xd6 };	/* nopl -42(%rax) */
static const unsigned char push_rbp[4] = { 0x55, 0x48, 0x89, 0xe5 };	/* push; mov */

static void test_patterns(void)
{
	tap_ok(insn(endbr64) == ENDBR64, "ENDBR64 bytes are gen_endbr()'s value");
	tap_ok(insn(poison) == POISON6 && insn(poison7) == POISON7,
	       "seal poison bytes of 6.x and 7.x are gen_endbr_poison()'s values");

	tap_ok(pte_ref_indirect_ok(insn(endbr64), 1, ENDBR64), "IBT on: ENDBR64 is callable");
	tap_ok(!pte_ref_indirect_ok(insn(poison), 1, ENDBR64) &&
	       !pte_ref_indirect_ok(insn(poison7), 1, ENDBR64),
	       "IBT on: a sealed function (6.x or 7.x seal) is not");
	tap_ok(!pte_ref_indirect_ok(insn(endbr32), 1, ENDBR64), "IBT on: ENDBR32 is not");
	tap_ok(!pte_ref_indirect_ok(insn(push_rbp), 1, ENDBR64), "IBT on: a plain instruction is not");

	tap_ok(pte_ref_indirect_ok(insn(endbr64), 0, ENDBR64) &&
	       pte_ref_indirect_ok(insn(poison), 0, ENDBR64) &&
	       pte_ref_indirect_ok(insn(endbr32), 0, ENDBR64) &&
	       pte_ref_indirect_ok(insn(push_rbp), 0, ENDBR64),
	       "IBT off: every entry is callable");

	tap_ok(pte_ref_is_prologue(insn(endbr64), ENDBR64, POISON6) &&
	       pte_ref_is_prologue(insn(poison), ENDBR64, POISON6) &&
	       pte_ref_is_prologue(insn(poison7), ENDBR64, POISON7),
	       "kprobes skip ENDBR64 and the kernel's own seal");
	tap_ok(!pte_ref_is_prologue(insn(endbr32), ENDBR64, POISON6) &&
	       !pte_ref_is_prologue(insn(push_rbp), ENDBR64, POISON6) &&
	       !pte_ref_is_prologue(insn(poison7), ENDBR64, POISON6) &&
	       !pte_ref_is_prologue(insn(poison), ENDBR64, POISON7),
	       "... and nothing else, not another kernel's seal");
}

static void test_offset(void)
{
	const char *n = "kallsyms_lookup_name";
	unsigned long kp = 0xffffffff81234564UL;	/* what the kprobe said */

	tap_ok(pte_ref_entry_offset("kallsyms_lookup_name+0x0/0x30", n) == 0,
	       "offset 0: the entry");
	tap_ok(pte_ref_entry_offset("kallsyms_lookup_name+0x4/0x30", n) == 4,
	       "offset 4: past ENDBR");
	tap_ok(kp - pte_ref_entry_offset("kallsyms_lookup_name+0x4/0x30", n) ==
	       0xffffffff81234560UL, "+4 adjusts back to the entry");
	tap_ok(pte_ref_entry_offset("kallsyms_lookup_name+0x4/0x30 [foo]", n) == 4,
	       "a module suffix is fine");
	tap_ok(pte_ref_entry_offset("kallsyms_lookup_name+0x8/0x30", n) == -1,
	       "offset 8: refused");
	tap_ok(pte_ref_entry_offset("kallsyms_lookup_names+0x0/0x30", n) == -1 &&
	       pte_ref_entry_offset("kallsyms_lookup+0x0/0x30", n) == -1 &&
	       pte_ref_entry_offset("__pfx_kallsyms_lookup_name+0x0/0x10", n) == -1,
	       "another symbol: refused");
	tap_ok(pte_ref_entry_offset("0xffffffff81234564", n) == -1 &&
	       pte_ref_entry_offset("kallsyms_lookup_name", n) == -1 &&
	       pte_ref_entry_offset("kallsyms_lookup_name+0x", n) == -1 &&
	       pte_ref_entry_offset("kallsyms_lookup_name+0x/0x30", n) == -1 &&
	       pte_ref_entry_offset("kallsyms_lookup_name+0x4", n) == -1 &&
	       pte_ref_entry_offset("kallsyms_lookup_name+0xg/0x30", n) == -1 &&
	       pte_ref_entry_offset("kallsyms_lookup_name+0x100000004/0x30", n) == -1,
	       "raw addresses and malformed text: refused");
}

int main(void)
{
	test_patterns();
	test_offset();
	return tap_done();
}
