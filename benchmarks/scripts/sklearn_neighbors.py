#!/usr/bin/python3
"""Exactness and speed of Vigil's neighbours, k-NN and LOF against
scikit-learn's NearestNeighbors and LocalOutlierFactor.

Developer tool, not a dependency of the library. Run it with Debian's
interpreter, which has python3-sklearn, from the module root:

    /usr/bin/python3 benchmarks/scripts/sklearn_neighbors.py exact [--only a,b]
    /usr/bin/python3 benchmarks/scripts/sklearn_neighbors.py speed [--sets shuttle,mnist,campaign]

Vigil's side is benchmarks/cmd/nncheck, built once into a temporary
directory.

exact: for every NAME.csv with n <= --max-n (100,000), raw and standardised
(StandardScaler, which Vigil's Standardize matches), with K = --k (20):
  * dist: the largest relative difference between Vigil's k-NN distances of
    the training rows (each row left out) and NearestNeighbors(K)
    .kneighbors() (default algorithm), position by position;
  * lof: the largest relative difference between Vigil's LOF and
    -negative_outlier_factor_ of LocalOutlierFactor(K) (default algorithm),
    and how many rows differ by more than 1e-9;
  * lof_idx: the same against scikit-learn's own LOF arithmetic
    (LocalOutlierFactor._local_reachability_density) fed with neighbours
    ordered by (distance, index), Vigil's documented tie rule. scikit-learn
    breaks ties among equidistant points in whatever order its tree or
    heap meets them, so where a tie straddles the K-th place LOF differs by
    design; lof_idx isolates that. The neighbours come from
    kneighbors(K + 10) re-sorted by (exact distance, index); a row whose
    tie group runs past K + 10 is counted as unresolved.
A set passes when dist <= 1e-9 and lof_idx <= 1e-9.

speed: LOF(K=20) fit on all rows, scikit-learn (n_jobs=T, OMP_NUM_THREADS=T,
OPENBLAS_NUM_THREADS=T, so its OpenMP and BLAS threads are held to T too)
against nncheck -workers T, for T = 1 and 2, best of --repeat, in one run.
CSV parsing is excluded on both sides.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def root():
    d = os.path.dirname(os.path.abspath(__file__))
    while not os.path.exists(os.path.join(d, "go.mod")):
        parent = os.path.dirname(d)
        if parent == d:
            sys.exit("sklearn_neighbors: no go.mod above the script")
        d = parent
    return d


def data_dir():
    env = os.environ.get("VIGIL_DATA")
    if env:
        odds = os.path.join(env, "odds")
        return odds if os.path.isdir(odds) else env
    return os.path.normpath(os.path.join(root(), "..", "shared", "data", "odds"))


def manifest():
    rows = {}
    with open(os.path.join(data_dir(), "MANIFEST.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            rows[r["name"]] = (int(r["n"]), int(r["d"]))
    return rows


def build_nncheck(tmp):
    exe = os.path.join(tmp, "nncheck")
    subprocess.run(["go", "build", "-o", exe, "./benchmarks/cmd/nncheck"], cwd=root(), check=True)
    return exe


def load(name):
    import numpy as np
    path = os.path.join(data_dir(), name + ".csv")
    a = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return a[:, :-1], path


def nncheck(exe, path, k, std, workers, out=None, repeat=1):
    cmd = [exe, "-data", path, "-k", str(k), "-workers", str(workers), "-repeat", str(repeat)]
    if std:
        cmd.append("-std")
    if out:
        cmd += ["-out", out]
    p = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(p.stdout)


def rel(a, b):
    import numpy as np
    a, b = np.asarray(a, float), np.asarray(b, float)
    den = np.maximum(np.abs(a), np.abs(b))
    r = np.where(a == b, 0.0, np.abs(a - b) / np.where(den == 0, 1, den))
    return r


def exact(args):
    import numpy as np
    from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    k, extra = args.k, 10
    man = manifest()
    names = sorted(n for n, (rows, _) in man.items() if rows <= args.max_n)
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    results = []
    worst = True
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_nncheck(tmp)
        for name in names:
            X, path = load(name)
            for std in (False, True):
                Xs = StandardScaler().fit_transform(X) if std else X
                rep = nncheck(exe, path, k, std, 2, out=os.path.join(tmp, "o"))
                n = X.shape[0]
                vd = np.fromfile(os.path.join(tmp, "o.dist"), dtype="<f8").reshape(n, k)
                vl = np.fromfile(os.path.join(tmp, "o.lof"), dtype="<f8")
                lof = LocalOutlierFactor(n_neighbors=k).fit(Xs)
                sd = lof._distances_fit_X_
                sl = -lof.negative_outlier_factor_
                # Neighbours ordered by (exact distance, index).
                ke = min(k + extra, n - 1)
                _, ind = NearestNeighbors(n_neighbors=ke).fit(Xs).kneighbors()
                ed = np.sqrt(((Xs[:, None, :] - Xs[ind]) ** 2).sum(-1))
                order = np.lexsort((ind, ed), axis=1) if False else np.array(
                    [np.lexsort((ind[i], ed[i])) for i in range(n)])
                ed = np.take_along_axis(ed, order, 1)
                ind = np.take_along_axis(ind, order, 1)
                unresolved = int(np.sum(ed[:, -1] == ed[:, k - 1])) if ke > k else 0
                dk, ik = ed[:, :k], ind[:, :k]
                est = LocalOutlierFactor(n_neighbors=k)
                est.n_neighbors_ = k
                est._distances_fit_X_ = dk
                lrd = est._local_reachability_density(dk, ik)
                il = np.mean(lrd[ik] / lrd[:, np.newaxis], axis=1)
                rd, rl, ri = rel(vd, sd), rel(vl, sl), rel(vl, il)
                r = {
                    "set": name, "n": n, "d": X.shape[1], "standardize": std, "method": rep["method"],
                    "dist_max_rel": float(rd.max()), "lof_max_rel": float(rl.max()),
                    "lof_rows_over_1e-9": int((rl > 1e-9).sum()),
                    "lof_idx_max_rel": float(ri.max()), "lof_idx_rows_over_1e-9": int((ri > 1e-9).sum()),
                    "unresolved_ties": unresolved, "max_lof": float(vl.max()),
                }
                r["pass"] = r["dist_max_rel"] <= 1e-9 and r["lof_idx_max_rel"] <= 1e-9
                worst = worst and r["pass"]
                results.append(r)
                print("%-16s n=%-6d d=%-3d std=%-5s %-5s dist %.2e  lof %.2e (%d rows)  lof_idx %.2e (%d rows, %d unresolved)  %s" % (
                    name, n, X.shape[1], std, rep["method"], r["dist_max_rel"], r["lof_max_rel"],
                    r["lof_rows_over_1e-9"], r["lof_idx_max_rel"], r["lof_idx_rows_over_1e-9"],
                    unresolved, "ok" if r["pass"] else "FAIL"), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0 if worst else 1


def sk_time(name, threads, repeat, k):
    """Times scikit-learn in a child whose thread pools are fixed at start."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    code = (
        "import sys, time, numpy as np\n"
        "from sklearn.neighbors import LocalOutlierFactor\n"
        "X = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1, ndmin=2)[:, :-1]\n"
        "best = 1e300\n"
        "for _ in range(int(sys.argv[3])):\n"
        "    t = time.perf_counter()\n"
        "    LocalOutlierFactor(n_neighbors=int(sys.argv[4]), n_jobs=int(sys.argv[2])).fit(X)\n"
        "    best = min(best, time.perf_counter() - t)\n"
        "print(best)\n")
    path = os.path.join(data_dir(), name + ".csv")
    p = subprocess.run([sys.executable, "-c", code, path, str(threads), str(repeat), str(k)],
                       env=env, check=True, capture_output=True, text=True)
    return float(p.stdout.strip())


def speed(args):
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_nncheck(tmp)
        for name in args.sets.split(","):
            path = os.path.join(data_dir(), name + ".csv")
            for t in (1, 2):
                sk = sk_time(name, t, args.repeat, args.k)
                rep = nncheck(exe, path, args.k, False, t, repeat=args.repeat)
                r = {"set": name, "n": rep["n"], "d": rep["d"], "workers": t, "method": rep["method"],
                     "sklearn_s": sk, "vigil_s": rep["lof_s"], "speedup": sk / rep["lof_s"]}
                out.append(r)
                print("%-10s n=%-6d d=%-3d workers=%d %-5s sklearn %.3fs  vigil %.3fs  speedup %.2fx" % (
                    name, r["n"], r["d"], t, r["method"], sk, r["vigil_s"], r["speedup"]), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["exact", "speed"])
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--max-n", type=int, default=100000)
    ap.add_argument("--only", default="")
    ap.add_argument("--sets", default="shuttle,mnist,campaign")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    sys.exit(exact(args) if args.mode == "exact" else speed(args))


if __name__ == "__main__":
    main()
