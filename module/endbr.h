/* SPDX-License-Identifier: GPL-2.0 */
/*
 * endbr.h - may a function be called through a pointer on this CPU?
 *
 * With IBT enforced, an indirect call must land on ENDBR64, or the CPU
 * raises #CP, which the kernel turns into BUG() (exc_control_protection():
 * arch/x86/kernel/cet.c on 6.12, traps.c on 6.1).  objtool lists every
 * function whose address the kernel never takes, and at boot
 * apply_seal_endbr() (arch/x86/kernel/alternative.c) "seals" each one,
 * IBT CPU or not: its ENDBR64 is overwritten with a 4-byte NOP, the
 * poison of gen_endbr_poison() (arch/x86/include/asm/ibt.h: 0x001f0f66,
 * "osp nopl (%rax)", up to 6.x; 0xd6401f0f, "nopl -42(%rax)", in 7.x).  The
 * kernel's is_endbr() accepts that poison too (and ENDBR32), because
 * kprobes and ftrace only need to know where the prologue ends; for a
 * call we need exactly ENDBR64, so this compares with it and nothing else.
 *
 * And kprobes: where a function starts with ENDBR64 or the poison,
 * arch_adjust_kprobe_addr() (arch/x86/kernel/kprobes/core.c) places a
 * probe on the function at +4, so a kprobe's address is not the entry.
 * pte_ref_entry_offset() takes the true offset from sprint_symbol()'s
 * "name+0xOFF/0xSIZE" and accepts only the entry or +4.
 *
 * Pure functions on bytes and strings: the unit tests build this file in
 * user space (tests/unit/test_endbr.c).
 */
#ifndef PTE_REF_ENDBR_H
#define PTE_REF_ENDBR_H

/*
 * The 4 bytes at a function's entry are read as a little-endian u32.
 * ENDBR64 (f3 0f 1e fa) is passed in as @endbr, the kernel's gen_endbr(),
 * never written as a constant: an immediate 0xfa1e0ff3 in our code would
 * put an ENDBR64, a landing pad for any indirect branch, in the module's
 * text (the reason gen_endbr() builds it with a NOT).  The seal is passed
 * in as @poison, the kernel's gen_endbr_poison(), which changed in 7.x.
 */

/* The bytes a kprobe on a function's entry skips (see above). */
static inline int pte_ref_is_prologue(unsigned int insn, unsigned int endbr,
				      unsigned int poison)
{
	return insn == endbr || insn == poison;
}

/*
 * May a function whose first 4 bytes are @insn be called indirectly?
 * @ibt: IBT is enforced on this CPU.  Without IBT every entry may be.
 */
static inline int pte_ref_indirect_ok(unsigned int insn, int ibt,
				      unsigned int endbr)
{
	return !ibt || insn == endbr;
}

/*
 * @sym is sprint_symbol()'s text for an address: "name+0xOFF/0xSIZE",
 * optionally followed by " [module]".  Returns the offset of the address
 * into function @name when that is 0 or 4 (the only places a kprobe on
 * the entry may report), else -1.
 */
static inline long pte_ref_entry_offset(const char *sym, const char *name)
{
	unsigned long off = 0;
	int digits = 0;

	while (*name && *sym == *name) {
		sym++;
		name++;
	}
	if (*name || sym[0] != '+' || sym[1] != '0' || sym[2] != 'x')
		return -1;
	for (sym += 3; *sym && *sym != '/'; sym++, digits++) {
		unsigned int c = (unsigned char)*sym;

		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else
			return -1;
		if (digits >= 8)
			return -1;
		off = off * 16 + c;
	}
	if (*sym != '/' || !digits)
		return -1;
	return off == 0 || off == 4 ? (long)off : -1;
}

#endif /* PTE_REF_ENDBR_H */
