#!/usr/bin/python3
"""scikit-learn IsolationForest figures under Vigil's benchmark protocol.

Developer tool, not a dependency of the library. Run it with Debian's
interpreter, which has python3-sklearn:

    /usr/bin/python3 benchmarks/scripts/sklearn_iforest.py            # table
    /usr/bin/python3 benchmarks/scripts/sklearn_iforest.py --json > sk.json
    /usr/bin/python3 benchmarks/scripts/sklearn_iforest.py --time shuttle --json

Protocol (the same as `vigilbench -detector iforest`): for each NAME.csv in
the data directory with n <= --max-n, in name order, and for each seed
0..seeds-1, fit IsolationForest(n_estimators=100, max_samples=256,
random_state=seed, n_jobs=1) on all rows, score all rows with
-score_samples (higher = more anomalous, Vigil's sign), and compute
roc_auc_score and average_precision_score against the labels. Means and
population standard deviations (ddof=0) over seeds are reported.

The JSON has the shape of Vigil's harness.Report, so that
`vigilbench -compare sk.json` reads it directly.

--exact-harmonic is a diagnostic: it replaces scikit-learn's c(n) =
2(ln(n-1) + gamma) - 2(n-1)/n, used for leaf corrections and the
normaliser, by the exact 2 H(n-1) - 2(n-1)/n, to isolate that one formula
when comparing with an implementation that uses exact harmonic numbers. It
patches a private scikit-learn function and is never the default.

--time NAME is the speed mode: fit + score_samples on one set with seed 0,
repeated --repeat times; the best total is what compare_speed.sh uses.
"""

import argparse
import json
import os
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score


def data_dir():
    """$VIGIL_DATA/odds (or $VIGIL_DATA itself), else ../shared/data/odds
    beside the module root found by walking up to go.mod; mirrors
    benchmarks/dataset.Dir."""
    env = os.environ.get("VIGIL_DATA")
    if env:
        odds = os.path.join(env, "odds")
        return odds if os.path.isdir(odds) else env
    d = os.path.dirname(os.path.abspath(__file__))
    while not os.path.exists(os.path.join(d, "go.mod")):
        parent = os.path.dirname(d)
        if parent == d:
            sys.exit("sklearn_iforest: data not found: no go.mod above the script and $VIGIL_DATA is not set")
        d = parent
    return os.path.normpath(os.path.join(d, "..", "shared", "data", "odds"))


def manifest(directory):
    path = os.path.join(directory, "MANIFEST.tsv")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        out = {}
        for line in f:
            if line.strip():
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                out[row["name"]] = int(row["n"])
    return out


