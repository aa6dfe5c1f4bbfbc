package score

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func TestCombineAgainstNumpy(t *testing.T) {
	c := loadNormRef(t).Combine
	for _, tc := range []struct {
		name string
		cfg  CombinerConfig
		want []float64
	}{
		{"equal weights (default)", CombinerConfig{}, c.Equal},
		{"alpha 0.3 beta 0.7", CombinerConfig{Weights: []float64{0.3, 0.7}}, c.AlphaBeta},
		{"average of 3:7 is the same", CombinerConfig{Method: Average, Weights: []float64{3, 7}}, c.AlphaBeta},
		{"maximum", CombinerConfig{Method: Maximum}, c.Maximum},
		// Two detectors in two buckets: each bucket is one detector, so AOM
		// is the mean and MOA the maximum.
		{"aom with singleton buckets", CombinerConfig{Method: AOM}, c.Equal},
		{"moa with singleton buckets", CombinerConfig{Method: MOA}, c.Maximum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CombineScores(tc.cfg, c.KNN, c.LOF)
			require.NoError(t, err)
			require.Len(t, got, len(tc.want))
			for i := range got {
				assert.InDelta(t, tc.want[i], got[i], 1e-9)
			}
			// One sample at a time through a fitted combiner gives the same.
			comb, err := FitCombiner(tc.cfg, c.KNN, c.LOF)
			require.NoError(t, err)
			s, err := comb.Combine([]float64{c.KNN[7], c.LOF[7]})
			require.NoError(t, err)
			assert.InDelta(t, tc.want[7], s, 1e-9)
		})
	}
}

// Raw KNN distances (tens to hundreds) swamp LOF ratios (about 1): adding
// them raw ranks samples by KNN alone, which the normalised sum does not.
func TestRawScoresCannotBeAdded(t *testing.T) {
	c := loadNormRef(t).Combine
	raw := make([]float64, len(c.KNN))
	for i := range raw {
		raw[i] = 0.5*c.KNN[i] + 0.5*c.LOF[i]
	}
	z, err := CombineScores(CombinerConfig{}, c.KNN, c.LOF)
	require.NoError(t, err)
	rankCorr := func(a, b []float64) float64 {
		ra, _ := FitNormalizer(Rank, a)
		rb, _ := FitNormalizer(Rank, b)
		var s float64
		for i := range a {
			d := ra.Normalize(a[i]) - rb.Normalize(b[i])
			s += d * d
		}
		return 1 - 6*s*float64(len(a)*len(a))/float64(len(a)*(len(a)*len(a)-1))
	}
	assert.Greater(t, rankCorr(raw, c.KNN), 0.999, "raw sum is KNN in disguise")
	assert.Less(t, rankCorr(z, c.KNN), 0.9, "normalised sum listens to LOF too")
}

func TestAOMMOAHand(t *testing.T) {
	// Four detectors with z-scores equal to their raw scores: fit each on
	// the reference {-1, 1} (mean 0, std 1).
	ref := []float64{-1, 1}
	refs := [][]float64{ref, ref, ref, ref}
	raw := []float64{0.5, 3, -1, 2}
	for seed := uint64(0); seed < 5; seed++ {
		aom, err := FitCombiner(CombinerConfig{Method: AOM, Buckets: 2, Seed: seed}, refs...)
		require.NoError(t, err)
		moa, err := FitCombiner(CombinerConfig{Method: MOA, Buckets: 2, Seed: seed}, refs...)
		require.NoError(t, err)
		groups := aom.Groups()
		require.Len(t, groups, 2)
		assert.Equal(t, groups, moa.Groups(), "same seed, same groups")
		// The three ways of pairing four detectors, by hand.
		pairs := map[[2]int]struct{ aom, moa float64 }{
			{0, 1}: {(3 + 2) / 2.0, math.Max(1.75, 0.5)},    // {0.5,3}{−1,2}
			{0, 2}: {(0.5 + 3) / 2.0, math.Max(-0.25, 2.5)}, // {0.5,−1}{3,2}
			{0, 3}: {(2 + 3) / 2.0, math.Max(1.25, 1)},      // {0.5,2}{3,−1}
		}
		g := groups[0]
		if g[0] != 0 && g[1] != 0 {
			g = groups[1]
		}
		key := [2]int{0, g[0] + g[1]} // partner of detector 0
		want := pairs[key]
		a, err := aom.Combine(raw)
		require.NoError(t, err)
		m, err := moa.Combine(raw)
		require.NoError(t, err)
		assert.InDelta(t, want.aom, a, 1e-12, "seed %d groups %v", seed, groups)
		assert.InDelta(t, want.moa, m, 1e-12, "seed %d groups %v", seed, groups)
	}
	// One bucket: AOM is the maximum, MOA the mean.
	aom, _ := FitCombiner(CombinerConfig{Method: AOM, Buckets: 1}, refs...)
	moa, _ := FitCombiner(CombinerConfig{Method: MOA, Buckets: 1}, refs...)
	a, _ := aom.Combine(raw)
	m, _ := moa.Combine(raw)
	assert.InDelta(t, 3, a, 1e-12)
	assert.InDelta(t, 1.125, m, 1e-12)
}

