package score

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 7 item 6: finite input gives a finite answer or an error, and zero
// values either work or say they are not fitted.

func TestQuantileExtremes(t *testing.T) {
	x := []float64{-1e308, 1e308}
	for _, tc := range []struct{ q, want float64 }{
		{0, -1e308}, // numpy.quantile gives −1e308
		{1, 1e308},  // and 1e308
		{0.5, 0},    // numpy overflows to −inf here; the exact answer is 0
		{0.25, -5e307},
		{0.75, 5e307},
	} {
		got, err := Quantile(x, tc.q)
		require.NoError(t, err)
		assert.InDelta(t, tc.want, got, 1e293, "q=%v", tc.q)
		assert.False(t, math.IsNaN(got) || math.IsInf(got, 0), "q=%v gave %v", tc.q, got)
	}
	// numpy.quantile([1, 2, 3, 4], q) for ordinary values, bit for bit
	// (numpy interpolates from the upper neighbour when the fraction is
	// at least one half).
	for q, want := range map[float64]float64{0.3: 1.9, 0.5: 2.5, 0.9: 3.7, 0.1: 1.3} {
		got, _ := Quantile([]float64{4, 1, 3, 2}, q)
		assert.Equal(t, want, got, "q=%v", q)
	}
}

func TestNormalizerExtremes(t *testing.T) {
	refs := [][]float64{
		{1e308, 1e308},
		{-1e308, 1e308},
		{1.7e308, 1.7e308, -1.7e308},
		{math.MaxFloat64, -math.MaxFloat64},
		{5e-324, 0, -5e-324},
		{1, 2, 3},
	}
	for _, kind := range []Norm{ZScore, RobustZScore, MinMax, Rank, Unify} {
		for _, ref := range refs {
			n, err := FitNormalizer(kind, ref)
			if err != nil {
				assert.ErrorIs(t, err, ErrNonFinite, "%v on %v", kind, ref)
				continue
			}
			loc, scale := n.Params()
			assert.True(t, isFinite(loc) && isFinite(scale) && scale > 0, "%v on %v: loc %v scale %v", kind, ref, loc, scale)
			b, err := n.MarshalBinary()
			require.NoError(t, err)
			var back Normalizer
			require.NoError(t, back.UnmarshalBinary(b), "%v on %v: own encoding refused", kind, ref)
			for _, s := range []float64{-math.MaxFloat64, -1e308, 0, 1e-300, 1e308, math.MaxFloat64} {
				v := n.Normalize(s)
				assert.True(t, isFinite(v), "%v on %v: Normalize(%v) = %v", kind, ref, s, v)
				assert.Equal(t, v, back.Normalize(s))
			}
		}
	}
	// The case of the issue: location +Inf before.
	n, err := FitNormalizer(ZScore, []float64{1e308, 1e308})
	require.NoError(t, err)
	loc, scale := n.Params()
	assert.Equal(t, 1e308, loc)
	assert.Equal(t, 1.0, scale)
	n, err = FitNormalizer(ZScore, []float64{-1e308, 1e308})
	require.NoError(t, err)
	loc, scale = n.Params()
	assert.Equal(t, 0.0, loc)
	assert.InEpsilon(t, 1e308, scale, 1e-15)
	_, err = FitNormalizer(MinMax, []float64{-1e308, 1e308})
	assert.ErrorIs(t, err, ErrNonFinite)
}

func TestCombinerWeightOverflow(t *testing.T) {
	a, b := []float64{1, 2, 3}, []float64{2, 4, 9}
	for _, m := range []CombineMethod{WeightedSum, Average} {
		_, err := FitCombiner(CombinerConfig{Method: m, Weights: []float64{1e308, 1e308}}, a, b)
		assert.ErrorIs(t, err, ErrConfig, "%v", m)
		_, err = FitCombiner(CombinerConfig{Method: m, Weights: []float64{math.MaxFloat64, 1}}, a, b)
		assert.NoError(t, err, "%v: a finite sum is fine", m)
	}
	// Huge but summable weights on a far score: an error, not ±Inf.
	c, err := FitCombiner(CombinerConfig{Weights: []float64{8e307, 8e307}}, a, b)
	require.NoError(t, err)
	v, err := c.Combine([]float64{1e10, 1e10})
	assert.ErrorIs(t, err, ErrNonFinite)
	assert.True(t, math.IsNaN(v))
	_, err = c.CombineBatch([]float64{1e10}, []float64{1e10})
	assert.ErrorIs(t, err, ErrNonFinite)
	// Average with the same weights stays finite.
	c, err = FitCombiner(CombinerConfig{Method: Average, Weights: []float64{8e307, 8e307}}, a, b)
	require.NoError(t, err)
	v, err = c.Combine([]float64{3, 9})
	require.NoError(t, err)
	assert.True(t, isFinite(v))
}

func TestZeroValues(t *testing.T) {
	var c Combiner
	v, err := c.Combine(nil)
	assert.ErrorIs(t, err, ErrNotFitted)
	assert.True(t, math.IsNaN(v))
	assert.NotPanics(t, func() {
		_, err = c.CombineBatch()
	})
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = c.MarshalBinary()
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = NewEnsemble(&c)
	assert.ErrorIs(t, err, ErrNotFitted)

	var e Ensemble
	v, err = e.Score([]float64{1})
	assert.ErrorIs(t, err, ErrNotFitted)
	assert.True(t, math.IsNaN(v))

	var n Normalizer
	assert.True(t, math.IsNaN(n.Normalize(3)), "a zero Normalizer returned %v", n.Normalize(3))
	_, err = n.Transform([]float64{1})
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = n.MarshalBinary()
	assert.ErrorIs(t, err, ErrNotFitted)

	var th Threshold
	assert.Equal(t, Normal, th.Severity(1e6), "a zero Threshold graded a score")
	assert.False(t, th.Exceeds(1e6))
	assert.True(t, math.IsNaN(th.Value()))
	_, err = th.MarshalBinary()
	assert.ErrorIs(t, err, ErrNotFitted)
}

// Issue 7 item 6: finite input gives the right finite answer. Unify on a
// reference of spread near 1e308 used to map every score to 0 (scale·√2
// overflowed), and Average with subnormal weights returned 0 (every
// product underflowed) where only the weights' ratio matters.
func TestExtremeScalesAndWeights(t *testing.T) {
	n, err := FitNormalizer(Unify, []float64{math.MaxFloat64, -math.MaxFloat64, 0})
	require.NoError(t, err)
	_, sd := n.Params()
	assert.InDelta(t, math.Erf(1e308/sd/math.Sqrt2), n.Normalize(1e308), 1e-12)
	assert.Greater(t, n.Normalize(1e308), 0.4)

	refs := [][]float64{{1, 2, 3}, {4, 5, 7}}
	want, err := FitCombiner(CombinerConfig{Method: Average, Weights: []float64{1, 3}}, refs...)
	require.NoError(t, err)
	for _, w := range [][]float64{{5e-324, 15e-324}, {1e-310, 3e-310}, {1e307, 3e307}, {0.25, 0.75}} {
		c, err := FitCombiner(CombinerConfig{Method: Average, Weights: w}, refs...)
		require.NoError(t, err, "%v", w)
		for _, raw := range [][]float64{{2, 5}, {3, 4}, {-1e300, 1e300}} {
			got, err := c.Combine(raw)
			require.NoError(t, err)
			exp, _ := want.Combine(raw)
			assert.InDelta(t, exp, got, 1e-9*math.Max(1, math.Abs(exp)), "weights %v, raw %v", w, raw)
		}
	}
}
