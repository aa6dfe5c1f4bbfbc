package pipeline

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/score"
)

// linear is a stand-in detector: its score is Σ w_j·x_j and its explanation
// w_j·|x_j|, so that the pipeline's arithmetic can be checked by hand.
type linear struct{ w []float64 }

func (l linear) Score(x []float64) (float64, error) {
	s := 0.0
	for j, v := range x {
		s += l.w[j] * v
	}
	return s, nil
}

func (l linear) ScoreToContext(_ context.Context, dst []float64, X mat.Matrix) error {
	n, _ := X.Dims()
	for i := 0; i < n; i++ {
		dst[i], _ = l.Score(mat.Row(nil, i, X))
	}
	return nil
}

func (l linear) MarshalBinary() ([]byte, error) { return nil, nil }

func (l linear) Explain(x []float64) ([]float64, error) {
	e := make([]float64, len(x))
	for j, v := range x {
		e[j] = l.w[j] * math.Abs(v)
	}
	return e, nil
}

// handPipeline binds two linear detectors whose reference scores are 0..4
// (mean 2, population std √2, median 2) with the given combination.
func handPipeline(t *testing.T, cfg score.CombinerConfig) *Pipeline {
	ref := []float64{0, 1, 2, 3, 4}
	comb, err := score.FitCombiner(cfg, ref, ref)
	require.NoError(t, err)
	thr, err := score.NewThreshold(1, score.ThresholdConfig{})
	require.NoError(t, err)
	k := &kind{tag: "linear", version: 1}
	return &Pipeline{d: 3, comb: comb, thr: thr, parts: []part{
		{kind: k, name: "a", det: linear{[]float64{1, 1, 0}}, median: 0},
		{kind: k, name: "b", det: linear{[]float64{0, 0, 1}}, median: 0},
	}}
}

func TestExplainCombination(t *testing.T) {
	x := []float64{3, 1, 4} // a scores 4, b scores 4: both z = 2/√2 = √2
	for _, tc := range []struct {
		name string
		cfg  score.CombinerConfig
		want []float64
		top  int
	}{
		// c_a = 0.7·√2 split 3:1 over features 0 and 1; c_b = 0.3·√2 on feature 2.
		{"weighted", score.CombinerConfig{Weights: []float64{0.7, 0.3}},
			[]float64{0.7 * math.Sqrt2 * 0.75, 0.7 * math.Sqrt2 * 0.25, 0.3 * math.Sqrt2}, 0},
		// Average with weights 3 and 1: the weights over their sum.
		{"average", score.CombinerConfig{Method: score.Average, Weights: []float64{3, 1}},
			[]float64{0.75 * math.Sqrt2 * 0.75, 0.75 * math.Sqrt2 * 0.25, 0.25 * math.Sqrt2}, 0},
		// Equal weights 1/2 by default.
		{"default", score.CombinerConfig{},
			[]float64{0.5 * math.Sqrt2 * 0.75, 0.5 * math.Sqrt2 * 0.25, 0.5 * math.Sqrt2}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := handPipeline(t, tc.cfg)
			require.True(t, p.CanExplain())
			got, err := p.Explain(x)
			require.NoError(t, err)
			assert.InDeltaSlice(t, tc.want, got, 1e-12)
			r, err := p.Score(x)
			require.NoError(t, err)
			require.Equal(t, 1, r.Label)
			assert.InDeltaSlice(t, tc.want, r.Explanation, 1e-12)
			top := p.Top(got, 2)
			require.Len(t, top, 2)
			assert.Equal(t, tc.top, top[0].Feature)
			assert.Equal(t, "f"+itoa(tc.top), top[0].Name)
			assert.InDelta(t, tc.want[tc.top]/(tc.want[0]+tc.want[1]+tc.want[2]), top[0].Share, 1e-12)
		})
	}

	// Maximum: only the detector that sets the maximum explains.
	p := handPipeline(t, score.CombinerConfig{Method: score.Maximum})
	got, err := p.Explain([]float64{3, 2, 1}) // a: 5 → 3/√2, b: 1 → −1/√2
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{3 / math.Sqrt2 * 0.6, 3 / math.Sqrt2 * 0.4, 0}, got, 1e-12)

	// A row no detector puts above its typical score has nothing to explain.
	p = handPipeline(t, score.CombinerConfig{})
	got, err = p.Explain([]float64{0.5, 0.5, 1})
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 0, 0}, got)
	assert.Empty(t, p.Top(got, 3))
	r, err := p.Score([]float64{0.5, 0.5, 1})
	require.NoError(t, err)
	assert.Equal(t, 0, r.Label)
	assert.Nil(t, r.Explanation)
}
