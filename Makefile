# SPDX-License-Identifier: GPL-2.0
#
# make                 pte_ref.ko against KDIR, and the tools
# make module          just the module (KDIR=/lib/modules/RELEASE/build)
# make tools           just the user tools (static binaries in tools/)
# make check           the whole test suite in QEMU on Debian 6.1, 6.12, 7.3
#                      and the debug 6.12 and 7.3 kernels
# make bench           the benchmarks, in QEMU, on each kernel
# make soak            the race test for an hour per kernel (not in check)
# make demo            boot Debian 6.12 in QEMU, load pte_ref, show a census
# make lint            checkpatch --strict, sparse (C=2) and W=1 on each kernel
# make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
KERNELS ?= 6.1 6.12 7.3 debug debug-7.3
# Timings on the KASAN kernel mean nothing: benchmarks run on Debian's.
BENCH_KERNELS ?= 6.1 6.12 7.3
SOAK_KERNELS ?= 6.12 debug 7.3 debug-7.3
# On 7.x trees sparse is scripts/fetch-sparse's (Debian's 0.6.4 is too old).
LINT_KERNELS ?= 6.1 6.12 7.3 debug debug-7.3

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

# check, bench and demo install what they need first (scripts/setup).
check:
	@scripts/setup
	@tests/run $(KERNELS)

bench:
	@scripts/setup
	@scripts/bench $(BENCH_KERNELS)

soak:
	@scripts/soak $(SOAK_KERNELS)

demo:
	@scripts/demo

lint:
	scripts/lint $(LINT_KERNELS)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools clean

.PHONY: all module tools check bench soak demo lint clean
