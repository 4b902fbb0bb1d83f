#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""summarize.py RESDIR KVER CORE.md WORKDIR

Turns RESDIR/KVER.tsv (raw figures of bench/guest.sh) into RESDIR/KVER.md
(medians with min-max; ratios are per repetition, within one fio run, then
the median of those) and RESDIR/KVER.png (gnuplot), then regenerates
RESDIR/RESULTS.md from every KVER.md in RESDIR.

scripts/figures-check.py imports it: load() reads a .tsv, render() makes
the text of KVER.md (without running gnuplot), results() that of
RESULTS.md; the figures the README and Documentation/ quote are computed
from the same raw data with the same statistics.
"""
import collections
import datetime
import glob
import os
import statistics
import subprocess
import sys

NAMES = {"rr": "round-robin", "ql": "queue-length", "st": "service-time",
         "hst": "historical-service-time", "lb": "least-blocks",
         "wp": "weighted-paths", "lbw": "least-blocks 4:1",
         "stw": "service-time 4:1", "lbo": "least-blocks (BENCH_LB_OLD)"}
ORDER = ["rr", "ql", "st", "hst", "lb", "lbo", "wp", "lbw", "stw"]


def load(path):
    """raw: (case, cfg, sel) -> {rep: value}; cfgs: case -> [cfg] in order"""
    raw = collections.defaultdict(dict)
    cfgs = collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            c, cfg, sel, rep, v = line.rstrip("\n").split("\t")
            raw[(c, cfg, sel)][int(rep)] = float(v)
            if cfg not in cfgs[c]:
                cfgs[c].append(cfg)
    return raw, cfgs


def sels(raw, case, cfg):
    return [s for s in ORDER if (case, cfg, s) in raw]


def stat(vals, fmt):
    vals = sorted(vals)
    if not vals:
        return "-"
    return (fmt % statistics.median(vals)) + " (" + (fmt % vals[0]) + "–" + \
        (fmt % vals[-1]) + ")"


def ratio(raw, case, cfg, sel, den):
    """per-repetition ratios sel / den(rep)"""
    a = raw[(case, cfg, sel)]
    return [a[r] / den(r) for r in a if den(r)]


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


def render(res, kver, core, stamp, ncpu, model, icount=3):
    """The lines of RESDIR/KVER.md and the data of its two plots."""
    raw, cfgs = load(os.path.join(res, kver + ".tsv"))
    reps = max((len(v) for v in raw.values()), default=0)
    out = []
    out.append("## Kernel %s\n" % kver)
    out.append("%s; host: %d CPUs, %s; guest: QEMU TCG (no KVM), 2 vCPUs%s, "
               "single-threaded TCG; %d interleaved repetitions per figure "
               "(job order rotated each repetition); median (min–max). "
               "Absolute numbers are TCG numbers: compare within a row only.\n"
               % (stamp, ncpu, model,
                  " (case 1: 1 vCPU, icount)" if cfgs["overhead"] else "", reps))
    plot1, plot2, head1, head2 = [], [], [], []

    if cfgs["overhead"]:
        out.append("### 1. Overhead: 4k randread, symmetric null_blk paths\n")
        out.append("Own guest boot, 1 vCPU, QEMU `-icount shift=%d,sleep=off`: the "
                   "guest clock advances %d ns per executed guest instruction and "
                   "skips idle time, so these CPU-bound IOPS measure the "
                   "instructions the guest runs per I/O (fio, block layer, dm, "
                   "the selector, null_blk) and repeat to a few in 10^4 whatever "
                   "the host does. IOPS, per-repetition ratio to round-robin, and "
                   "the selector's cost against round-robin's in guest "
                   "instructions per I/O (from the medians: (1/IOPS - "
                   "1/IOPS_rr) x %d M instructions/s; negative = cheaper). One "
                   "vCPU: cache-line contention between CPUs is not in these "
                   "figures.\n" % (icount, 1 << icount, 1000 // (1 << icount)))
        s0 = sels(raw, "overhead", cfgs["overhead"][0])
        out.append("| paths, qd | " + " | ".join(NAMES[s] for s in s0) + " |")
        out.append("|---|" + "---:|" * len(s0))
        ips = 1e9 / (1 << icount)
        for cfg in cfgs["overhead"]:
            rr = raw[("overhead", cfg, "rr")]
            rrm = statistics.median(rr.values())
            cells, prow = [], [cfg.replace(" ", "-")]
            for s in s0:
                iops = raw[("overhead", cfg, s)].values()
                r = ratio(raw, "overhead", cfg, s, lambda k: rr.get(k, 0))
                d = (1 / statistics.median(iops) - 1 / rrm) * ips
                cells.append("%s<br>×%s<br>%+.0f instr/IO" %
                             (stat(iops, "%.0f"), stat(r, "%.3f"), d))
                prow.append("%.4f" % statistics.median(r))
            out.append("| %s | %s |" % (cfg, " | ".join(cells)))
            plot1.append(prow)
        out.append("")
        head1 = [NAMES[s] for s in s0]

    if cfgs["capacity"]:
        out.append("### 2. Capacity efficiency: two paths, 4 : 1 bandwidth (null_blk mbps)\n")
        out.append("Map throughput / (fast alone + slow alone), each repetition "
                   "against the single-path figures of the same repetition. "
                   "4k: 4 : 1 MiB/s; mixed: bssplit 4k/50:64k/30:128k/20 at 32 : 8 MiB/s; "
                   "qd 16. weighted-paths with weights 4 : 1, the others unweighted.\n")
        s0 = sels(raw, "capacity", cfgs["capacity"][0])
        out.append("| I/O | fast + slow alone (KiB/s) | " +
                   " | ".join(NAMES[s] for s in s0) + " |")
        out.append("|---|---:|" + "---:|" * len(s0))
        for cfg in cfgs["capacity"]:
            fa = raw[("capacity", cfg, "fast")]
            sl = raw[("capacity", cfg, "slow")]

            def den(k, fa=fa, sl=sl):
                return fa.get(k, 0) + sl.get(k, 0)
            cells, prow = [], [cfg]
            for s in s0:
                r = ratio(raw, "capacity", cfg, s, den)
                cells.append(stat(r, "%.2f"))
                prow.append("%.3f" % statistics.median(r))
            out.append("| %s | %s | %s |" % (cfg, stat([den(k) for k in fa], "%.0f"),
                                              " | ".join(cells)))
            plot2.append(prow)
        sh = ["%s %s: %d%%" % (NAMES[s], cfg, raw[("share", cfg, s)][0])
              for cfg in cfgs["share"] for s in ("lb", "wp") if ("share", cfg, s) in raw]
        if sh:
            out.append("\nShare of the bytes on the fast path (ideal 80%): " + "; ".join(sh) + ".")
        out.append("")
        head2 = [NAMES[s] for s in s0]

    if cfgs["latency"]:
        out.append("### 2b. Latency under open-loop load: mixed sizes, 4 : 1 bandwidth\n")
        out.append("The mixed-size paths of case 2; fio issues Poisson arrivals at "
                   "the given share of the summed single-path throughput of this "
                   "boot (at most 64 in flight). Mean and p99 latency in ms, and "
                   "the per-repetition ratio of the mean to queue-length's (lower "
                   "is better). weighted-paths 4 : 1 as in case 2; least-blocks "
                   "4:1 and service-time 4:1 carry the paths' capacity as weight "
                   "and relative throughput, the others are unweighted.\n")
        for cfg in cfgs["latency"]:
            ql = raw[("latency", cfg, "ql")]
            out.append("| %s | mean ms | p99 ms | mean × queue-length |" % cfg)
            out.append("|---|---:|---:|---:|")
            for s in sels(raw, "latency", cfg):
                m = [v / 1000 for v in raw[("latency", cfg, s)].values()]
                p = [v / 1000 for v in raw[("latency99", cfg, s)].values()]
                out.append("| %s | %s | %s | %s |" % (
                    NAMES[s], stat(m, "%.1f"), stat(p, "%.0f"),
                    stat(ratio(raw, "latency", cfg, s, lambda k, ql=ql: ql.get(k, 0)), "%.2f")))
            out.append("")

    if cfgs["accuracy"]:
        out.append("### 4. Weighted accuracy: weighted-paths, 4k randread qd 16, symmetric paths\n")
        out.append("| weights | largest share error, points |")
        out.append("|---|---:|")
        for cfg in cfgs["accuracy"]:
            out.append("| %s | %s |" % (cfg, stat(raw[("accuracy", cfg, "wp")].values(), "%.2f")))
        out.append("")

    if cfgs["iscsi"]:
        out.append("### 3. iSCSI A/B (LIO in a guest netns), A side +5 ms netem: 4k randread\n")
        out.append("IOPS, and per-repetition ratio to queue-length. qd 16: the "
                   "guest (initiator and target) is CPU-bound; qd 2: "
                   "latency-bound.\n")
        c0 = cfgs["iscsi"]
        out.append("| selector | " + " | ".join("%s IOPS | × queue-length" % c.split()[-1]
                                                for c in c0) + " |")
        out.append("|---|" + "---:|---:|" * len(c0))
        for s in sels(raw, "iscsi", c0[0]):
            cells = []
            for cfg in c0:
                ql = raw[("iscsi", cfg, "ql")]
                cells.append(stat(raw[("iscsi", cfg, s)].values(), "%.0f"))
                cells.append(stat(ratio(raw, "iscsi", cfg, s, lambda k, ql=ql: ql.get(k, 0)), "%.2f"))
            out.append("| %s | %s |" % (NAMES[s], " | ".join(cells)))
        out.append("")

    if cfgs["stall"]:
        out.append("### 6. Failover stall: A side cut (link down) under 4k randread qd 16\n")
        out.append("Longest gap between two I/O completions of the map (fio per-I/O "
                   "log), one cut per selector (iSCSI replacement_timeout 5 s, "
                   "noop-out 2 s / 2 s).\n")
        cfg = cfgs["stall"][0]
        out.append("| selector | longest completion gap, ms |")
        out.append("|---|---:|")
        for s in sels(raw, "stall", cfg):
            out.append("| %s | %.0f |" % (NAMES[s], raw[("stall", cfg, s)][1]))
        out.append("")

    if cfgs["probe"]:
        out.append("### 7. Paths whose queue is FIFO in bytes: iSCSI A/B, both links "
                   "tbf-limited\n")
        out.append("The workload of tests/vm/t_lb_bytes.sh: both links limited to "
                   "the same rate by tc tbf on the target's egress, a 1 MiB and a "
                   "64 KiB read stream (qd 1 each) keeping them busy, and a probe "
                   "job of 4k reads at 8 IOPS (qd 1). One fio run per selector and "
                   "repetition, each through a fresh map. The probe's completion "
                   "latency (mean, p50, p99, ms) and the two streams' summed "
                   "throughput (KiB/s), each with the per-repetition ratio to "
                   "queue-length's.\n")
        for cfg in cfgs["probe"]:
            out.append("| %s | probe mean ms | probe p50 ms | probe p99 ms | "
                       "streams KiB/s |" % cfg)
            out.append("|---|---:|---:|---:|---:|")
            for s in sels(raw, "probe", cfg):
                cells = []
                for case, div, fmt in (("probe", 1000, "%.1f"), ("probe50", 1000, "%.1f"),
                                       ("probe99", 1000, "%.0f"), ("streams", 1, "%.0f")):
                    ql = raw[(case, cfg, "ql")]
                    v = [x / div for x in raw[(case, cfg, s)].values()]
                    r = ratio(raw, case, cfg, s, lambda k, ql=ql: ql.get(k, 0))
                    cells.append("%s<br>×%s" % (stat(v, fmt), stat(r, "%.2f")))
                out.append("| %s | %s |" % (NAMES[s], " | ".join(cells)))
            out.append("")

    if core and os.path.exists(core):
        out.append("### 5. Core cost: instructions per I/O (callgrind, host, deterministic)\n")
        out.append("Select + start + end of one I/O at qd 16, including the harness "
                   "(the baseline row).\n")
        before = {}
        bf = os.path.join(res, "core-before.txt")
        if os.path.exists(bf):      # run.sh output before the equal-weight scan
            with open(bf) as f:
                for line in f:
                    c = [x.strip() for x in line.strip().strip("|").split("|")]
                    if len(c) == 3 and c[1].isdigit():
                        before[(c[0], c[1])] = c[2]
        out.append("| policy | paths | Ir/IO | before (psw_lb_select only) |")
        out.append("|---|---:|---:|---:|")
        with open(core) as f:
            for line in f:
                c = [x.strip() for x in line.strip().strip("|").split("|")]
                if len(c) == 3 and c[1].isdigit():
                    out.append("| %s | %s | %s | %s |" % (c[0], c[1], c[2],
                                                          before.get((c[0], c[1]), "-")))
        out.append("")

    if plot1 or plot2:
        out.append("![%s](%s)\n" % (kver, kver + ".png"))
    return out, (plot1, head1, plot2, head2)


def results(frags):
    """The text of RESULTS.md from the KVER.md files FRAGS."""
    body = ""
    for p in sorted(frags):
        with open(p) as g:
            body += g.read() + "\n"
    text = ("# Benchmark results (`make bench`, `make bench KVER=6.12`)\n\n"
            "Generated by scripts/bench.sh; one section per guest kernel, each "
            + ("from two guest boots (case 1 in an icount guest, the rest in "
               "one ordinary guest)" if "\n### 1. " in body else
               "from one guest boot (no case 1)") + ".\n\n")
    return text + body


def plot(png, kver, work, plots):
    plot1, head1, plot2, head2 = plots
    # icount ratios differ in the third decimal: zoom in on them
    vals1 = [float(v) for r in plot1 for v in r[1:]]
    yr1 = "[%.3f:%.3f]" % (min(vals1) - 0.002, max(vals1) + 0.002) if vals1 else "[0.5:1.5]"
    gp = []
    gp.append('set terminal png size 1100,500')
    gp.append('set output "%s"' % png)
    gp.append('set style data histogram; set style histogram clustered gap 1')
    gp.append('set style fill solid 0.8 border -1; set grid ytics; set key below horizontal')
    gp.append('set multiplot layout 1,2 title "dm-ps-weighted bench, %s (QEMU TCG)"' % kver)
    for n, (rows, head, title, ylab, yr) in enumerate(
            [(plot1, head1, "1. IOPS / round-robin (4k randread, icount)", "ratio", yr1),
             (plot2, head2, "2. capacity efficiency (4:1 bandwidth)", "efficiency", "[0:1.1]")]):
        if not rows:
            continue
        dat = os.path.join(work, "plot%d.dat" % n)
        with open(dat, "w") as f:
            f.write("cfg " + " ".join('"%s"' % h for h in head) + "\n")
            for r in rows:
                f.write(" ".join(r) + "\n")
        gp.append('set title "%s"; set ylabel "%s"; set yrange %s' % (title, ylab, yr))
        gp.append("plot " + ", ".join(
            '"%s" using %d:xtic(1) title columnheader(%d)' % (dat, i + 2, i + 2)
            for i in range(len(head))))
    gp.append("unset multiplot")
    subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True, check=True)


def main():
    res, kver, core, work = sys.argv[1:5]
    out, plots = render(res, kver, core,
                        datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
                        os.cpu_count(), cpu_model(),
                        int(os.environ.get("BENCH_ICOUNT", "3")))
    if plots[0] or plots[2]:
        plot(os.path.join(res, kver + ".png"), kver, work, plots)
    with open(os.path.join(res, kver + ".md"), "w") as f:
        f.write("\n".join(out) + "\n")
    frags = [p for p in glob.glob(os.path.join(res, "*.md"))
             if os.path.basename(p) != "RESULTS.md"]
    with open(os.path.join(res, "RESULTS.md"), "w") as f:
        f.write(results(frags))


if __name__ == "__main__":
    main()
