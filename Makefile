# SPDX-License-Identifier: GPL-2.0-only
# dm-ps-weighted: dm-multipath path selectors least-blocks and
# weighted-paths, and the abpath tool.
#
#   make                 modules for KVER/KDIR (default: the running kernel)
#                        and abpath
#   make check           everything the README promises, tested (see README)
#   make demo            the end-to-end A/B iSCSI scenario in a QEMU guest
#   make bench           benchmarks against the kernel's own selectors
#   make clean

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

all: modules abpath

modules:
	scripts/build-modules.sh --kdir $(KDIR)

abpath:
	$(MAKE) -C userspace

check:
	scripts/check.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

clean:
	rm -rf build
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/unit clean

.PHONY: all modules abpath check demo bench clean
