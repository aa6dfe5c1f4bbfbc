#!/usr/bin/python3
"""scikit-learn MLPRegressor autoencoder figures under Vigil's protocol.

Developer tool, not a dependency of the library. Run it with Debian's
interpreter, which has python3-sklearn, on one thread:

    OMP_NUM_THREADS=1 nice /usr/bin/python3 benchmarks/scripts/sklearn_autoencoder.py \\
        --only cardio,thyroid,pendigits,satellite,mnist,optdigits,mammography,shuttle,arrhythmia,letter --json > sk_ae.json

Protocol (the same as `vigilbench -detector autoencoder`): for each set and
each seed 0..seeds-1, z-score the columns on all rows (StandardScaler; a
constant column is centred and left unscaled), fit
MLPRegressor(hidden_layer_sizes=(64, 32, 64), batch_size=32, max_iter=10,
n_iter_no_change=10**6, random_state=seed) to map the rows onto themselves,
and score each row by its mean squared reconstruction error over the
features (higher = more anomalous). MLPRegressor's other defaults are
Vigil's autoencoder defaults: relu, adam with learning rate 1e-3,
alpha=1e-4 (L2 on the weights, scaled by 1/batch), shuffled batches.
scikit-learn warns that 10 iterations did not converge; that is the
protocol, and the warning is silenced. ROC-AUC and average precision are
computed against the labels; means and population standard deviations
(ddof=0) over seeds are reported in the JSON shape of Vigil's
harness.Report, so `vigilbench -compare` reads it.

--time NAME[,NAME...] is the speed mode: fit each set with seed 0, --repeat
times; the best wall and the best CPU time (process_time, which a loaded
machine inflates less) of the fits are reported.
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
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn_iforest import data_dir, load, print_table  # noqa: E402

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def network(args, seed):
    return MLPRegressor(hidden_layer_sizes=tuple(args.hidden), batch_size=args.batch_size,
                        max_iter=args.epochs, n_iter_no_change=10**6, random_state=seed)


def fit_score(args, X, seed, cpu=None):
    t0, c0 = time.perf_counter(), time.process_time()
    Z = StandardScaler().fit_transform(X)
    model = network(args, seed).fit(Z, Z)
    t1 = time.perf_counter()
    if cpu is not None:
        cpu.append(time.process_time() - c0)
    s = ((model.predict(Z) - Z) ** 2).mean(axis=1)
    t2 = time.perf_counter()
    return s, t1 - t0, t2 - t1


def run_set(args, name, X, y):
    runs = []
    for seed in range(args.seeds):
        s, fit, sc = fit_score(args, X, seed)
        runs.append({"seed": seed, "roc_auc": float(roc_auc_score(y, s)),
                     "pr_auc": float(average_precision_score(y, s)),
                     "fit_seconds": fit, "score_seconds": sc})
        if args.scores:
            np.savetxt(os.path.join(args.scores, f"{name}.sklearn-ae.seed{seed}.csv"), s, fmt="%.17g")

    def ms(key):
        v = np.array([r[key] for r in runs])
        return float(v.mean()), float(v.std())

    roc, roc_std = ms("roc_auc")
    pr, pr_std = ms("pr_auc")
    return {"dataset": name, "n": int(X.shape[0]), "d": int(X.shape[1]), "anomalies": int(y.sum()),
            "roc_auc_mean": roc, "roc_auc_std": roc_std, "pr_auc_mean": pr, "pr_auc_std": pr_std,
            "fit_seconds": ms("fit_seconds")[0], "score_seconds": ms("score_seconds")[0], "runs": runs}


def header(args):
    return {
        "detector": "autoencoder",
        "implementation": "scikit-learn",
        "params": {"hidden": args.hidden, "epochs": args.epochs, "batch_size": args.batch_size,
                   "activation": "relu", "solver": "adam", "learning_rate": 1e-3, "alpha": 1e-4,
                   "sklearn": sklearn.__version__, "numpy": np.__version__,
                   "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "")},
        "seeds": list(range(args.seeds)),
        "workers": 1,
        "max_n": 0,
        "runtime": f"Python {platform.python_version()} {platform.system().lower()}/{platform.machine()}",
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="directory of NAME.csv sets (default: $VIGIL_DATA/odds or ../shared/data/odds)")
    p.add_argument("--seeds", type=int, default=5, help="random_state 0..seeds-1")
    p.add_argument("--only", required=False, help="comma-separated set names (default: all)")
    p.add_argument("--hidden", type=lambda s: [int(v) for v in s.split(",")], default=[64, 32, 64])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--scores", help="write DIR/NAME.sklearn-ae.seedK.csv, one score per row")
    p.add_argument("--time", metavar="NAME", help="speed mode: time fit on one set")
    p.add_argument("--repeat", type=int, default=3, help="speed mode: repetitions, best is reported")
    p.add_argument("-q", "--quiet", action="store_true", help="no per-set progress on stderr")
    args = p.parse_args()
    directory = args.data or data_dir()
    if not os.path.isdir(directory):
        sys.exit(f"sklearn_autoencoder: data not found: {directory} is not a directory; set $VIGIL_DATA")
    if args.scores:
        os.makedirs(args.scores, exist_ok=True)
    if args.time:
        out = header(args)
        out["timings"] = []
        for name in args.time.split(","):
            X, _ = load(os.path.join(directory, name + ".csv"))
            cpu = []
            fits = [fit_score(args, X, 0, cpu)[1] for _ in range(args.repeat)]
            out["timings"].append({"dataset": name, "n": int(X.shape[0]), "d": int(X.shape[1]),
                                   "repeat": args.repeat, "best_fit_seconds": min(fits),
                                   "best_fit_cpu_seconds": min(cpu)})
            if not args.json:
                print(f"{name:12s} {X.shape[0]:6d}x{X.shape[1]:<4d} MLPRegressor{tuple(args.hidden)}, {args.epochs} epochs, "
                      f"best of {args.repeat}: fit {min(fits):.3f}s wall, {min(cpu):.3f}s cpu", flush=True)
        if args.json:
            print(json.dumps(out, indent=2))
        return
    names = sorted(f[:-4] for f in os.listdir(directory) if f.endswith(".csv"))
    if args.only:
        want = args.only.split(",")
        missing = [w for w in want if w not in names]
        if missing:
            sys.exit(f"sklearn_autoencoder: no set {missing} in {directory}")
        names = [n for n in names if n in want]
    rep = header(args)
    rep["results"] = []
    for name in names:
        X, y = load(os.path.join(directory, name + ".csv"))
        r = run_set(args, name, X, y)
        rep["results"].append(r)
        if not args.quiet:
            print(f"{name:16s} n={r['n']:<7d} ROC-AUC {r['roc_auc_mean']:.4f} ± {r['roc_auc_std']:.4f}  "
                  f"fit {r['fit_seconds']:.3f}s score {r['score_seconds']:.3f}s", file=sys.stderr, flush=True)
    if args.json:
        json.dump(rep, sys.stdout, indent=2)
        print()
    else:
        print_table(rep)


if __name__ == "__main__":
    main()
