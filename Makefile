# SPDX-License-Identifier: GPL-2.0-only
# dm-ps-weighted: dm-multipath path selectors least-blocks and
# weighted-paths, and the abpath tool.
#
#   make                 modules for KVER/KDIR (default: the running kernel)
#                        and abpath
#   make check           everything the README promises, tested (see README)
#   make torture         long robustness runs: flapping, reloads, bad tables,
#                        fuzzing 10 min per target, RT guest (~50-75 min)
#   make demo            the end-to-end A/B iSCSI scenario in a QEMU guest
#   make bench           benchmarks against the kernel's own selectors
#   make install         modules to /lib/modules/KVER/updates (+ depmod), abpath,
#                        man pages, /etc/modules-load.d/dm-ps-weighted.conf;
#                        DESTDIR= and PREFIX= (default /usr) honoured; records
#                        a manifest in DESTDIR/var/lib/dm-ps-weighted/
#   make uninstall       removes exactly what the manifest lists
#   make dkms-install    DKMS source in /usr/src/dm-ps-weighted-VERSION, built
#                        and installed for KVER (dkms-uninstall undoes it)
#   make deb             Debian packages dm-ps-weighted-dkms and abpath in build/deb/
#                        (dpkg-buildpackage -us -uc -b on a copy of the tree
#                        in build/deb/src/, then lintian)
#   make upstream        the selectors as an in-tree patch series against
#                        linux-source-6.12 (build/upstream/series/), checked:
#                        checkpatch --strict, applied to the extracted source
#                        and built there with the kernel's kbuild (W=1, sparse)
#   make abi-check       only the ABI guard for KVER/KDIR: kernel/psw_abi.h against
#                        the kernel's BTF (every build runs it first)
#   make clean

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
DESTDIR ?=
PREFIX ?= /usr

all: modules abpath

modules:
	scripts/build-modules.sh --kdir $(KDIR)

abi-check:
	scripts/abi-check.sh --kdir $(KDIR)

abpath:
	$(MAKE) -C userspace

check:
	scripts/check.sh

torture:
	scripts/torture.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

upstream:
	scripts/upstream.sh --check

install: all
	scripts/install.sh install --kver "$(KVER)" --destdir "$(DESTDIR)" --prefix "$(PREFIX)"

uninstall:
	scripts/install.sh uninstall --destdir "$(DESTDIR)"

dkms-install:
	scripts/dkms.sh install "$(KVER)"

dkms-uninstall:
	scripts/dkms.sh uninstall

# A copy of the tree (git's tracked files, as they are in the work tree:
# a stray untracked file under kernel/ must not end up in the DKMS source
# package), since dpkg-buildpackage writes its results to the parent
# directory.
DEB_SRC = build/deb/src/dm-ps-weighted-$(shell cat VERSION)
deb:
	rm -rf build/deb && mkdir -p $(DEB_SRC)
	git ls-files -z -c | \
		tar --null -T - --ignore-failed-read -cf - | tar -C $(DEB_SRC) -xf -
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	mv build/deb/src/*.deb build/deb/src/*.changes build/deb/src/*.buildinfo build/deb/
	lintian --fail-on error,warning --info build/deb/*.changes

clean:
	rm -rf build
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/unit clean

.PHONY: all modules abi-check abpath deb check torture demo bench upstream clean install uninstall dkms-install dkms-uninstall
