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
# make install         the tools, bpftrace scripts, man pages and the module
#                      (PREFIX=/usr/local, DESTDIR, KDIR); make install-tools
#                      without the module; make uninstall
# make dkms            register, build and install with DKMS (dkms.conf);
#                      make dkms-src copies the sources to /usr/src only
# make deb             pte-ref-dkms and pte-ref-tools .debs in dist/ (lintian)
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

# --- install ------------------------------------------------------------
PREFIX	?= /usr/local
sbindir	:= $(PREFIX)/sbin
bindir	:= $(PREFIX)/bin
# pteref trace finds the scripts here through its own path (any PREFIX).
scriptdir := $(PREFIX)/share/pte_ref/bpftrace
mandir	:= $(PREFIX)/share/man
KREL	= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)

# kdir-check first, even under make -j: nothing is installed without KDIR.
install: kdir-check
	@$(MAKE) --no-print-directory install-tools install-module

install-tools: tools
	install -D -m 0755 tools/pteref/pteref $(DESTDIR)$(sbindir)/pteref
	install -D -m 0755 tools/ptestress/ptestress $(DESTDIR)$(bindir)/ptestress
	install -d $(DESTDIR)$(scriptdir)
	install -m 0755 tools/bpftrace/*.bt $(DESTDIR)$(scriptdir)/
	install -D -m 0644 man/pteref.8 $(DESTDIR)$(mandir)/man8/pteref.8
	install -D -m 0644 man/ptestress.1 $(DESTDIR)$(mandir)/man1/ptestress.1

# The kernel's own modules_install, into /lib/modules/KREL/updates (what
# DKMS uses too), under DESTDIR when it is set.  Unsigned: the kernel's
# signing key is not in its headers (DKMS signs with its own, MOK, key).
install-module: kdir-check module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install
	$(depmod)

kdir-check:
	@test -f $(KDIR)/Makefile || { echo "make: no kernel build tree at" \
		"KDIR=$(KDIR): apt-get install linux-headers-$$(uname -r)," \
		"or pass KDIR=/path/to/kernel/build (make install-tools" \
		"installs the tools alone)" >&2; exit 1; }

# modprobe finds the module once depmod has run: kbuild skips it where the
# tree has no System.map (Debian's headers).  Under a DESTDIR the
# packager's postinst runs it.
depmod	= $(if $(DESTDIR),,$(if $(KREL),depmod -a $(KREL)))

# --- DKMS ----------------------------------------------------------------
VERSION	:= $(shell sed -n 's/^\#define PTE_REF_VERSION[[:space:]]*"\(.*\)"/\1/p' include/pte_ref_abi.h)
dkmsdir	:= /usr/src/pte_ref-$(VERSION)

dkms-src:
	install -d $(DESTDIR)$(dkmsdir)/module $(DESTDIR)$(dkmsdir)/include
	install -m 0644 Kbuild dkms.conf $(DESTDIR)$(dkmsdir)/
	install -m 0644 $(wildcard module/*.c module/*.h) $(DESTDIR)$(dkmsdir)/module/
	install -m 0644 include/pte_ref_abi.h $(DESTDIR)$(dkmsdir)/include/

# Register, build and install for the running kernel (and, through
# AUTOINSTALL, every kernel installed later).
dkms: dkms-src
	@command -v dkms >/dev/null || { echo "make dkms: no dkms: apt-get install dkms" >&2; exit 1; }
	dkms install pte_ref/$(VERSION)

dkms-remove:
	dkms remove pte_ref/$(VERSION) --all
	rm -rf $(dkmsdir)

# --- Debian packages -----------------------------------------------------
# pte-ref-dkms and pte-ref-tools, built by dpkg-buildpackage in a copy of
# the tree (its files only), checked by lintian; the .debs go to DEBDIR.
DEBDIR	?= $(CURDIR)/dist

deb:
	@for t in dpkg-buildpackage dh dh_dkms lintian; do \
		command -v $$t >/dev/null || { echo "make deb: no $$t:" \
		"apt-get install dpkg-dev debhelper dh-dkms lintian" >&2; exit 1; }; done
	rm -rf $(DEBDIR)/build && mkdir -p $(DEBDIR)/build/pte-ref-$(VERSION)
	git ls-files -co --exclude-standard -z | tar --null -cf - -T - | \
		tar -xf - -C $(DEBDIR)/build/pte-ref-$(VERSION)
	cd $(DEBDIR)/build/pte-ref-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(DEBDIR)/build/pte-ref_$(VERSION)_amd64.changes
	mv $(DEBDIR)/build/*.deb $(DEBDIR)/
	rm -rf $(DEBDIR)/build
	@ls $(DEBDIR)/*.deb

uninstall:
	rm -f $(DESTDIR)$(sbindir)/pteref $(DESTDIR)$(bindir)/ptestress
	rm -f $(DESTDIR)$(scriptdir)/*.bt
	-rmdir $(DESTDIR)$(scriptdir) $(DESTDIR)$(PREFIX)/share/pte_ref 2>/dev/null
	rm -f $(DESTDIR)$(mandir)/man8/pteref.8 $(DESTDIR)$(mandir)/man1/ptestress.1
	$(if $(KREL),rm -f $(DESTDIR)/lib/modules/$(KREL)/updates/pte_ref.ko*)
	$(depmod)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools clean

.PHONY: all module tools check bench soak demo lint clean install \
	install-tools install-module kdir-check uninstall dkms-src dkms dkms-remove deb