def load(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    if header[-1] != "label":
        sys.exit(f"sklearn_iforest: {path}: last column is {header[-1]!r}, want 'label'")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    X = np.ascontiguousarray(data[:, :-1])
    y = data[:, -1]
    if not np.all((y == 0) | (y == 1)):
        sys.exit(f"sklearn_iforest: {path}: labels must be 0 or 1")
    return X, y.astype(bool)


# scikit-learn warns each time max_samples exceeds n and uses n instead;
# that is the protocol (Vigil caps the same way), so the warning is noise.
warnings.filterwarnings("ignore", message="max_samples .* is greater than the total number of samples")


def exact_average_path_length(n_samples_leaf):
    """c(n) with exact harmonic numbers H(n-1) instead of ln(n-1) + gamma."""
    n = np.asarray(n_samples_leaf)
    sizes, inverse = np.unique(n, return_inverse=True)
    out = np.zeros(len(sizes))
    for i, v in enumerate(sizes.astype(int)):
        if v == 2:
            out[i] = 1.0
        elif v > 2:
            out[i] = 2.0 * np.sum(1.0 / np.arange(1, v)) - 2.0 * (v - 1) / v
    return out[inverse].reshape(n.shape)


def forest(args, seed):
    return IsolationForest(n_estimators=args.n_estimators, max_samples=args.max_samples,
                           random_state=seed, n_jobs=args.n_jobs)


def run_set(args, name, X, y):
    runs = []
    for seed in range(args.seeds):
        t0 = time.perf_counter()
        model = forest(args, seed).fit(X)
        t1 = time.perf_counter()
        s = -model.score_samples(X)
        t2 = time.perf_counter()
        runs.append({"seed": seed, "roc_auc": float(roc_auc_score(y, s)),
                     "pr_auc": float(average_precision_score(y, s)),
                     "fit_seconds": t1 - t0, "score_seconds": t2 - t1})
        if args.scores:
            tag = "sklearn-exact-c" if args.exact_harmonic else "sklearn"
            np.savetxt(os.path.join(args.scores, f"{name}.{tag}.seed{seed}.csv"), s, fmt="%.17g")

    def ms(key):
        v = np.array([r[key] for r in runs])
        return float(v.mean()), float(v.std())

    roc, roc_std = ms("roc_auc")
    pr, pr_std = ms("pr_auc")
    return {"dataset": name, "n": int(X.shape[0]), "d": int(X.shape[1]), "anomalies": int(y.sum()),
            "roc_auc_mean": roc, "roc_auc_std": roc_std, "pr_auc_mean": pr, "pr_auc_std": pr_std,
            "fit_seconds": ms("fit_seconds")[0], "score_seconds": ms("score_seconds")[0], "runs": runs}


def report_header(args):
    return {
        "detector": "iforest",
        "implementation": "scikit-learn" + ("-exact-c" if args.exact_harmonic else ""),
        "params": {"n_estimators": args.n_estimators, "max_samples": args.max_samples, "n_jobs": args.n_jobs,
                   "sklearn": sklearn.__version__, "numpy": np.__version__},
        "seeds": list(range(args.seeds)),
        "workers": args.n_jobs,
        "max_n": args.max_n,
        "runtime": f"Python {platform.python_version()} {platform.system().lower()}/{platform.machine()}",
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def describe(rep):
    params = " ".join(f"{k}={v}" for k, v in sorted(rep["params"].items()))
    seeds = rep["seeds"]
    seeds = f"0..{len(seeds) - 1}" if len(seeds) > 2 and seeds == list(range(len(seeds))) else seeds
    return f"{rep['detector']} ({rep['implementation']}) {params}; seeds {seeds}; workers {rep['workers']}; {rep['runtime']}"


def print_table(rep):
    print(describe(rep) + "\n")
    print("| dataset | n | d | anomalies | ROC-AUC | ± | PR-AUC | ± | fit s | score s |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rep["results"]:
        print(f"| {r['dataset']} | {r['n']} | {r['d']} | {r['anomalies']} | {r['roc_auc_mean']:.4f} | "
              f"{r['roc_auc_std']:.4f} | {r['pr_auc_mean']:.4f} | {r['pr_auc_std']:.4f} | "
              f"{r['fit_seconds']:.3f} | {r['score_seconds']:.3f} |")
    res = rep["results"]
    if res:
        print(f"| **mean of {len(res)} sets** | | | | {np.mean([r['roc_auc_mean'] for r in res]):.4f} | | "
              f"{np.mean([r['pr_auc_mean'] for r in res]):.4f} | | | |")
    for s in rep.get("skipped", []):
        print(f"\nskipped {s['dataset']} (n={s['n']}): {s['reason']}")


def accuracy(args, directory):
    names = sorted(f[:-4] for f in os.listdir(directory) if f.endswith(".csv"))
    if args.only:
        want = args.only.split(",")
        missing = [w for w in want if w not in names]
        if missing:
            sys.exit(f"sklearn_iforest: no set {missing} in {directory}")
        names = [n for n in names if n in want]
    sizes = manifest(directory)
    rep = report_header(args)
    rep["results"], rep["skipped"] = [], []
    for name in names:
        if args.max_n and sizes.get(name, 0) > args.max_n:
            rep["skipped"].append({"dataset": name, "n": sizes[name], "reason": f"n > max-n {args.max_n}"})
            continue
        X, y = load(os.path.join(directory, name + ".csv"))
        if args.max_n and X.shape[0] > args.max_n:
            rep["skipped"].append({"dataset": name, "n": X.shape[0], "reason": f"n > max-n {args.max_n}"})
            continue
        r = run_set(args, name, X, y)
        rep["results"].append(r)
        if not args.quiet:
            print(f"{name:16s} n={r['n']:<7d} ROC-AUC {r['roc_auc_mean']:.4f} ± {r['roc_auc_std']:.4f}  "
                  f"PR-AUC {r['pr_auc_mean']:.4f}  fit {r['fit_seconds']:.3f}s score {r['score_seconds']:.3f}s",
                  file=sys.stderr, flush=True)
    if args.json:
        json.dump(rep, sys.stdout, indent=2)
        print()
    else:
        print_table(rep)


def timing(args, directory):
    X, y = load(os.path.join(directory, args.time + ".csv"))
    runs = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        model = forest(args, 0).fit(X)
        t1 = time.perf_counter()
        s = -model.score_samples(X)
        t2 = time.perf_counter()
        runs.append({"fit_seconds": t1 - t0, "score_seconds": t2 - t1, "total_seconds": t2 - t0})
    best = min(runs, key=lambda r: r["total_seconds"])
    out = report_header(args)
    out.update({"dataset": args.time, "n": int(X.shape[0]), "d": int(X.shape[1]), "repeat": args.repeat,
                "best": best, "runs": runs, "roc_auc": float(roc_auc_score(y, s))})
    del out["seeds"], out["max_n"]
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        print()
    else:
        print(f"scikit-learn {sklearn.__version__} IsolationForest on {args.time} ({X.shape[0]}x{X.shape[1]}), "
              f"n_jobs={args.n_jobs}, best of {args.repeat}: fit {best['fit_seconds']:.3f}s + "
              f"score_samples {best['score_seconds']:.3f}s = {best['total_seconds']:.3f}s")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="directory of NAME.csv sets (default: $VIGIL_DATA/odds or ../shared/data/odds)")
    p.add_argument("--max-n", type=int, default=300000, help="skip sets with more rows (0: no limit)")
    p.add_argument("--seeds", type=int, default=5, help="random_state 0..seeds-1")
    p.add_argument("--only", help="comma-separated set names")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--scores", help="write DIR/NAME.sklearn.seedK.csv, one score per row")
    p.add_argument("--n-estimators", type=int, default=100)
    p.add_argument("--max-samples", type=int, default=256)
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--exact-harmonic", action="store_true",
                   help="diagnostic: exact harmonic numbers in c(n) (patches scikit-learn)")
    p.add_argument("--time", metavar="NAME", help="speed mode: time fit + score_samples on one set")
    p.add_argument("--repeat", type=int, default=3, help="speed mode: repetitions, best is reported")
    p.add_argument("-q", "--quiet", action="store_true", help="no per-set progress on stderr")
    args = p.parse_args()
    if args.exact_harmonic:
        import sklearn.ensemble._iforest as iforest_module
        iforest_module._average_path_length = exact_average_path_length
    directory = args.data or data_dir()
    if not os.path.isdir(directory):
        sys.exit(f"sklearn_iforest: data not found: {directory} is not a directory; set $VIGIL_DATA")
    if args.scores:
        os.makedirs(args.scores, exist_ok=True)
    if args.time:
        timing(args, directory)
    else:
        accuracy(args, directory)


if __name__ == "__main__":
    main()
