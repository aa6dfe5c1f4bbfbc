package benchmarks

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
	"github.com/vigil-ml/vigil/iforest"
	"github.com/vigil-ml/vigil/score"
)

// sklearnReference is scikit-learn 1.2.1's IsolationForest(n_estimators=100,
// max_samples=256) on the shared sets with n ≤ 12,000: mean and standard
// deviation of ROC-AUC over seeds 0..49, fit and score all rows. Made with
//
//	/usr/bin/python3 benchmarks/scripts/sklearn_iforest.py --max-n 12000 --seeds 50 --json -q
//
// and reduced to these fields.
type sklearnReference struct {
	Seeds int `json:"seeds"`
	Sets  map[string]struct {
		Mean float64 `json:"roc_auc_mean"`
		Std  float64 `json:"roc_auc_std"`
	} `json:"sets"`
}

// TestIForestMatchesSklearn checks that Vigil's forest has scikit-learn's
// accuracy on every small shared set: the mean ROC-AUC over 10 seeds must lie
// within four standard errors of the difference of two seed means (at least
// 0.01) of scikit-learn's 50-seed mean. Both are randomised, so only a
// statistical tolerance is meaningful; a different algorithm (a wrong c(n),
// a biased split, a sampling bug) moves several sets by more than that.
func TestIForestMatchesSklearn(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("accuracy against scikit-learn takes a few seconds (a minute under -race); skipped with -short and under -race")
	}
	raw, err := os.ReadFile("testdata/sklearn_iforest_50seeds.json")
	require.NoError(t, err)
	var ref sklearnReference
	require.NoError(t, json.Unmarshal(raw, &ref))
	require.NotEmpty(t, ref.Sets)
	dir, err := dataset.Dir()
	if errors.Is(err, dataset.ErrNotFound) {
		t.Skipf("shared data sets not available (%v); set $%s", err, dataset.EnvVar)
	}
	require.NoError(t, err)

	const seeds = 10
	checked := 0
	for name, want := range ref.Sets {
		ds, err := dataset.Load(dir + "/" + name + ".csv")
		if errors.Is(err, dataset.ErrNotFound) {
			continue
		}
		require.NoError(t, err, name)
		aucs := make([]float64, seeds)
		for s := range aucs {
			m, err := iforest.Fit(context.Background(), ds.X, iforest.Config{Seed: uint64(s)})
			require.NoError(t, err, name)
			scores, err := m.ScoreBatch(ds.X)
			require.NoError(t, err)
			aucs[s], err = score.ROCAUC(scores, ds.Labels)
			require.NoError(t, err)
		}
		mean, std := stat.PopMeanStdDev(aucs, nil)
		se := math.Sqrt(std*std/seeds + want.Std*want.Std/float64(ref.Seeds))
		assert.InDelta(t, want.Mean, mean, max(0.01, 4*se), "%s: Vigil %.4f ± %.4f, scikit-learn %.4f ± %.4f", name, mean, std, want.Mean, want.Std)
		checked++
	}
	t.Logf("%d sets checked against scikit-learn", checked)
}

// TestIForestExplainRealData repeats iforest's corrupted-feature test on the
// shared sets: a normal row with one feature moved by 6 standard deviations
// (of that feature over the set) should have that feature ranked first by
// Explain. The bar is on the mean over sets: wide sets of sparse features
// (arrhythmia, mnist, spambase) are where a path-based credit is weakest,
// since few of x's paths split on the moved feature. With the distance
// credit of iforest's Explain the mean is 92 % (61 % with bits alone).
func TestIForestExplainRealData(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("real-data explanation check skipped with -short and under -race")
	}
	dir, err := dataset.Dir()
	if errors.Is(err, dataset.ErrNotFound) {
		t.Skipf("shared data sets not available (%v); set $%s", err, dataset.EnvVar)
	}
	require.NoError(t, err)
	names, err := dataset.Names(dir)
	require.NoError(t, err)
	manifest, _ := dataset.Manifest(dir)
	var sum, fsum float64
	sets, fsets := 0, 0
	for _, name := range names {
		if e, ok := manifest[name]; !ok || e.N > 12_000 || e.D < 2 {
			continue
		}
		ds, err := dataset.Load(dir + "/" + name + ".csv")
		require.NoError(t, err, name)
		m, err := iforest.Fit(context.Background(), ds.X, iforest.Config{Seed: 1})
		require.NoError(t, err, name)
		n, d := ds.X.Dims()
		sd := make([]float64, d)
		for j := range d {
			sd[j] = stat.PopStdDev(mat.Col(nil, j, ds.X), nil)
		}
		train, err := m.ScoreBatch(ds.X)
		require.NoError(t, err)
		bar, err := score.Quantile(train, 0.95)
		require.NoError(t, err)
		r := rand.New(rand.NewPCG(uint64(len(name)), 5))
		hits, trials, flagged, flaggedHits := 0, 0, 0, 0
		for trials < 200 {
			i := r.IntN(n)
			if ds.Labels[i] {
				continue
			}
			j := r.IntN(d)
			if sd[j] == 0 {
				continue
			}
			x := mat.Row(nil, i, ds.X)
			x[j] += math.Copysign(6*sd[j], r.NormFloat64())
			c, err := m.Explain(x)
			require.NoError(t, err)
			best := 0
			for k, v := range c {
				if v > c[best] {
					best = k
				}
			}
			s, _ := m.Score(x)
			if best == j {
				hits++
			}
			if s >= bar {
				flagged++
				if best == j {
					flaggedHits++
				}
			}
			trials++
		}
		rate := float64(hits) / float64(trials)
		fr := float64(flaggedHits) / float64(max(flagged, 1))
		t.Logf("%-16s d=%3d: corrupted feature first in %5.1f%% of %d rows; %3d flagged (score ≥ 95th percentile), first in %5.1f%% of them",
			name, d, 100*rate, trials, flagged, 100*fr)
		sum += rate
		sets++
		if flagged >= 20 {
			fsum += fr
			fsets++
		}
	}
	require.Positive(t, sets)
	t.Logf("mean over %d sets: %.1f%% of corrupted rows; over the %d sets with ≥ 20 flagged, %.1f%% of flagged rows",
		sets, 100*sum/float64(sets), fsets, 100*fsum/float64(max(fsets, 1)))
	assert.GreaterOrEqual(t, sum/float64(sets), 0.85)
}
