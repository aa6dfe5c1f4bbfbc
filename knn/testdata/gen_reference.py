#!/usr/bin/python3
"""Writes reference.json: k-NN outlier scores from scikit-learn 1.2.1's
NearestNeighbors distances, for knn's unit tests.

Run with Debian's /usr/bin/python3:
    /usr/bin/python3 knn/testdata/gen_reference.py

The scores follow PyOD's KNN (PyOD itself is not installed here): for the
training rows, the distances of kneighbors() with X=None, which leaves each
row out of its own neighbourhood; for new points, kneighbors(Q). 'largest'
is the K-th distance, 'mean' the mean and 'median' numpy's median of the K
distances. Distances do not depend on how ties are broken, so scikit-learn's
native output is the reference on every set.
"""
import importlib.util
import json
import os

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
# The same hand-made sets as lof's references.
spec = importlib.util.spec_from_file_location(
    "lofref", os.path.join(here, "..", "..", "lof", "testdata", "gen_reference.py"))
lofref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lofref)


def main():
    res = []
    for name, X, Q, _, alg in lofref.cases():
        k = 5
        for std in (False, True):
            Xs, Qs = X, Q
            if std:
                sc = StandardScaler().fit(X)
                Xs, Qs = sc.transform(X), sc.transform(Q)
            nn = NearestNeighbors(n_neighbors=k, algorithm=alg).fit(Xs)
            dist, _ = nn.kneighbors()
            qdist, _ = nn.kneighbors(Qs)
            case = {"name": name, "k": k, "standardize": std, "X": X.tolist(), "Q": Q.tolist()}
            for method, f in (("largest", lambda d: d[:, -1]),
                              ("mean", lambda d: np.mean(d, axis=1)),
                              ("median", lambda d: np.median(d, axis=1))):
                case[method] = {"train": f(dist).tolist(), "query": f(qdist).tolist()}
            res.append(case)
    with open(os.path.join(here, "reference.json"), "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
