#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""upstream-gen.py TOP OUTDIR

Writes the in-tree form of the two selectors (scripts/upstream.sh):
OUTDIR/drivers/md/dm-ps-least-blocks.c and dm-ps-weighted-paths.c, each one
file made of the policy core and the module glue of this tree, for the
kernel's own drivers/md/dm-path-selector.h instead of kernel/psw_abi.h:

  - the pieces are taken in include order, without include guards,
    "psw_*.h" includes and the userspace side of #ifdef __KERNEL__;
  - every <linux/...> / <asm/...> include moves to the top, once;
  - the core's functions become static (one object per module);
  - the version string comes from VERSION.
"""
import os
import re
import sys

top, out = sys.argv[1:3]
version = open(os.path.join(top, "VERSION")).read().strip()

CORE = ["dm-ps-weighted/psw_types.h", "dm-ps-weighted/psw_args.h",
        "dm-ps-weighted/psw_path.h", "kernel/psw_kpaths.h"]
FILES = {
    "dm-ps-least-blocks.c": CORE + ["dm-ps-weighted/psw_lb.h",
                                    "dm-ps-weighted/psw_lb.c",
                                    "kernel/dm-least-blocks-glue.c"],
    "dm-ps-weighted-paths.c": CORE + ["dm-ps-weighted/psw_wp.h",
                                      "dm-ps-weighted/psw_wp.c",
                                      "kernel/dm-weighted-paths-glue.c"],
}
FUNC = re.compile(r"^(int|void|bool|u32|u64|s64) (psw_\w+)\(")


def kernel_side(lines):
    """Drop the userspace side of #ifdef/#ifndef __KERNEL__ blocks."""
    res, stack = [], []     # stack: (is_kernel_block, keeping)
    for ln in lines:
        s = ln.strip()
        if s in ("#ifdef __KERNEL__", "#ifndef __KERNEL__"):
            stack.append((True, s == "#ifdef __KERNEL__"))
            continue
        if s.startswith("#if"):
            stack.append((False, True))
        elif s == "#else" and stack and stack[-1][0]:
            stack[-1] = (True, not stack[-1][1])
            continue
        elif s.startswith("#endif") and stack:
            k, _ = stack.pop()
            if k:
                continue
        if all(keep for _, keep in stack):
            res.append(ln)
    return res


def body(path, includes):
    lines = open(os.path.join(top, path)).read().split("\n")
    lines = kernel_side(lines)
    guard = None
    res = []
    for ln in lines:
        if ln.startswith("// SPDX") or ln.startswith("/* SPDX"):
            continue
        m = re.match(r"#ifndef (PSW_\w+_H)$", ln)
        if m and guard is None:
            guard = m.group(1)
            continue
        if guard and ln in ("#define " + guard, "#endif /* %s */" % guard):
            continue
        if re.match(r'#include "', ln):
            continue
        m = re.match(r"#include (<[^>]+>)", ln)
        if m:
            if m.group(1) not in includes:
                includes.append(m.group(1))
            continue
        res.append(ln)
    return res


def static_core(lines):
    """Non-static core functions (prototypes and definitions) -> static."""
    res = []
    for ln in lines:
        if FUNC.match(ln):
            ln = "static " + ln
            # keep continuation lines aligned with the opening parenthesis
        res.append(ln)
    return res


def realign(lines):
    """Re-indent continuation lines of the declarations made static."""
    res, shift = [], 0
    for ln in lines:
        if shift and ln.startswith("\t") and not ln.startswith("\t\t\t\t\t\t\t\t"):
            # a parameter continuation: tabs then spaces to the parenthesis
            m = re.match(r"^(\t*)( *)(.*)$", ln)
            col = len(m.group(1)) * 8 + len(m.group(2)) + shift
            ln = "\t" * (col // 8) + " " * (col % 8) + m.group(3)
        if ln.startswith("static ") and FUNC.match(ln[7:]) and not ln.rstrip().endswith((")", ");", "{")):
            shift = 7
        elif shift and (ln.rstrip().endswith(")") or ln.rstrip().endswith(");")):
            res.append(ln)
            shift = 0
            continue
        elif not ln.startswith("\t"):
            shift = 0
        res.append(ln)
    return res


def no_file_refs(lines):
    """Comments naming the tree's psw_*.h files: those are above now."""
    return [re.sub(r"\bpsw_\w+\.h\b", "above", ln) if not ln.startswith("#")
            else ln for ln in lines]


def squeeze(lines):
    res = []
    for ln in lines:
        if ln == "" and res and res[-1] == "":
            continue
        res.append(ln)
    while res and res[0] == "":
        res.pop(0)
    while res and res[-1] == "":
        res.pop()
    return res


for name, parts in FILES.items():
    includes = []
    glue = parts[-1]
    chunks = []
    for p in parts:
        b = body(p, includes)
        if p == glue:
            text = "\n".join(b)
            # the file comment of the glue heads the whole file
            m = re.match(r"\s*(/\*.*?\*/)\n", text, re.S)
            head = m.group(1)
            text = text[m.end():]
            text = re.sub(r"#ifndef PSW_VERSION\n#error[^\n]*\n#endif\n",
                          '#define PSW_VERSION "%s"\n' % version, text)
            b = text.split("\n")
        else:
            b = static_core(b)
        chunks.append(b)
    lines = ["// SPDX-License-Identifier: GPL-2.0-only", head]
    inc = [i for i in includes if i.startswith("<linux/")]
    inc = sorted(inc) + sorted(i for i in includes if not i.startswith("<linux/"))
    lines += ["#include %s" % i for i in inc]
    lines += ['', '#include "dm-path-selector.h"', ""]
    for b in chunks:
        lines += squeeze(b) + [""]
    lines = realign(no_file_refs(squeeze(lines)))
    dst = os.path.join(out, "drivers/md", name)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "w") as f:
        f.write("\n".join(lines) + "\n")
