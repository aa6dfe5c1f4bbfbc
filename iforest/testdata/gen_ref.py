#!/usr/bin/python3
"""Reference scores for iforest's convergence test, from scikit-learn.

With many trees, a forest's score approaches the expectation over random
trees, which depends only on the algorithm; so Vigil's scores with as many
trees must approach these. Run with Debian's python3-sklearn:
    /usr/bin/python3 iforest/testdata/gen_ref.py > iforest/testdata/sklearn_ref.json
"""
import json
import numpy as np
from sklearn.ensemble import IsolationForest

rng = np.random.default_rng(3)
normal = rng.normal(size=(300, 3)) * [1.0, 2.0, 0.5]
outliers = rng.uniform(-8, 8, size=(10, 3))
X = np.vstack([normal, outliers])
queries = np.vstack([X[::7], [[0, 0, 0], [6, -6, 3], [0.5, 1, 0.2]]])
f = IsolationForest(n_estimators=4000, max_samples=64, random_state=0).fit(X)
print(json.dumps({
    "X": X.tolist(),
    "queries": queries.tolist(),
    "psi": 64,
    "trees": 4000,
    "scores": (-f.score_samples(queries)).tolist(),
}))
