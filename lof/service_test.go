package lof

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vigil-ml/vigil/internal/testenv"
)

// Issue 10 item 5: for rows built by corrupting one feature of a normal row,
// Explain ranks the corrupted feature first in at least 90 % of cases.
func TestExplainRanksCorruptedFeature(t *testing.T) {
	X := testenv.Gaussian(600, testenv.Scales, 1)
	m, err := Fit(context.Background(), X, Config{Standardize: true})
	require.NoError(t, err)
	rate := testenv.ExplainRanking(t, m, 400, 2)
	t.Logf("lof: corrupted feature ranked first in %.1f %% of 400 rows", 100*rate)
	assert.GreaterOrEqual(t, rate, 0.9)
	_, err = new(Model).Explain(X.RawRowView(0))
	assert.ErrorIs(t, err, ErrNotFitted)
}

// Batch scoring can be cancelled; WithWorkers changes speed, not scores.
func TestContextAndWorkers(t *testing.T) {
	X := testenv.Gaussian(3000, testenv.Scales, 3)
	m, err := Fit(context.Background(), X, Config{Workers: 2})
	require.NoError(t, err)
	Q := testenv.Gaussian(500, testenv.Scales, 4)
	testenv.CheckContext(t, m, Q)
	for _, w := range []int{1, 7} {
		testenv.SameScores(t, m, m.WithWorkers(w), Q)
	}
	assert.Equal(t, 2, m.Config().Workers)
}
