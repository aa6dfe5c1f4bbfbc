#!/usr/bin/python3
"""Writes normalize_ref.json: NumPy / SciPy reference values for the score
package's normaliser and combiner tests. Run with Debian's python3-scipy:
    /usr/bin/python3 score/testdata/gen_normalize.py > score/testdata/normalize_ref.json
"""
import json
import numpy as np
from scipy.special import erf
from scipy.stats import median_abs_deviation, percentileofscore

rng = np.random.default_rng(7)
cases = []
for n, ties in [(9, False), (200, True), (1001, False)]:
    ref = rng.gamma(2.0, 1.5, size=n)
    if ties:
        ref = np.round(ref, 1)
    new = np.concatenate([rng.gamma(2.0, 1.5, size=20), [ref.min(), ref.max(), -3.0, 40.0]])
    if ties:
        new = np.round(new, 1)
    mu, sd = ref.mean(), ref.std()          # ddof 0, as StandardScaler
    med = np.median(ref)
    mad = median_abs_deviation(ref, scale="normal")
    lo, hi = ref.min(), ref.max()
    cases.append({
        "ref": ref.tolist(), "new": new.tolist(),
        "zscore": ((new - mu) / sd).tolist(),
        "robust": ((new - med) / mad).tolist(),
        "minmax": ((new - lo) / (hi - lo)).tolist(),
        "rank": [percentileofscore(ref, v, kind="weak") / 100 for v in new],
        "unify": np.clip(erf((new - mu) / (sd * np.sqrt(2))), 0, 1).tolist(),
    })

# Combiner: two detectors on very different scales (a distance, a ratio).
knn = rng.gamma(3.0, 40.0, size=300)
lof = 1.0 + np.abs(rng.normal(0, 0.08, size=300))
zk = (knn - knn.mean()) / knn.std()
zl = (lof - lof.mean()) / lof.std()
comb = {
    "knn": knn.tolist(), "lof": lof.tolist(),
    "equal": (0.5 * zk + 0.5 * zl).tolist(),
    "alpha_beta": (0.3 * zk + 0.7 * zl).tolist(),
    "maximum": np.maximum(zk, zl).tolist(),
}
print(json.dumps({"normalize": cases, "combine": comb}))