func TestDefaultBuckets(t *testing.T) {
	for m, want := range map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 3, 7: 7, 10: 5, 12: 4, 20: 5} {
		assert.Equal(t, want, defaultBuckets(m), "m=%d", m)
	}
}

func TestCombinerErrors(t *testing.T) {
	a, b := []float64{1, 2, 3}, []float64{4, 5, 7}
	for _, tc := range []struct {
		name string
		cfg  CombinerConfig
		refs [][]float64
		kind error
	}{
		{"no detectors", CombinerConfig{}, nil, ErrEmpty},
		{"empty reference", CombinerConfig{}, [][]float64{a, nil}, ErrEmpty},
		{"nan reference", CombinerConfig{}, [][]float64{a, {1, math.NaN()}}, ErrNonFinite},
		{"weights count", CombinerConfig{Weights: []float64{1}}, [][]float64{a, b}, ErrDimension},
		{"negative weight", CombinerConfig{Weights: []float64{1, -1}}, [][]float64{a, b}, ErrConfig},
		{"zero weights", CombinerConfig{Weights: []float64{0, 0}}, [][]float64{a, b}, ErrConfig},
		{"weights on max", CombinerConfig{Method: Maximum, Weights: []float64{1, 1}}, [][]float64{a, b}, ErrConfig},
		{"buckets do not divide", CombinerConfig{Method: AOM, Buckets: 3}, [][]float64{a, b}, ErrConfig},
		{"buckets on sum", CombinerConfig{Buckets: 2}, [][]float64{a, b}, ErrConfig},
		{"bad method", CombinerConfig{Method: 17}, [][]float64{a, b}, ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FitCombiner(tc.cfg, tc.refs...)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.Contains(t, err.Error(), "score: ")
		})
	}
	c, err := FitCombiner(CombinerConfig{}, a, b)
	require.NoError(t, err)
	_, err = c.Combine([]float64{1})
	assert.ErrorIs(t, err, ErrDimension)
	_, err = c.Combine([]float64{1, math.Inf(1)})
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = c.CombineBatch(a, b[:2])
	assert.ErrorIs(t, err, ErrDimension)
	_, err = c.CombineBatch(a)
	assert.ErrorIs(t, err, ErrDimension)
}

func TestCombineDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector perturbs allocation counts")
	}
	c, err := FitCombiner(CombinerConfig{Method: MOA, Buckets: 2}, []float64{1, 2}, []float64{3, 5}, []float64{0, 1}, []float64{2, 9})
	require.NoError(t, err)
	x := []float64{1.5, 4, 0.5, 3}
	allocs := testing.AllocsPerRun(100, func() { _, _ = c.Combine(x) })
	assert.Zero(t, allocs)
}

