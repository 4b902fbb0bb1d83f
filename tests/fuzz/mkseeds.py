#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the seed corpora of tests/fuzz/ (run once; the output is committed).

corpus/fuzz_sysfs:  one seed per tests/abpath/fixtures/NAME tree, in
                    fuzz_sysfs.c's record format (PATH\\0CONTENT\\0..., @PATH
                    for symlinks)
corpus/fuzz_abpath: tests/abpath/configs/*.json behind selector byte 0, a dm
                    table/status pair (1), wwid strings (2), a weight spec (4)
                    and a side list (5)
corpus/fuzz_core:   a few numbers, argument sets and weight vectors
"""
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.normpath(os.path.join(here, "..", ".."))


def put(name, i, data):
    d = os.path.join(here, "corpus", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-%03d" % i), "wb") as f:
        f.write(data)


fx = os.path.join(top, "tests", "abpath", "fixtures")
for i, name in enumerate(sorted(os.listdir(fx))):
    root = os.path.join(fx, name)
    recs = []
    for dp, dns, fns in os.walk(root):
        for n in sorted(dns + fns):
            p = os.path.join(dp, n)
            rel = os.path.relpath(p, root).encode()
            if os.path.islink(p):
                recs.append(b"@" + rel + b"\0" + os.readlink(p).encode() + b"\0")
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    recs.append(rel + b"\0" + f.read()[:512] + b"\0")
    put("fuzz_sysfs", i, b"".join(recs))

cf = os.path.join(top, "tests", "abpath", "configs")
i = 0
for n in sorted(os.listdir(cf)):
    with open(os.path.join(cf, n), "rb") as f:
        put("fuzz_abpath", i, b"\0" + f.read())
    i += 1
A, B = b"8:16", b"8:32"
for data in (
    b"\1" + b"0 2097152 multipath 1 queue_if_no_path 0 1 1 weighted-paths 0 2 1 " + A + b" 3 " + B + b" 1\n"
    b"0 2097152 multipath 2 0 0 0 1 1 A 0 2 4 " + A + b" A 0 0 10 4096 3 " + B + b" A 0 0 5 2048 1",
    b"\1" + b"0 2097152 multipath 0 0 1 1 least-blocks 0 2 1 " + A + b" 1 " + B + b" 1\n"
    b"0 2097152 multipath 2 0 0 0 1 1 A 0 2 4 " + A + b" F 1 0 0 0 1 " + B + b" A 0 4096 1 4096 1",
    b"\2" + b"36001405aa6b2c7d3e4f5a6b7c8d9e0f1",
    b"\2" + b"naa.6001405aa6b2c7d3e4f5a6b7c8d9e0f1\n",
    b"\3" + bytes([0, 0x83, 0, 20, 1, 3, 0, 16]) + bytes(range(16)),
    b"\4" + b"A=3,B=1",
    b"\5" + b"10.0.1.0/24,iqn.2003-01.org.example:a",
):
    put("fuzz_abpath", i, data)
    i += 1

core = [
    b"\0" + struct.pack("<II", 0, 1000) + b"1000",
    b"\0" + struct.pack("<II", 1, 1000) + b"4294967296",
    b"\0" + struct.pack("<II", 0, 0xffffffff) + b"01",
    b"\1\1" + b"7",
    b"\1\0" + b"1001",
    b"\1\0" + b"1\0" + b"2",
    b"\2\0" + b"priority",
    b"\2\0" + b"proportional\0" + b"x",
    b"\3\0" + struct.pack("<Q", 12345) + bytes([3, 0]) + struct.pack("<HHH", 3, 1, 2),
    b"\3\1" + struct.pack("<Q", 7) + bytes([5, 0]) + struct.pack("<HHHHH", 2, 2, 0x8001, 0, 5),
    b"\3\0" + struct.pack("<Q", 99) + bytes([63, 0]) + bytes(range(128)),
]
for i, data in enumerate(core):
    put("fuzz_core", i, data)
