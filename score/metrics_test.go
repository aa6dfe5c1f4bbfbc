package score

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bools(v ...int) []bool {
	b := make([]bool, len(v))
	for i, x := range v {
		b[i] = x == 1
	}
	return b
}

func TestMetricsHand(t *testing.T) {
	for _, tc := range []struct {
		name    string
		scores  []float64
		labels  []bool
		auc, ap float64
	}{
		// scikit-learn's documented roc_auc_score example.
		{"doc", []float64{0.1, 0.4, 0.35, 0.8}, bools(0, 0, 1, 1), 0.75, 0.8333333333333333},
		// One tie between an anomaly and a normal counts one half: 2.5/4.
		{"tie", []float64{1, 1, 2, 3}, bools(0, 1, 0, 1), 0.625, 0.75},
		{"perfect", []float64{0, 1, 2, 3}, bools(0, 0, 1, 1), 1, 1},
		{"inverted", []float64{3, 2, 1, 0}, bools(0, 0, 1, 1), 0, 5.0 / 12},
		{"all tied", []float64{5, 5, 5, 5}, bools(0, 1, 0, 1), 0.5, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auc, err := ROCAUC(tc.scores, tc.labels)
			require.NoError(t, err)
			assert.InDelta(t, tc.auc, auc, 1e-12)
			ap, err := AveragePrecision(tc.scores, tc.labels)
			require.NoError(t, err)
			assert.InDelta(t, tc.ap, ap, 1e-12)
		})
	}
}

func TestMetricsAgainstSklearn(t *testing.T) {
	raw, err := os.ReadFile("testdata/metrics_ref.json")
	require.NoError(t, err)
	var cases []struct {
		Scores    []float64          `json:"scores"`
		Labels    []int              `json:"labels"`
		ROCAUC    float64            `json:"roc_auc"`
		AP        float64            `json:"average_precision"`
		Quantiles map[string]float64 `json:"quantiles"`
	}
	require.NoError(t, json.Unmarshal(raw, &cases))
	require.NotEmpty(t, cases)
	for _, c := range cases {
		labels := bools(c.Labels...)
		auc, err := ROCAUC(c.Scores, labels)
		require.NoError(t, err)
		assert.InDelta(t, c.ROCAUC, auc, 1e-12)
		ap, err := AveragePrecision(c.Scores, labels)
		require.NoError(t, err)
		assert.InDelta(t, c.AP, ap, 1e-12)
		for qs, want := range c.Quantiles {
			q, _ := strconv.ParseFloat(qs, 64)
			got, err := Quantile(c.Scores, q)
			require.NoError(t, err)
			assert.InDelta(t, want, got, 1e-12, "q=%v", q)
		}
	}
}

func TestAtThreshold(t *testing.T) {
	c, err := AtThreshold([]float64{0.1, 0.5, 0.7, 0.9, 0.3}, bools(0, 1, 0, 1, 1), 0.5)
	require.NoError(t, err)
	assert.Equal(t, Confusion{TP: 2, FP: 1, TN: 1, FN: 1}, c)
	assert.InDelta(t, 2.0/3, c.Precision(), 1e-15)
	assert.InDelta(t, 2.0/3, c.Recall(), 1e-15)
	assert.InDelta(t, 2.0/3, c.F1(), 1e-15)
	assert.Zero(t, Confusion{FN: 3}.Precision())
	assert.Zero(t, Confusion{}.F1())
}

func TestPrecisionAtN(t *testing.T) {
	s := []float64{9, 8, 7, 7, 1, 0}
	l := bools(1, 0, 1, 0, 1, 0)
	p, err := PrecisionAtN(s, l, 2)
	require.NoError(t, err)
	assert.InDelta(t, 0.5, p, 1e-15)
	// n defaults to the 3 anomalies; the tie at 7 is split half and half.
	p, err = PrecisionAtN(s, l, 0)
	require.NoError(t, err)
	assert.InDelta(t, 1.5/3, p, 1e-15)
	_, err = PrecisionAtN(s, l, 7)
	assert.ErrorIs(t, err, ErrConfig)
}

func TestMetricErrors(t *testing.T) {
	_, err := ROCAUC(nil, nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, err = ROCAUC([]float64{1, 2}, bools(1))
	assert.ErrorIs(t, err, ErrDimension)
	_, err = ROCAUC([]float64{1, 2}, bools(1, 1))
	assert.ErrorIs(t, err, ErrConfig)
	_, err = ROCAUC([]float64{1, math.NaN()}, bools(1, 0))
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = AveragePrecision([]float64{1, 2}, bools(0, 0))
	assert.ErrorIs(t, err, ErrConfig)
	_, err = Quantile([]float64{1}, 1.5)
	assert.ErrorIs(t, err, ErrConfig)
	_, err = Quantile(nil, 0.5)
	assert.ErrorIs(t, err, ErrEmpty)
}