func TestCombinerRoundTrip(t *testing.T) {
	refs := [][]float64{{1, 2, 3, 9}, {0.1, 0.5, 0.2, 0.3}, {5, 5, 6, 8}, {2, 1, 0, 3}}
	for _, cfg := range []CombinerConfig{
		{}, {Method: Average, Weights: []float64{1, 2, 3, 4}}, {Method: Maximum, Norm: Rank},
		{Method: AOM, Norm: RobustZScore, Seed: 3}, {Method: MOA, Norm: Unify, Buckets: 4},
	} {
		c, err := FitCombiner(cfg, refs...)
		require.NoError(t, err)
		b, err := c.MarshalBinary()
		require.NoError(t, err)
		var back Combiner
		require.NoError(t, back.UnmarshalBinary(b))
		x := []float64{4, 0.35, 7, 1.5}
		s1, _ := c.Combine(x)
		s2, _ := back.Combine(x)
		assert.Equal(t, s1, s2, "%v", cfg.Method)
		assert.Equal(t, c.Groups(), back.Groups())
		for i := 1; i < len(b); i += 7 {
			assert.ErrorIs(t, back.UnmarshalBinary(b[:i]), ErrCorrupt)
		}
	}
}

type fakeDetector struct {
	scale float64
	err   error
}

func (f fakeDetector) Score(x []float64) (float64, error) {
	if f.err != nil {
		return 0, f.err
	}
	return f.scale * math.Abs(x[0]), nil
}

func TestEnsemble(t *testing.T) {
	knn := fakeDetector{scale: 100} // distances in the hundreds
	lof := fakeDetector{scale: 0.01}
	c, err := FitCombiner(CombinerConfig{Weights: []float64{0.5, 0.5}}, []float64{0, 100, 200}, []float64{0, 0.01, 0.02})
	require.NoError(t, err)
	e, err := NewEnsemble(c, knn, lof)
	require.NoError(t, err)
	var _ Scorer = e
	s, z, err := e.Explain([]float64{3})
	require.NoError(t, err)
	// Both references have mean 1·scale and std sqrt(2/3)·scale, and x=3
	// gives 3·scale, so both z-scores are 2/sqrt(2/3).
	want := 2 / math.Sqrt(2.0/3)
	assert.InDelta(t, want, z[0], 1e-12)
	assert.InDelta(t, want, z[1], 1e-12)
	assert.InDelta(t, want, s, 1e-12)

	boom := errors.New("lof: sample has 3 features, model was fit on 2")
	e2, _ := NewEnsemble(c, knn, fakeDetector{err: boom})
	_, err = e2.Score([]float64{1})
	assert.ErrorIs(t, err, boom)
	_, err = NewEnsemble(c, knn)
	assert.ErrorIs(t, err, ErrDimension)
	_, err = NewEnsemble(nil, knn)
	assert.ErrorIs(t, err, ErrConfig)
}

// batchDetector is a fakeDetector that also scores batches, counting calls.
type batchDetector struct {
	fakeDetector
	calls *int
}

func (b batchDetector) ScoreBatchContext(ctx context.Context, X mat.Matrix) ([]float64, error) {
	*b.calls++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n, _ := X.Dims()
	out := make([]float64, n)
	for i := range out {
		out[i], _ = b.Score([]float64{X.At(i, 0)})
	}
	return out, nil
}

func TestEnsembleBatch(t *testing.T) {
	calls := 0
	knn := batchDetector{fakeDetector{scale: 100}, &calls}
	lof := fakeDetector{scale: 0.01} // no batch method: scored row by row
	c, err := FitCombiner(CombinerConfig{}, []float64{0, 100, 200}, []float64{0, 0.01, 0.02})
	require.NoError(t, err)
	e, err := NewEnsemble(c, knn, lof)
	require.NoError(t, err)
	X := mat.NewDense(600, 1, nil)
	for i := range 600 {
		X.Set(i, 0, float64(i%7)-3)
	}
	got, err := e.ScoreBatch(X)
	require.NoError(t, err)
	assert.Equal(t, 1, calls)
	for i := range 600 {
		want, err := e.Score(X.RawRowView(i))
		require.NoError(t, err)
		assert.Equal(t, want, got[i], "row %d", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.ScoreBatchContext(ctx, X)
	assert.ErrorIs(t, err, context.Canceled)
	// Only the row-by-row detector sees the cancellation promptly too.
	e2, _ := NewEnsemble(c, lof, lof)
	_, err = e2.ScoreBatchContext(ctx, X)
	assert.ErrorIs(t, err, context.Canceled)
	var zero Ensemble
	_, err = zero.ScoreBatch(X)
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = e.ScoreBatch(nil)
	assert.ErrorIs(t, err, ErrEmpty)
}
