#!/usr/bin/python3
"""How far apart two five-seed means of the *same* implementation fall.

Reads a 50-seed report (vigilbench -seeds 50 -json, or sklearn_iforest.py
--seeds 50 --json) and compares the mean ROC-AUC of seeds 0-4 with that of
each later group of five seeds, listing the sets where they differ by more
than --tol. It tells which differences between two implementations are
within seed noise.

    /usr/bin/python3 benchmarks/scripts/sklearn_iforest.py --seeds 50 --json -q > /tmp/sk50.json
    python3 benchmarks/scripts/seed_noise.py /tmp/sk50.json
"""
import argparse
import json
import statistics

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("report")
ap.add_argument("--tol", type=float, default=0.015)
args = ap.parse_args()
rep = json.load(open(args.report))
seeds = len(rep["results"][0]["runs"])
for g in range(1, seeds // 5):
    off = []
    for r in rep["results"]:
        runs = sorted(r["runs"], key=lambda x: x["seed"])
        a = statistics.mean(x["roc_auc"] for x in runs[0:5])
        b = statistics.mean(x["roc_auc"] for x in runs[5 * g:5 * g + 5])
        if abs(a - b) > args.tol:
            off.append("%s %+.3f" % (r["dataset"], a - b))
    print("seeds 0-4 vs %d-%d: %d sets beyond %.3f: %s" % (5 * g, 5 * g + 4, len(off), args.tol, ", ".join(off)))
