#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Summarise a BENCH_LB_OLD run (bench/results/issue20/*.tsv: case, config,
selector, repetition, IOPS): per config the median IOPS of each selector,
its ratio to round-robin (per repetition, median), and new/old least-blocks
(lb / lbo) per repetition with its median, plus (new - old) / rr.

    bench/compare_old.py bench/results/issue20/run3-final.tsv
"""
import sys,collections,statistics
d=collections.defaultdict(dict)
for l in open(sys.argv[1]):
    c,cfg,s,r,v=l.split('\t'); d[cfg].setdefault(s,{})[int(r)]=float(v)
for cfg in d:
    rr=d[cfg]['rr']
    print(cfg+':')
    for s in d[cfg]:
        v=d[cfg][s]; med=statistics.median(v.values())
        rat=[v[r]/rr[r] for r in v]
        print('   %-4s median %.0f  reps %s  x rr median %.4f (%.4f-%.4f)'%(s,med,' '.join('%.0f'%v[r] for r in sorted(v)),statistics.median(rat),min(rat),max(rat)))
    lb=d[cfg]['lb']; lbo=d[cfg]['lbo']
    q=[(lb[r]-lbo[r])/rr[r] for r in lb]
    print('   new/old per rep: %s median %.4f; (new-old)/rr median %+.4f'%(' '.join('%.4f'%(lb[r]/lbo[r]) for r in sorted(lb)), statistics.median([lb[r]/lbo[r] for r in lb]), statistics.median(q)))
