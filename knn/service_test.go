package knn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vigil-ml/vigil/internal/testenv"
)

// Issue 10 item 5: for rows built by corrupting one feature of a normal row,
// Explain ranks the corrupted feature first in at least 90 % of cases, for
// every Method.
func TestExplainRanksCorruptedFeature(t *testing.T) {
	X := testenv.Gaussian(600, testenv.Scales, 1)
	for _, meth := range []Method{Largest, Mean, Median} {
		m, err := Fit(context.Background(), X, Config{Method: meth, Standardize: true})
		require.NoError(t, err)
		rate := testenv.ExplainRanking(t, m, 400, 2)
		t.Logf("knn %v: corrupted feature ranked first in %.1f %% of 400 rows", meth, 100*rate)
		assert.GreaterOrEqual(t, rate, 0.9, "%v", meth)
	}
	m, err := Fit(context.Background(), X, Config{K: 3})
	require.NoError(t, err)
	c, err := m.Explain(X.RawRowView(0))
	require.NoError(t, err)
	assert.InDelta(t, 1, c[0]+c[1]+c[2]+c[3]+c[4]+c[5], 1e-12, "shares sum to 1")
	_, err = m.Explain([]float64{1})
	assert.ErrorIs(t, err, ErrDimension)
	_, err = new(Model).Explain(X.RawRowView(0))
	assert.ErrorIs(t, err, ErrNotFitted)
}

// Batch scoring can be cancelled, and a loaded model takes a worker count
// at scoring time without changing its scores or the original model.
func TestContextAndWorkers(t *testing.T) {
	X := testenv.Gaussian(3000, testenv.Scales, 3)
	m, err := Fit(context.Background(), X, Config{Standardize: true, Workers: 1})
	require.NoError(t, err)
	Q := testenv.Gaussian(500, testenv.Scales, 4)
	testenv.CheckContext(t, m, Q)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	var loaded Model
	require.NoError(t, loaded.UnmarshalBinary(b))
	for _, w := range []int{1, 3, 64} {
		mw := loaded.WithWorkers(w)
		assert.Equal(t, w, mw.Config().Workers)
		testenv.SameScores(t, m, mw, Q)
	}
	assert.Equal(t, 1, loaded.Config().Workers, "WithWorkers leaves the model alone")
	_, err = new(Model).WithWorkers(2).Score(Q.RawRowView(0))
	assert.ErrorIs(t, err, ErrNotFitted, "a zero Model stays unfitted")
}

// Issue 7 item 4: sizes are checked against the input and the machine: a
// huge K is a clear error, a huge worker count is capped by the work.
func TestHugeConfig(t *testing.T) {
	X := testenv.Gaussian(300, testenv.Scales, 5)
	for _, k := range []int{min(1<<40, math.MaxInt), math.MaxInt/2 + 1, 300} {
		_, err := Fit(context.Background(), X, Config{K: k})
		assert.ErrorIs(t, err, ErrConfig, "K=%d", k)
	}
	m, err := Fit(context.Background(), X, Config{Workers: min(1<<40, math.MaxInt)})
	require.NoError(t, err)
	ref, err := Fit(context.Background(), X, Config{Workers: 1})
	require.NoError(t, err)
	assert.Equal(t, ref.TrainingScores(), m.TrainingScores())
	testenv.SameScores(t, ref, m, X)
}
