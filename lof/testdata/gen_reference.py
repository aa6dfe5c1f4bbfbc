#!/usr/bin/python3
"""Writes reference.json: scikit-learn's NearestNeighbors distances and
LocalOutlierFactor values on small hand-made sets, for lof's unit tests.

Run with Debian's /usr/bin/python3 (scikit-learn 1.2.1):
    /usr/bin/python3 lof/testdata/gen_reference.py

Distances are scikit-learn's own. Which of several equidistant points
becomes the K-th neighbour is an implementation detail in scikit-learn (it
depends on the algorithm and its traversal order), while Vigil takes the
lower index. On the integer-valued sets such ties decide some LOF values,
so the LOF references are computed by scikit-learn's own LOF code
(LocalOutlierFactor._local_reachability_density and the ratio of fit and
score_samples) fed with neighbours ordered by (squared distance, index). On the
sets without ties the script checks that this equals scikit-learn's
native output, and it records how many rows of the tied sets differ.
"""
import json
import os

import numpy as np
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors
from sklearn.preprocessing import StandardScaler


def cases():
    r = np.random.RandomState(7)
    out = []
    # Gaussian blob with a few outliers, columns on different scales.
    X = r.normal(size=(80, 3)) * [1.0, 10.0, 0.1]
    X[:4] += [6.0, 60.0, 0.6]
    Q = r.normal(size=(15, 3)) * [1.0, 10.0, 0.1] * 1.5
    out.append(("gauss", X, Q, 10, "auto"))
    # Integer grid: many tied distances, some exact duplicates.
    X = r.randint(0, 4, size=(60, 2)).astype(float)
    Q = np.vstack([r.randint(-1, 5, size=(12, 2)).astype(float), X[:3]])
    out.append(("grid", X, Q, 7, "brute"))
    # A pile of more than K+1 copies of one point beside a scattered set: the
    # scattered points next to the pile get huge LOF values (the 1e-10 term).
    X = np.vstack([np.tile([1.0, 1.0], (25, 1)), r.randint(2, 9, size=(30, 2)).astype(float)])
    Q = np.array([[1.0, 1.0], [1.0, 2.0], [3.0, 3.0], [20.0, 20.0]])
    out.append(("pile", X, Q, 5, "brute"))
    # One repeated point: every LOF is 1, every distance 0.
    X = np.tile([3.0, -1.0, 2.0, 0.5], (30, 1))
    Q = np.array([[3.0, -1.0, 2.0, 0.5], [3.0, -1.0, 2.0, 1.5]])
    out.append(("same", X, Q, 5, "brute"))
    # Wide data with a constant column, for the standardiser and the
    # brute-force path.
    X = r.normal(size=(70, 24)) * np.linspace(0.1, 5, 24)
    X[:, 5] = 4.25
    X[:3] *= 3
    Q = r.normal(size=(10, 24)) * np.linspace(0.1, 5, 24)
    Q[:, 5] = 4.25
    out.append(("wide", X, Q, 12, "auto"))
    return out


def ordered_neighbors(Xs, Q, k, exclude_self):
    """Exact k nearest rows of Xs for each row of Q, ties by lower index."""
    # Squared distances in Vigil's summation order (column by column below
    # 16 columns, four partial sums from 16 up), sorted stably so that equal
    # squares go by index.
    d = Xs.shape[1]
    diff = Q[:, None, :] - Xs[None, :, :]
    if d < 16:
        D = np.zeros(diff.shape[:2])
        for j in range(d):
            D = D + diff[..., j] * diff[..., j]
    else:
        lanes = [np.zeros(diff.shape[:2]) for _ in range(4)]
        for j in range(d - d % 4):
            lanes[j % 4] = lanes[j % 4] + diff[..., j] * diff[..., j]
        for j in range(d - d % 4, d):
            lanes[0] = lanes[0] + diff[..., j] * diff[..., j]
        D = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
    if exclude_self:
        np.fill_diagonal(D, np.inf)
    ind = np.argsort(D, axis=1, kind="stable")[:, :k]
    return np.sqrt(np.take_along_axis(D, ind, axis=1)), ind


def index_tie_lof(est, Xs, Qs, k):
    """scikit-learn's LOF arithmetic on (distance, index)-ordered neighbours."""
    dist, ind = ordered_neighbors(Xs, Xs, k, True)
    est._distances_fit_X_ = dist
    lrd = est._local_reachability_density(dist, ind)
    train = np.mean(lrd[ind] / lrd[:, np.newaxis], axis=1)
    est._lrd = lrd
    qd, qi = ordered_neighbors(Xs, Qs, k, False)
    q_lrd = est._local_reachability_density(qd, qi)
    query = np.mean(lrd[qi] / q_lrd[:, np.newaxis], axis=1)
    return train, query


def main():
    res = []
    for name, X, Q, k, alg in cases():
        for std in (False, True):
            Xs, Qs = X, Q
            if std:
                sc = StandardScaler().fit(X)
                Xs, Qs = sc.transform(X), sc.transform(Q)
            nn = NearestNeighbors(n_neighbors=k, algorithm=alg).fit(Xs)
            dist, _ = nn.kneighbors()
            qdist, _ = nn.kneighbors(Qs)
            lof = LocalOutlierFactor(n_neighbors=k, algorithm=alg).fit(Xs)
            nov = LocalOutlierFactor(n_neighbors=k, algorithm=alg, novelty=True).fit(Xs)
            native_train = -lof.negative_outlier_factor_
            native_query = -nov.score_samples(Qs)
            train_lof, query_lof = index_tie_lof(nov, Xs, Qs, k)
            differ = int(np.sum(~np.isclose(train_lof, native_train, rtol=1e-12, atol=0)))
            differ += int(np.sum(~np.isclose(query_lof, native_query, rtol=1e-12, atol=0)))
            if name in ("gauss", "wide"):
                assert differ == 0, name
            print(name, "standardize" if std else "raw", "rows whose LOF depends on tie order:", differ)
            res.append({
                "name": name, "k": k, "standardize": std,
                "X": X.tolist(), "Q": Q.tolist(),
                "train_dist": dist.tolist(), "query_dist": qdist.tolist(),
                "train_lof": train_lof.tolist(),
                "query_lof": query_lof.tolist(),
            })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
    with open(path, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
