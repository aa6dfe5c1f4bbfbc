package benchmarks

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	if testing.Short() {
		t.Skip("accuracy against scikit-learn takes a few seconds; skipped with -short")
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
