#!/bin/sh
# Times scikit-learn's IsolationForest (n_jobs=1) and Vigil's iforest on the
# same set in one run on this machine, and prints the speed ratio. Unit: fit
# on all rows + score all rows (ScoreBatch / score_samples), 100 trees of 256
# samples, best of REPEAT for both. Vigil is timed with all cores (its
# default) and with one worker, so the single-thread ratio is visible too.
#
#   sh benchmarks/scripts/compare_speed.sh [SET] [REPEAT]    (defaults: shuttle 5)
#
# Developer tool: needs /usr/bin/python3 with python3-sklearn, and go.
set -eu
SET=${1:-shuttle}
REPEAT=${2:-5}
PY=${PYTHON:-/usr/bin/python3}
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/vigilbench" ./benchmarks/cmd/vigilbench
# Vigil first, then scikit-learn, back to back: the machine is shared, so
# run this when nothing heavy is running and read both timings, not just the
# ratio.
"$tmp/vigilbench" -q -json -only "$SET" -seeds "$REPEAT" -max-n 0 > "$tmp/vigil.json"
"$tmp/vigilbench" -q -json -only "$SET" -seeds "$REPEAT" -max-n 0 -workers 1 > "$tmp/vigil1.json"
"$PY" benchmarks/scripts/sklearn_iforest.py --json --time "$SET" --repeat "$REPEAT" > "$tmp/sk.json"

"$PY" - "$tmp/vigil.json" "$tmp/vigil1.json" "$tmp/sk.json" <<'PYEOF'
import json, sys

def vigil_best(path):
    rep = json.load(open(path))
    runs = rep["results"][0]["runs"]
    best = min(runs, key=lambda r: r["fit_seconds"] + r["score_seconds"])
    return rep, best["fit_seconds"], best["score_seconds"]

rep, vf, vs = vigil_best(sys.argv[1])
_, v1f, v1s = vigil_best(sys.argv[2])
sk = json.load(open(sys.argv[3]))
b = sk["best"]
res = rep["results"][0]
print(f"set {res['dataset']} ({res['n']}x{res['d']}), fit all rows + score all rows, best of {len(res['runs'])}")
print(f"| implementation | fit s | score s | total s | speed-up vs scikit-learn |")
print(f"|---|--:|--:|--:|--:|")
print(f"| scikit-learn {sk['params']['sklearn']} n_jobs={sk['params']['n_jobs']} | {b['fit_seconds']:.4f} | {b['score_seconds']:.4f} | {b['total_seconds']:.4f} | 1.0x |")
for name, f, s in ((f"Vigil iforest, workers={rep['runtime'].split('GOMAXPROCS=')[-1]}", vf, vs), ("Vigil iforest, workers=1", v1f, v1s)):
    print(f"| {name} | {f:.4f} | {s:.4f} | {f+s:.4f} | {b['total_seconds']/(f+s):.1f}x |")
print(f"({rep['runtime']}; {sk['runtime']})")
PYEOF
