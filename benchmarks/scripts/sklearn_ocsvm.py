#!/usr/bin/python3
"""scikit-learn OneClassSVM (libsvm) references and timings for Vigil's ocsvm.

Developer tool, not a dependency of the library. Run it with Debian's
interpreter, which has python3-sklearn 1.2.1:

    # full references (every decision value) for the seven sets at nu 0.5
    # and 0.1, then the Go side back to back in the same run, one worker
    # and two, with the comparison table and the fit-time ratio:
    nice /usr/bin/python3 benchmarks/scripts/sklearn_ocsvm.py refs --out /tmp/ocsvm-ref --go

    # the small references committed in ocsvm/testdata:
    /usr/bin/python3 benchmarks/scripts/sklearn_ocsvm.py testdata

    # the scalable variant's anchor: Nystroem(300) + SGDOneClassSVM
    nice /usr/bin/python3 benchmarks/scripts/sklearn_ocsvm.py scale --out /tmp/ocsvm-ref

Protocol: each NAME.csv (header f0..f{d-1},label; label 1 = anomaly) is
z-scored with StandardScaler (population std), OneClassSVM(kernel='rbf',
gamma='scale', nu=NU, tol=1e-3, cache_size=200, shrinking=True) is fit on
every row and decision_function is taken on every row; ROC-AUC uses the
anomaly score -decision_function. Fit time is wall time of fit() alone.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import SGDOneClassSVM
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

SETS = ["cardio", "thyroid", "pendigits", "satellite", "optdigits", "mnist", "mammography"]
NUS = [0.5, 0.1]


def module_root():
    d = os.path.dirname(os.path.abspath(__file__))
    while not os.path.exists(os.path.join(d, "go.mod")):
        parent = os.path.dirname(d)
        if parent == d:
            sys.exit("sklearn_ocsvm: no go.mod above the script")
        d = parent
    return d


def data_dir():
    """$VIGIL_DATA/odds, else ../shared/data/odds beside the module root
    (mirrors benchmarks/dataset.Dir)."""
    env = os.environ.get("VIGIL_DATA")
    if env:
        odds = os.path.join(env, "odds")
        return odds if os.path.isdir(odds) else env
    return os.path.normpath(os.path.join(module_root(), "..", "shared", "data", "odds"))


def load(name):
    path = os.path.join(data_dir(), name + ".csv")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return np.ascontiguousarray(data[:, :-1]), data[:, -1].astype(bool)


def fit_exact(Xs, nu):
    m = OneClassSVM(kernel="rbf", gamma="scale", nu=nu)
    t0, c0 = time.perf_counter(), time.process_time()
    m.fit(Xs)
    t1, c1 = time.perf_counter(), time.process_time()
    dec = m.decision_function(Xs)
    return m, dec, t1 - t0, c1 - c0


def refs(args):
    os.makedirs(args.out, exist_ok=True)
    sets = args.only.split(",") if args.only else SETS
    rows = []
    for name in sets:
        X, y = load(name)
        Xs = StandardScaler().fit_transform(X)
        for nu in NUS:
            m, dec, fit_s, cpu_s = fit_exact(Xs, nu)
            rec = {
                "dataset": name, "nu": nu, "n": int(X.shape[0]), "d": int(X.shape[1]),
                "gamma": float(m._gamma), "rho": float(m.offset_[0]),
                "n_support": int(m.support_.size), "n_iter": int(np.sum(m.n_iter_)),
                "roc_auc": float(roc_auc_score(y, -dec)), "fit_seconds": fit_s,
                "fit_cpu_seconds": cpu_s, "decision": dec.tolist(),
            }
            with open(os.path.join(args.out, f"{name}.nu{nu}.json"), "w") as f:
                json.dump(rec, f)
            rows.append(rec)
            print(f"{name:12s} nu={nu:<4} n={rec['n']:<6d} SV={rec['n_support']:<6d} rho={rec['rho']:.6f} "
                  f"AUC={rec['roc_auc']:.4f} iter={rec['n_iter']} fit {fit_s:.3f}s (cpu {cpu_s:.3f}s)", file=sys.stderr, flush=True)
    total = sum(r["fit_seconds"] for r in rows)
    print(f"libsvm total fit {total:.3f}s over {len(rows)} fits", file=sys.stderr)
    if not args.go:
        return
    # The Go side, straight after, on the same machine: the data-gated test
    # compares every decision value and writes its fit times.
    env = dict(os.environ, VIGIL_OCSVM_REF=args.out)
    cmd = ["go", "test", "./ocsvm/", "-run", "^TestLibsvmFull$", "-count=1", "-v", "-timeout", "60m"]
    print("running", " ".join(cmd), file=sys.stderr, flush=True)
    r = subprocess.run(cmd, cwd=module_root(), env=env)
    with open(os.path.join(args.out, "go_times.json")) as f:
        got = json.load(f)
    print()
    print(f"scikit-learn {sklearn.__version__} OneClassSVM vs Vigil ocsvm, {platform.machine()}, z-scored, rbf, gamma='scale'")
    print()
    print("| set | nu | n | SV libsvm | SV vigil | iter libsvm | iter vigil | max abs diff | AUC libsvm | AUC vigil "
          "| libsvm fit s (cpu) | vigil 1w s (cpu) | vigil 2w s |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    t_sk = c_sk = t1 = c1 = t2 = 0.0
    for rec in rows:
        g = got[f"{rec['dataset']}.nu{rec['nu']}"]
        t_sk += rec["fit_seconds"]
        c_sk += rec["fit_cpu_seconds"]
        t1 += g["fit_seconds_1"]
        c1 += g["fit_cpu_seconds_1"]
        t2 += g["fit_seconds_2"]
        print(f"| {rec['dataset']} | {rec['nu']} | {rec['n']} | {rec['n_support']} | {int(g['n_support'])} | "
              f"{rec['n_iter']} | {int(g['iterations'])} | {g['max_abs_diff']:.1e} | {rec['roc_auc']:.4f} | "
              f"{g['roc_auc']:.4f} | {rec['fit_seconds']:.3f} ({rec['fit_cpu_seconds']:.3f}) | "
              f"{g['fit_seconds_1']:.3f} ({g['fit_cpu_seconds_1']:.3f}) | {g['fit_seconds_2']:.3f} |")
    print(f"| **total** | | | | | | | | | | {t_sk:.3f} ({c_sk:.3f}) | {t1:.3f} ({c1:.3f}) | {t2:.3f} |")
    print(f"\nfit-time ratio vigil/libsvm, wall: 1 worker {t1 / t_sk:.3f}, 2 workers {t2 / t_sk:.3f}; "
          f"cpu, 1 worker: {c1 / c_sk:.3f}")
    sys.exit(r.returncode)


def small_cases():
    """Hand-made sets covering every kernel and option; data is stored with
    the answers so the Go test needs nothing else."""
    rng = np.random.RandomState(11)
    cases = []
    blob = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(4, 0.5, (30, 2)), rng.uniform(-6, 8, (10, 2))])
    Q = rng.uniform(-7, 9, (25, 2))
    wide = np.vstack([rng.normal(0, 1, (120, 5)), rng.normal(0, 3, (15, 5))])
    Qw = rng.normal(0, 2, (20, 5))
    for nu in (0.5, 0.1, 0.9, 0.013):  # nu = 1 leaves rho infinite in libsvm; scikit-learn refuses it
        cases.append(("blob", blob, Q, dict(kernel="rbf", gamma="scale", nu=nu)))
    cases.append(("blob_auto", blob, Q, dict(kernel="rbf", gamma="auto", nu=0.3)))
    cases.append(("blob_g2", blob, Q, dict(kernel="rbf", gamma=2.0, nu=0.2)))
    cases.append(("wide", wide, Qw, dict(kernel="rbf", gamma="scale", nu=0.5)))
    cases.append(("wide_linear", wide, Qw, dict(kernel="linear", nu=0.3)))
    cases.append(("wide_poly", wide, Qw, dict(kernel="poly", degree=3, gamma="scale", coef0=1.0, nu=0.25)))
    cases.append(("wide_poly2", wide, Qw, dict(kernel="poly", degree=2, gamma=0.1, coef0=0.0, nu=0.5)))
    cases.append(("wide_sigmoid", wide, Qw, dict(kernel="sigmoid", gamma=0.01, coef0=0.5, nu=0.4)))
    cases.append(("wide_tol", wide, Qw, dict(kernel="rbf", gamma="scale", nu=0.2, tol=1e-6)))
    dup = np.vstack([blob[:20], blob[:20], blob[20:40]])
    cases.append(("duplicates", dup, Q, dict(kernel="rbf", gamma="scale", nu=0.5)))
    out = []
    for name, X, Q, kw in cases:
        for std in (False, True) if name in ("blob", "wide") and kw.get("nu") == 0.5 else (False,):
            Xs, Qs = X, Q
            if std:
                sc = StandardScaler().fit(X)
                Xs, Qs = sc.transform(X), sc.transform(Q)
            m = OneClassSVM(**kw).fit(Xs)
            kw_out = dict(kw)
            out.append({
                "name": name, "params": kw_out, "standardize": std, "X": X.tolist(), "Q": Q.tolist(),
                "gamma": float(m._gamma), "rho": float(m.offset_[0]),
                "support": m.support_.tolist(), "dual_coef": m.dual_coef_.ravel().tolist(),
                "n_iter": int(np.sum(m.n_iter_)),
                "train_decision": m.decision_function(Xs).tolist(),
                "query_decision": m.decision_function(Qs).tolist(),
            })
    return out


def testdata(args):
    root = module_root()
    td = os.path.join(root, "ocsvm", "testdata")
    os.makedirs(td, exist_ok=True)
    with open(os.path.join(td, "sklearn_small.json"), "w") as f:
        json.dump({"sklearn": sklearn.__version__, "cases": small_cases()}, f)
    # Real sets: summary figures plus the decision values of 200 rows, for
    # the data-gated test when no full reference directory is given.
    summ = []
    if os.path.isdir(data_dir()) and not args.no_real:
        for name in SETS:
            X, y = load(name)
            Xs = StandardScaler().fit_transform(X)
            rows = np.linspace(0, X.shape[0] - 1, 200).astype(int)
            for nu in NUS:
                m, dec, _, _ = fit_exact(Xs, nu)
                summ.append({"dataset": name, "nu": nu, "n": int(X.shape[0]), "gamma": float(m._gamma),
                             "rho": float(m.offset_[0]), "n_support": int(m.support_.size),
                             "roc_auc": float(roc_auc_score(y, -dec)),
                             "decision_mean": float(dec.mean()), "decision_min": float(dec.min()),
                             "decision_max": float(dec.max()),
                             "rows": rows.tolist(), "decision": dec[rows].tolist()})
                print(name, nu, file=sys.stderr, flush=True)
        with open(os.path.join(td, "sklearn_real.json"), "w") as f:
            json.dump({"sklearn": sklearn.__version__, "sets": summ}, f)


def scale(args):
    os.makedirs(args.out, exist_ok=True)
    out = {}
    for name in args.only.split(",") if args.only else ["shuttle", "cover"]:
        X, y = load(name)
        Xs = StandardScaler().fit_transform(X)
        gamma = 1.0 / (Xs.shape[1] * Xs.var())
        aucs, secs = [], []
        for seed in range(args.seeds):
            t0 = time.perf_counter()
            ny = Nystroem(gamma=gamma, n_components=300, random_state=seed)
            Z = ny.fit_transform(Xs)
            sgd = SGDOneClassSVM(nu=args.nu, random_state=seed).fit(Z)
            t1 = time.perf_counter()
            s = -sgd.decision_function(Z)
            aucs.append(float(roc_auc_score(y, s)))
            secs.append(t1 - t0)
        rec = {"dataset": name, "nu": args.nu, "seeds": args.seeds, "roc_auc_mean": float(np.mean(aucs)),
               "roc_auc_se": float(np.std(aucs, ddof=1) / np.sqrt(len(aucs))) if len(aucs) > 1 else 0.0,
               "roc_auc": aucs, "fit_seconds_mean": float(np.mean(secs))}
        out[name] = rec
        print(f"{name}: Nystroem(300)+SGDOneClassSVM nu={args.nu} AUC {rec['roc_auc_mean']:.4f} ± "
              f"{rec['roc_auc_se']:.4f} (SE, {args.seeds} seeds), fit {rec['fit_seconds_mean']:.2f}s", flush=True)
    with open(os.path.join(args.out, f"scale.nu{args.nu}.json"), "w") as f:
        json.dump(out, f)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("refs", help="full references and timings")
    r.add_argument("--out", required=True)
    r.add_argument("--only", help="comma-separated sets (default: the seven)")
    r.add_argument("--go", action="store_true", help="then run the Go comparison back to back")
    t = sub.add_parser("testdata", help="write ocsvm/testdata references")
    t.add_argument("--no-real", action="store_true", help="only the hand-made cases")
    s = sub.add_parser("scale", help="Nystroem(300)+SGDOneClassSVM anchor")
    s.add_argument("--out", required=True)
    s.add_argument("--only")
    s.add_argument("--nu", type=float, default=0.5)
    s.add_argument("--seeds", type=int, default=5)
    args = p.parse_args()
    {"refs": refs, "testdata": testdata, "scale": scale}[args.cmd](args)


if __name__ == "__main__":
    main()
