#!/usr/bin/python3
"""Writes metrics_ref.json: scikit-learn / NumPy reference values for the
score package's metric tests. Run with Debian's python3-sklearn:
    /usr/bin/python3 score/testdata/gen_metrics.py > score/testdata/metrics_ref.json
"""
import json
import numpy as np
from sklearn.metrics import roc_auc_score, average_precision_score

rng = np.random.default_rng(42)
cases = []
for n, ties in [(10, False), (50, True), (500, True), (2000, False)]:
    y = (rng.random(n) < 0.2).astype(int)
    y[0], y[1] = 1, 0
    s = rng.normal(size=n) + y * 1.0
    if ties:
        s = np.round(s, 1)
    qs = [0.0, 0.05, 0.5, 0.95, 0.999, 1.0]
    cases.append({
        "scores": s.tolist(), "labels": y.tolist(),
        "roc_auc": roc_auc_score(y, s),
        "average_precision": average_precision_score(y, s),
        "quantiles": {str(q): float(np.quantile(s, q)) for q in qs},
    })
print(json.dumps(cases))
