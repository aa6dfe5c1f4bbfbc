#!/usr/bin/python3
"""Do two randomised detectors give the same scores in expectation, row by row?

Developer tool. ROC-AUC means over a few seeds are a weak test: on small sets
the seed-to-seed spread is several hundredths. A sharper one uses the score
files both harnesses write (-scores / --scores DIR): for every row, the mean
score over seeds of implementation A minus that of B, divided by its
standard error. If A and B draw from the same distribution, these z values
look standard normal: mean near 0, sd near 1, about 0.3% beyond 3. A shift
in mean z shows a systematic difference (for example a different
normalising constant); many |z| > 3 show rows treated differently.

    go run ./benchmarks/cmd/vigilbench -only wine -seeds 200 -scores /tmp/s
    /usr/bin/python3 benchmarks/scripts/sklearn_iforest.py --only wine --seeds 200 --scores /tmp/s
    /usr/bin/python3 benchmarks/scripts/score_agreement.py /tmp/s wine iforest sklearn
"""

import argparse
import glob
import os
import re
import sys

import numpy as np


def load(directory, name, tag):
    files = glob.glob(os.path.join(directory, f"{glob.escape(name)}.{glob.escape(tag)}.seed*.csv"))
    pat = re.compile(r"\.seed(\d+)\.csv$")
    files.sort(key=lambda f: int(pat.search(f).group(1)))
    if len(files) < 2:
        sys.exit(f"score_agreement: need at least 2 seeds of {name}.{tag}.seed*.csv in {directory}, found {len(files)}")
    return np.array([np.loadtxt(f, ndmin=1) for f in files])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", help="directory of NAME.TAG.seedK.csv files")
    p.add_argument("sets", help="comma-separated set names")
    p.add_argument("a", help="tag of implementation A, e.g. iforest")
    p.add_argument("b", help="tag of implementation B, e.g. sklearn")
    args = p.parse_args()
    print(f"| set | rows | seeds A | seeds B | mean score A | mean score B | mean z | sd z | rows with abs(z) > 3 |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name in args.sets.split(","):
        a, b = load(args.dir, name, args.a), load(args.dir, name, args.b)
        if a.shape[1] != b.shape[1]:
            sys.exit(f"score_agreement: {name}: {a.shape[1]} rows in {args.a} but {b.shape[1]} in {args.b}")
        se = np.sqrt(a.var(0, ddof=1) / len(a) + b.var(0, ddof=1) / len(b))
        diff = a.mean(0) - b.mean(0)
        # Rows scored identically by every seed on both sides carry no
        # information; leave them out rather than divide by zero.
        ok = se > 0
        z = diff[ok] / se[ok]
        print(f"| {name} | {a.shape[1]} | {len(a)} | {len(b)} | {a.mean():.5f} | {b.mean():.5f} | "
              f"{z.mean():+.2f} | {z.std():.2f} | {(np.abs(z) > 3).sum()} ({100 * np.mean(np.abs(z) > 3):.2f}%) |")


if __name__ == "__main__":
    main()
