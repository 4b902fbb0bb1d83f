#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""scripts/figures-check.py [--list]

The figures README.md, Documentation/*.rst and dm-ps-weighted/psw_wp.h
quote, computed again from the committed raw data by the scripts that
made them, and the generated benchmark tables made again from theirs
(make check step "figures", TAP, about a second).

  raw data                                  through
  bench/results/KVER.tsv                    bench/summarize.py (KVER.md,
                                            RESULTS.md and the figures)
  bench/results/case7/KVER.tsv              the same (case 7 alone)
  bench/results/issue20/run3-final.tsv      bench/compare_old.py
  bench/results/issue20/core-*.txt          bench/core/run.sh's tables
  Documentation/data/make-check-*.txt       scripts/check-times.sh
  Documentation/data/ci-*.txt               read (the tracker's CI time)
  tests/unit/test_wp.c WP_DOC_*             the unit tests compare them
                                            with what they find
  tests/vm/debug-kernel/config,             counted
  scripts/check.sh (debug lane storm)

QUOTES (below) lists each passage that holds figures, the figures written
as {name}; filled in, the passage must appear in its file (a line break
or a run of blanks counts as one space).  --list prints every figure, its
value and where it comes from.  A figure is changed by changing its data
(a new bench run, a new make check extract) and then the text; a passage
reworded is reworded here too.

Catches: a quoted figure edited by hand, or left as it was when its data
or the script computing it change; a passage that no longer says what the
data say; KVER.md or RESULTS.md edited or out of date with their .tsv;
raw data or a script gone, or in another shape.  Shown
on a scratch copy of the tree, with README.md's "17 more to 245 fewer"
made "17 more to 258 fewer" (weighted-paths' figure, issue 19):
  #   README.md: ins_lb_fewer: the text says 258, the data give 245
  #   (bench/results/{6.1.0-57-amd64,6.12.117+deb12-amd64}.tsv, case
  #   overhead: (1/IOPS - 1/IOPS_rr) x 125 M, from the medians:
  #   least-blocks' fewest (negated))
  not ok - README.md: 1 of 18 passages differ from the data
and with 6.1's least-blocks stall in the .tsv made 260 ms instead of 26:
  not ok - bench/results/6.1.0-57-amd64.md: has "| least-blocks | 26 |"
  where bench/summarize.py makes "| least-blocks | 260 |" of ...
  #   README.md: stall_moving: the text says 14-31, the data give 14-260 ...
  #   Documentation/dm-least-blocks.rst: stall_lb: the text says 26 / 24,
  #   the data give 260 / 24 ...
Does not catch: a number added to the text and not listed in QUOTES (so
quote no measured figure without listing it here), raw data edited in
step with the text, figures in CHANGELOG.md (a record of what was said).
"""
import itertools
import os
import re
import statistics
import subprocess
import sys

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(top, "bench"))
import summarize  # noqa: E402  (bench/summarize.py)

KVERS = ["6.1.0-57-amd64", "6.12.117+deb12-amd64"]  # 6.1 / 6.12, in that order
# make bench case 7, run alone into a directory of its own (scripts/bench.sh)
CASE7 = "bench/results/case7"
KVERS7 = ["6.1.0-57-amd64", "6.12.118+deb12-amd64"]
MAKE_CHECK = "Documentation/data/make-check-2026-12-07b.txt"
ISSUE20 = "bench/results/issue20/"

FIGS = {}       # name -> (value as quoted, source)


def fig(name, value, source):
    assert name not in FIGS, name
    FIGS[name] = (value, source)


def rng(vals, fmt="%s", sep="-"):
    """'lo-hi' of the formatted values, or one value if they are equal"""
    vals = sorted(vals)
    lo, hi = fmt % vals[0], fmt % vals[-1]
    return lo if lo == hi else lo + sep + hi


def pair(vals, fmt):
    """'6.1 / 6.12'"""
    return " / ".join(fmt % v for v in vals)


def mmss(secs):
    return "%d min %d s" % (secs // 60, secs % 60)


def path(rel):
    return os.path.join(top, rel)


# -- make bench: bench/results/KVER.tsv through bench/summarize.py --------

def bench_figures():
    data = [summarize.load(path("bench/results/%s.tsv" % k))[0] for k in KVERS]
    src = "bench/results/{%s}.tsv, case " % ",".join(KVERS)
    med = statistics.median

    def vals(raw, case, cfg, sel):
        return list(raw[(case, cfg, sel)].values())

    def ratio(raw, case, cfg, sel, den):
        """median of the per-repetition ratios, as in summarize.py"""
        return med(summarize.ratio(raw, case, cfg, sel, den))

    # case 1, overhead: IOPS / round-robin, and instructions per I/O
    # against round-robin from the medians (125 M instructions/s)
    ovc = ["2p qd16", "8p qd16", "2p qd32", "8p qd32"]

    def ov(raw, cfg, sel):
        rr = raw[("overhead", cfg, "rr")]
        return ratio(raw, "overhead", cfg, sel, lambda k: rr.get(k, 0))

    def instr(raw, cfg, sel):
        return (1 / med(vals(raw, "overhead", cfg, sel)) -
                1 / med(vals(raw, "overhead", cfg, "rr"))) * 125e6

    s = src + "overhead: median of IOPS / round-robin per repetition"
    fig("ov_lb_61", rng([ov(data[0], c, "lb") for c in ovc], "%.3f"), s + ", 6.1")
    fig("ov_lb_612", rng([ov(data[1], c, "lb") for c in ovc], "%.3f"), s + ", 6.12")
    for sel in ("ql", "st", "wp"):
        fig("ov_" + sel, rng([ov(r, c, sel) for r in data for c in ovc], "%.3f"),
            s + ", both kernels, " + summarize.NAMES[sel])
    s = src + "overhead: (1/IOPS - 1/IOPS_rr) x 125 M, from the medians"
    lb = [round(instr(r, c, "lb")) for r in data for c in ovc]
    wp = [round(instr(r, c, "wp")) for r in data for c in ovc]
    fig("ins_lb_more", "%d" % max(lb), s + ": least-blocks' most")
    fig("ins_lb_fewer", "%d" % -min(lb), s + ": least-blocks' fewest (negated)")
    fig("ins_wp_range", rng([-x for x in wp], "%d", " to "),
        s + ": weighted-paths (negated)")
    fig("ins_hst_8p", rng([round(instr(r, c, "hst")) for r in data for c in ovc
                           if c.startswith("8p")], "%d"),
        s + ": historical-service-time, 8 paths")
    for c in ("2p qd16", "8p qd16"):
        for sel in ("lb", "st"):
            fig("ins_%s_%s" % (sel, c[:2]), pair([instr(r, c, sel) for r in data], "%+.0f"),
                s + ": %s, %s, 6.1 / 6.12" % (summarize.NAMES[sel], c))
    d = [instr(r, c, "st") - instr(r, c, "lb") for r in data for c in ovc]
    stack = [[125e6 / med(vals(r, "overhead", c, "rr")) for c in ovc] for r in data]
    fig("lb_vs_st", rng(d, "%.0f", " to "), s + ": service-time minus least-blocks")
    fig("stack", " / ".join("{:,.0f}".format(round(med(x), -2)) for x in stack),
        src + "overhead: 125 M / round-robin's IOPS, the configurations' median, "
        "to the hundred, 6.1 / 6.12")
    fig("lb_vs_st_pct", rng([x / y * 100 for x, y in
                             zip(d, stack[0] + stack[1])], "%.1f", " to "),
        s + ": service-time minus least-blocks, in % of the whole stack")

    # case 2, capacity: map throughput / (fast alone + slow alone)
    def cap(raw, cfg, sel):
        fa, sl = raw[("capacity", cfg, "fast")], raw[("capacity", cfg, "slow")]
        return ratio(raw, "capacity", cfg, sel, lambda k: fa.get(k, 0) + sl.get(k, 0))

    s = src + "capacity: median of throughput / (fast + slow alone) per repetition"
    fig("cap_lif", rng([cap(r, c, sel) for r in data for c in ("4k", "mixed")
                        for sel in ("ql", "st", "hst", "lb")], "%.2f"),
        s + ", queue-length, service-time, historical-service-time, least-blocks")
    fig("cap_rr", rng([cap(r, c, "rr") for r in data for c in ("4k", "mixed")], "%.2f"),
        s + ", round-robin")
    for sel in ("lb", "st"):
        fig("cap_mixed_" + sel, pair([cap(r, "mixed", sel) for r in data], "%.2f"),
            s + ", mixed, %s, 6.1 / 6.12" % summarize.NAMES[sel])

    # case 2b, latency at 60 % open-loop load (fio reports us)
    lc = "mixed 60%"
    s = src + "latency, latency99 (%s): medians, ms, 6.1 / 6.12" % lc
    for sel in ("lb", "ql", "lbw", "stw"):
        fig("p99_" + sel, pair([med(vals(r, "latency99", lc, sel)) / 1000 for r in data],
                               "%.0f"), s + ", p99, " + summarize.NAMES[sel])
    for sel in ("lbw", "stw"):
        fig("mean_" + sel, pair([med(vals(r, "latency", lc, sel)) / 1000 for r in data],
                                "%.1f"), s + ", mean, " + summarize.NAMES[sel])
    for sel in ("lb", "lbw", "stw"):
        fig("mql_" + sel, pair([ratio(r, "latency", lc, sel,
                                      lambda k, r=r: r[("latency", lc, "ql")].get(k, 0))
                                for r in data], "%.2f"),
            s + ", mean / queue-length's per repetition, " + summarize.NAMES[sel])

    # case 3, iSCSI A/B, A side +5 ms
    s = src + "iscsi: "
    for qd in ("qd16", "qd2"):
        c = "A+5ms " + qd

        def xql(r, sel, c=c):
            ql = r[("iscsi", c, "ql")]
            return summarize.ratio(r, "iscsi", c, sel, lambda k: ql.get(k, 0))
        for sel in ("lb", "st"):
            fig("iops_%s_%s" % (qd, sel), pair([med(vals(r, "iscsi", c, sel)) for r in data],
                                               "%.0f"),
                s + "median IOPS, %s, %s, 6.1 / 6.12" % (qd, summarize.NAMES[sel]))
        for sel in ("lb", "rr"):
            fig("xql_%s_%s" % (qd, sel), pair([med(xql(r, sel)) for r in data], "%.2f"),
                s + "median of IOPS / queue-length's per repetition, %s, %s, 6.1 / 6.12"
                % (qd, summarize.NAMES[sel]))
        fig("xql_%s_lb_reps" % qd, " / ".join(rng(xql(r, "lb"), "%.2f") for r in data),
            s + "IOPS / queue-length's, the repetitions' range, %s, least-blocks" % qd)
    for sel in ("lb", "st"):
        fig("iops_qd2_%s_612_reps" % sel,
            rng(vals(data[1], "iscsi", "A+5ms qd2", sel), "%.0f"),
            s + "IOPS, the repetitions' range, qd2, 6.12, " + summarize.NAMES[sel])

    # case 4, weighted accuracy: largest share error, points
    fig("acc_max", "%.2f" % max(v for r in data for c in ("3:1", "7:2:1")
                                for v in vals(r, "accuracy", c, "wp")),
        src + "accuracy: the largest share error of any repetition")

    # case 6, failover stall: longest completion gap, ms, one cut each
    s = src + "stall: longest completion gap (one cut per selector and kernel)"

    def gap(r, sel):
        return r[("stall", "A cut", sel)][1]
    fig("stall_moving", rng([gap(r, sel) for r in data
                             for sel in ("ql", "st", "hst", "lb")], "%.0f"),
        s + ", ms, queue-length, service-time, historical-service-time, least-blocks")
    fig("stall_stuck", rng([gap(r, sel) / 1000 for r in data for sel in ("rr", "wp")],
                           "%.1f"), s + ", s, round-robin and weighted-paths")
    for sel in ("lb", "st", "rr"):
        fig("stall_" + sel, pair([gap(r, sel) for r in data], "%.0f"),
            s + ", ms, 6.1 / 6.12, " + summarize.NAMES[sel])


# -- make bench case 7: bench/results/case7/KVER.tsv ----------------------

def case7_figures():
    data = [summarize.load(path("%s/%s.tsv" % (CASE7, k)))[0] for k in KVERS7]
    src = "%s/{%s}.tsv, case " % (CASE7, ",".join(KVERS7))
    cfg = "tbf 16mbit"
    med = statistics.median
    # the probe's mean, p50, p99 (us in the raw data, ms here) and the
    # streams' KiB/s: medians, and medians of the per-repetition ratios
    for case, name, div, fmt in (("probe", "mean", 1000, "%.1f"),
                                 ("probe50", "p50", 1000, "%.1f"),
                                 ("probe99", "p99", 1000, "%.0f"),
                                 ("streams", "bw", 1, "%.0f")):
        for sel in ("lb", "ql", "st"):
            fig("b7_%s_%s" % (name, sel),
                pair([med(r[(case, cfg, sel)].values()) / div for r in data], fmt),
                src + "%s (%s): median, 6.1 / 6.12, %s"
                % (case, cfg, summarize.NAMES[sel]))
        for den in ("ql", "st"):
            fig("b7_%s_lb_x%s" % (name, den),
                pair([med(summarize.ratio(r, case, cfg, "lb",
                                          lambda k, r=r: r[(case, cfg, den)].get(k, 0)))
                      for r in data], "%.2f"),
                src + "%s (%s): median of least-blocks / %s per repetition, 6.1 / 6.12"
                % (case, cfg, summarize.NAMES[den]))
            fig("b7_%s_lb_x%s_reps" % (name, den),
                " / ".join(rng(summarize.ratio(r, case, cfg, "lb",
                                               lambda k, r=r: r[(case, cfg, den)].get(k, 0)),
                               "%.2f") for r in data),
                src + "%s (%s): least-blocks / %s, the repetitions' range, 6.1 / 6.12"
                % (case, cfg, summarize.NAMES[den]))

    # issue 19's goal, per kernel: p99 <= 0.5 x queue-length's and
    # streams >= 0.98 x queue-length's (medians of the per-repetition
    # ratios), p99 the same as service-time's within the noise (the
    # repetitions' ratios to it on both sides of 1)
    def xr(r, case, den):
        return summarize.ratio(r, case, cfg, "lb",
                               lambda k: r[(case, cfg, den)].get(k, 0))
    missed = [k for k, r in zip(("6.1", "6.12"), data)
              if not (med(xr(r, "probe99", "ql")) <= 0.5 and
                      med(xr(r, "streams", "ql")) >= 0.98 and
                      min(xr(r, "probe99", "st")) <= 1 <= max(xr(r, "probe99", "st")))]
    fig("b7_goal", "met on both kernels" if not missed else
        "not met on " + " and ".join(missed),
        src + "probe99, streams (%s): the goal's three conditions per kernel" % cfg)


# -- issue 20: bench/compare_old.py, bench/core/run.sh's tables -------------

def issue20_figures():
    out = subprocess.run([sys.executable, path("bench/compare_old.py"),
                          path(ISSUE20 + "run3-final.tsv")],
                         capture_output=True, text=True, check=True).stdout
    new_old = {}    # cfg -> |new - old| / round-robin, median
    cfg = None
    for line in out.splitlines():
        m = re.match(r"(\S+ \S+):$", line)
        if m:
            cfg = m.group(1)
        m = re.search(r"\(new-old\)/rr median ([-+][0-9.]+)", line)
        if m:
            new_old[cfg] = abs(float(m.group(1))) * 100
    s = "bench/compare_old.py " + ISSUE20 + "run3-final.tsv: |(new - old) / rr|, %, "
    for p in ("2p", "8p"):
        fig("i20_" + p, rng([v for c, v in new_old.items() if c.startswith(p)], "%.2f"),
            s + p + " qd16 and qd32")

    def core(name):
        t = {}
        with open(path(ISSUE20 + name)) as f:
            for line in f:
                c = [x.strip() for x in line.strip().strip("|").split("|")]
                if len(c) == 3 and c[1].isdigit():
                    t.setdefault(c[0], {})[int(c[1])] = float(c[2])
        return t
    new, old = core("core-one-loop.txt"), core("core-8ad0cfe.txt")
    s = ISSUE20 + "%s (bench/core/run.sh), Ir per I/O cycle, "
    fig("core_lb_8", "%.0f" % new["least-blocks"][8], s % "core-one-loop.txt" + "8 paths")
    fig("core_old_lb_8", "%.0f" % old["least-blocks"][8], s % "core-8ad0cfe.txt" + "8 paths")
    fig("core_lb", rng(new["least-blocks"].values(), "%.0f"),
        s % "core-one-loop.txt" + "least-blocks, 2, 8 and 64 paths")
    fig("core_old_lb", rng(old["least-blocks"].values(), "%.0f"),
        s % "core-8ad0cfe.txt" + "least-blocks, 2, 8 and 64 paths")
    fig("core_wp", rng(new["weighted-paths"].values(), "%.0f"),
        s % "core-one-loop.txt" + "weighted-paths")
    fig("core_base", rng(new["baseline (no policy)"].values(), "%.0f"),
        s % "core-one-loop.txt" + "the harness alone")


# -- make check: Documentation/data/make-check-*.txt -----------------------

def make_check_figures():
    out = subprocess.run(["bash", path("scripts/check-times.sh"), path(MAKE_CHECK)],
                         capture_output=True, text=True, check=True).stdout
    src = "scripts/check-times.sh " + MAKE_CHECK + ": "
    steps, tests, guests = {}, {}, {}
    for line in out.splitlines():
        m = re.match(r"step (\S+) +started (\d+):(\d+):(\d+)$", line)
        if m:
            h, mi, se = map(int, m.groups()[1:])
            steps[m.group(1)] = h * 3600 + mi * 60 + se
        m = re.match(r" +test (\S+) +([0-9.]+)s \S+ \((\S+)\)$", line)
        if m:
            tests[(m.group(3), m.group(1))] = float(m.group(2))
        m = re.match(r" +guest \S+ +wall ([0-9.]+)s \((\S+)\)$", line)
        if m:
            guests[m.group(2)] = float(m.group(1))
        m = re.match(r"debug kernel: .*: (\d+)m(\d+)s wall, make CPU ([0-9.]+)s user "
                     r"\+ ([0-9.]+)s sys", line)
        if m:
            fig("mc_dk_make", mmss(int(m.group(1)) * 60 + int(m.group(2))),
                src + "the debug kernel's make, wall")
            fig("mc_dk_user", "%.0f" % float(m.group(3)), src + "its user CPU, s")
            fig("mc_dk_sys", "%.0f" % float(m.group(4)), src + "its sys CPU, s")
        m = re.match(r"debug kernel ready after (\d+)s", line)
        if m:
            fig("mc_dk_ready", mmss(int(m.group(1))), src + "debug kernel ready after")
        m = re.match(r"total (\d+) s, (\d+ passed, \d+ failed)$", line)
        if m:
            fig("mc_total", m.group(1), src + "total, s")
            fig("mc_total_min", "%.1f" % (int(m.group(1)) / 60), src + "total, minutes")
            fig("mc_result", m.group(2), src + "the summary line")
    dk = [s for s in steps if s.startswith("build-") and s.endswith("-pswdebug")][0]
    fig("mc_seq", mmss(steps["debug-kernel"] - steps["deps"]),
        src + "from step deps to step debug-kernel (which waits for both)")
    fig("mc_selftest", mmss(steps["vm-selftest-debug"] - steps[dk]),
        src + "from step %s to step vm-selftest-debug (printed when the "
        "self-tests ended)" % dk)
    fig("mc_dguest", "%.1f" % (guests["vm-debug"] / 60), src + "vm-debug guest wall, min")
    fig("mc_dstorm", "%.1f" % (guests["vm-storm-debug"] / 60),
        src + "vm-storm-debug guest wall, min")
    for t in ("t_flap", "t_reload", "t_nopath", "t_lifecycle", "t_badtables", "t_devfail"):
        fig("mc_" + t, "%.0f" % tests[("vm-debug", t)], src + "vm-debug, test time, s")
    fig("mc_t_storm", "%.0f" % tests[("vm-storm-debug", "t_storm")],
        src + "vm-storm-debug, test time, s")
    fig("mc_deb_guests", rng([w / 60 for s, w in guests.items()
                              if re.match(r"vm-\d", s)], "%.1f"),
        src + "the Debian kernels' test guests, wall, min")
    fig("mc_deb_storms", rng([w / 60 for s, w in guests.items()
                              if re.match(r"vm-storm-\d", s)], "%.1f"),
        src + "the Debian kernels' storm guests, wall, min")
    # boot to command: vm-run's exit lines, kept in the extract as they were
    boot = {}
    with open(path(MAKE_CHECK)) as f:
        step = None
        for line in f:
            m = re.match(r"=== (\S+)", line)
            if m:
                step = m.group(1)
            m = re.match(r"vm: \S+: exit \d+; boot-to-command ([0-9.]+)s", line)
            if m:
                boot[step] = float(m.group(1))
    fig("mc_boot_debug", "%.1f" % boot["vm-debug"],
        MAKE_CHECK + ": vm-debug's boot-to-command, s")
    fig("mc_boot_debug_smp4", "%.1f" % boot["vm-storm-debug"],
        MAKE_CHECK + ": vm-storm-debug's boot-to-command (4 vCPUs), s")


def ci_figures():
    src = "Documentation/data/ci-2026-12-07.txt"
    with open(path(src)) as f:
        rows = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
    rev, line = rows[-1]
    secs = int(re.search(r"CI passed in (\d+) s", line).group(1))
    fig("ci_rev", rev, src + ": the last landed commit")
    fig("ci_total", "%d" % secs, src + ": its CI time, s")
    fig("ci_total_min", "%.1f" % (secs / 60), src + ": its CI time, minutes")


# -- the unit tests' figures, the debug kernel's config, make check's lane ---

def other_figures():
    with open(path("tests/unit/test_wp.c")) as f:
        for m in re.finditer(r'#define\s+(WP_DOC_\w+)\s+"([^"]+)"', f.read()):
            fig(m.group(1).lower(), m.group(2),
                "tests/unit/test_wp.c %s (test_wp checks it)" % m.group(1))
    with open(path("tests/vm/debug-kernel/config")) as f:
        cfg = f.read()
    fig("dk_options", "%d" % len(re.findall(r"^CONFIG_\w+=[ym]$", cfg, re.M)),
        "tests/vm/debug-kernel/config: options =y or =m")
    fig("dk_modules", "%d" % len(re.findall(r"^CONFIG_\w+=m$", cfg, re.M)),
        "tests/vm/debug-kernel/config: options =m")
    with open(path("scripts/check.sh")) as f:
        env = re.search(r"^debug_storm_env=\((.*?)\)$", f.read(), re.M | re.S).group(1)
    fig("dstorm_secs", re.search(r"STORM_SECS=(\d+)", env).group(1),
        "scripts/check.sh debug_storm_env STORM_SECS")
    fig("dstorm_maps", "%d" % len(re.search(r'STORM_MAPS=([^"]*)"', env).group(1).split()),
        "scripts/check.sh debug_storm_env STORM_MAPS, counted")


# -- what the text says -----------------------------------------------------

QUOTES = {
    "README.md": [
        # "Where the time goes" (make check of 2026-12-07, 44a3ec6)
        "kernel, built un-niced beside them from the start, were done {mc_seq} in "
        "(the kernel after {mc_dk_ready}: {mc_dk_make} of make, {mc_dk_user} s user "
        "+ {mc_dk_sys} s sys CPU);",
        "modules' build against it and the self-tests {mc_selftest}; beside them the "
        "storm guest {mc_dstorm} minutes, then the 6-test guest {mc_dguest} "
        "minutes). Total {mc_total} s ({mc_total_min} minutes; CI allows 90), "
        "{mc_result}.",
        "so {mc_total_min} is an upper bound",
        "CI's run of {ci_rev}, the commit after those cuts, passed in {ci_total} s "
        "({ci_total_min} minutes) on its own 2-core machine",
        "(t_storm {mc_t_storm} s, then t_flap {mc_t_flap} s, t_reload "
        "{mc_t_reload} s, t_nopath {mc_t_nopath} s, t_lifecycle {mc_t_lifecycle} s, "
        "t_badtables {mc_t_badtables} s, t_devfail {mc_t_devfail} s)",
        "the Debian guests took {mc_deb_guests} minutes each, their storms "
        "{mc_deb_storms}.",
        # the debug lane
        "{dk_options} options set (y or m), {dk_modules} of them modules,",
        "clean clone builds it (`make -j2`): {mc_dk_make} in make check's run "
        "of 2026-12-07, beside the other steps (make CPU {mc_dk_user} s user + "
        "{mc_dk_sys} s sys;",
        "(boot to command {mc_boot_debug} s, {mc_boot_debug_smp4} s with 4 vCPUs, "
        "in that run)",
        "t_storm ({dstorm_maps} maps, {dstorm_secs} s, 4 vCPUs)",
        # Benchmarks
        "least-blocks {ov_lb_61} x round-robin IOPS on 6.1 and {ov_lb_612} on "
        "6.12, at or above queue-length ({ov_ql}) and service-time ({ov_st}) "
        "at 2 and 8 paths, qd 16 and 32; weighted-paths {ov_wp}.",
        "least-blocks is {ins_lb_more} more to {ins_lb_fewer} fewer than "
        "round-robin (weighted-paths {ins_wp_range} fewer); "
        "historical-service-time costs {ins_hst_8p} more at 8 paths.",
        "reaches {cap_lif} of the summed bandwidth, least-blocks included; "
        "round-robin {cap_rr}.",
        "p99 {p99_lb} ms least-blocks vs {p99_ql} queue-length (mean {mql_lb} x); "
        "with the paths' 4:1 capacity as weight least-blocks gets p99 {p99_lbw} "
        "ms (mean {mql_lbw} x queue-length), service-time 4:1 {p99_stw} ms "
        "({mql_stw} x).",
        "(least-blocks {xql_qd16_lb} x queue-length median, repetitions "
        "{xql_qd16_lb_reps}). At qd 2 (latency-bound) least-blocks "
        "{xql_qd2_lb} x queue-length (repetitions {xql_qd2_lb_reps}), "
        "round-robin {xql_qd2_rr} x.",
        "(share error at most {acc_max} points)",
        "least-blocks {core_lb} instructions per I/O cycle with every path busy "
        "at 2, 8 and 64 paths ({core_old_lb} before issue 20's one loop), "
        "weighted-paths {core_wp} flat, the harness alone {core_base}",
        "(longest gap between completions {stall_moving} ms); round-robin and "
        "weighted-paths stall {stall_stuck} s until the failure",
    ],
    "Documentation/dm-least-blocks.rst": [
        "longest gap between completions {stall_lb} ms for least-blocks against "
        "{stall_rr} ms for round-robin",
        "{cap_mixed_lb} of the summed bandwidth against {cap_mixed_st}",
        "mean {mean_lbw} ms against {mean_stw} ms, p99 {p99_lbw} ms against "
        "{p99_stw} ms",
        "qd 16 {iops_qd16_lb} IOPS against {iops_qd16_st}, qd 2 {iops_qd2_lb} "
        "against {iops_qd2_st}; the repetitions' ranges overlap (6.12 qd 2: "
        "{iops_qd2_lb_612_reps} against {iops_qd2_st_612_reps})",
        "one cut each: {stall_lb} ms against {stall_st} ms",
        "2 paths, qd 16: {ins_lb_2p} against {ins_st_2p}; 8 paths, qd 16: "
        "{ins_lb_8p} against {ins_st_8p}",
        "That is {lb_vs_st} instructions per I/O fewer than service-time, out of "
        "about {stack} for the whole stack (fio, block layer, dm, null_blk): "
        "{lb_vs_st_pct} %.",
        "differed from them by {i20_8p} % (8 paths) and {i20_2p} % (2 paths) of "
        "round-robin's IOPS",
        "({core_lb_8} against {core_old_lb_8} instructions per I/O cycle at 8 "
        "paths,",
        # "When least-blocks beats queue-length": make bench case 7
        "Probe p99: least-blocks {b7_p99_lb} ms, queue-length {b7_p99_ql} ms, "
        "service-time {b7_p99_st} ms. least-blocks {b7_p99_lb_xql} x "
        "queue-length's (repetitions {b7_p99_lb_xql_reps}), {b7_p99_lb_xst} x "
        "service-time's (repetitions {b7_p99_lb_xst_reps}).",
        "Probe mean: {b7_mean_lb} ms against {b7_mean_ql} ms (queue-length) and "
        "{b7_mean_st} ms (service-time): {b7_mean_lb_xql} x and {b7_mean_lb_xst} x.",
        "Probe p50: {b7_p50_lb} ms against {b7_p50_ql} ms and {b7_p50_st} ms: "
        "queue-length wins the median, least-blocks {b7_p50_lb_xql} x its p50 "
        "({b7_p50_lb_xst} x service-time's).",
        "The two streams: {b7_bw_lb} KiB/s against {b7_bw_ql} KiB/s and "
        "{b7_bw_st} KiB/s: {b7_bw_lb_xql} x queue-length's (repetitions "
        "{b7_bw_lb_xql_reps}), {b7_bw_lb_xst} x service-time's.",
        "at least 0.98 x queue-length's, is {b7_goal}.",
    ],
    "Documentation/dm-weighted-paths.rst": [
        "(the unit test's worst is {wp_doc_worst_small_n})",
        "(the worst in the random test of up to 16 paths is {wp_doc_worst_random})",
        "({wp_doc_worst_adversarial} measured with one path of weight 4294967295 "
        "and 1023 of weight 1)",
        "typical weights land within {wp_doc_typical_below} points",
    ],
    "dm-ps-weighted/psw_wp.h": [
        "({wp_doc_worst_small_n} is the worst tests/unit/test_wp.c finds)",
        "{wp_doc_worst_random} is the worst in the random test of up to 16 paths",
    ],
}


def norm(text):
    """one space for any run of blanks and line breaks, and for a line
    break plus the comment leader of a C comment"""
    return re.sub(r"\s*\n\s*(\* )?|\s+", " ", text)


def check_file(rel, passages):
    """the problems of each passage that is not in the file filled in"""
    bad = []
    with open(path(rel)) as f:
        text = norm(f.read())
    for p in passages:
        names = re.findall(r"\{(\w+)\}", p)
        missing = [n for n in names if n not in FIGS]
        if missing:
            bad.append(["%s: %s: not computed from the data (a figure QUOTES "
                        "names that no function makes)" % (rel, ", ".join(missing))])
            continue
        want = norm(p.format(**{n: FIGS[n][0] for n in names}))
        if want in text:
            continue
        # the passage with any short text in place of each figure
        parts = re.split(r"\{\w+\}", norm(p))
        m = re.search("(.{1,40}?)".join(re.escape(x) for x in parts), text)
        if not m:
            bad.append(["%s: passage not found (reworded? then update QUOTES "
                        "in scripts/figures-check.py): \"%s\"" % (rel, want)])
            continue
        bad.append(["%s: %s: the text says %s, the data give %s (%s)"
                    % (rel, n, said, FIGS[n][0], FIGS[n][1])
                    for n, said in zip(names, m.groups()) if said != FIGS[n][0]])
    return bad


def check_tables(res_rel="bench/results", kvers=KVERS):
    """RES_REL/KVER.md and RESULTS.md against what bench/summarize.py
    makes of the .tsv: all but the header's date and host (taken from the
    file) and case 5, whose callgrind table is not kept as raw data"""
    res = path(res_rel)
    results = []
    for k in kvers:
        rel = "%s/%s.md" % (res_rel, k)
        with open(path(rel)) as f:
            have = f.read().split("\n")
        m = re.match(r"(.*? UTC); host: (\d+) CPUs, (.*?); guest:", have[2])
        if not m:
            results.append((rel, "its line 3 (date; host) is not as "
                            "bench/summarize.py writes it"))
            continue
        want, _ = summarize.render(res, k, None, m.group(1), int(m.group(2)),
                                   m.group(3))
        want = "\n".join(want + [""]).split("\n")
        case5 = [i for i, x in enumerate(have) if x.startswith("### 5. ")]
        if case5:       # up to the plot's line
            have = have[:case5[0]] + have[have.index("![%s](%s.png)" % (k, k)):]
        diff = [(h, w) for h, w in itertools.zip_longest(have, want, fillvalue="")
                if h != w]
        results.append((rel, None if not diff else
                        "has \"%s\" where bench/summarize.py makes \"%s\" of "
                        "%s/%s.tsv" % (diff[0][0], diff[0][1], res_rel, k)))
    rel = res_rel + "/RESULTS.md"
    with open(path(rel)) as f:
        same = f.read() == summarize.results(
            [path("%s/%s.md" % (res_rel, k)) for k in kvers])
    results.append((rel, None if same else
                    "not what bench/summarize.py makes of the KVER.md files"))
    return results


def main():
    try:
        bench_figures()
        case7_figures()
        issue20_figures()
        make_check_figures()
        ci_figures()
        other_figures()
    except (OSError, subprocess.CalledProcessError, KeyError, IndexError,
            AttributeError, ValueError) as e:
        print("not ok - the figures cannot be computed from the raw data: "
              "%s: %s" % (type(e).__name__, e))
        return 1
    if sys.argv[1:] == ["--list"]:
        for n in sorted(FIGS):
            print("%-26s %-22s %s" % (n, FIGS[n][0], FIGS[n][1]))
        return 0
    fail = 0
    for rel, problem in check_tables() + check_tables(CASE7, KVERS7):
        if problem:
            print("not ok - %s: %s" % (rel, problem))
            fail = 1
        else:
            print("ok - %s: as bench/summarize.py makes it" % rel)
    for rel, passages in QUOTES.items():
        bad = check_file(rel, passages)
        for problem in (p for b in bad for p in b):
            print("#   " + problem)
        if bad:
            print("not ok - %s: %d of %d passages differ from the data"
                  % (rel, len(bad), len(passages)))
            fail = 1
        else:
            print("ok - %s: %d passages, %d figures as the data give them"
                  % (rel, len(passages),
                     sum(len(re.findall(r"\{\w+\}", p)) for p in passages)))
    return fail


if __name__ == "__main__":
    sys.exit(main())
