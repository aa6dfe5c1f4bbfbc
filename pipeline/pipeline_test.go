package pipeline_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/iforest"
	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/lof"
	"github.com/vigil-ml/vigil/pipeline"
	"github.com/vigil-ml/vigil/score"
)

// blobs returns n rows of d features from two Gaussian clusters, seeded.
func blobs(n, d int, seed uint64) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 3))
	X := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		c := float64(i%2) * 4
		for j := 0; j < d; j++ {
			X.Set(i, j, c+r.NormFloat64()*(1+0.3*float64(j)))
		}
	}
	return X
}

// zscore is the population z-score of s against ref, computed here rather
// than by package score so that the test checks it.
func zscore(s float64, ref []float64) float64 {
	mean := 0.0
	for _, v := range ref {
		mean += v
	}
	mean /= float64(len(ref))
	ss := 0.0
	for _, v := range ref {
		ss += (v - mean) * (v - mean)
	}
	return (s - mean) / math.Sqrt(ss/float64(len(ref)))
}

// quantile7 is numpy.quantile's default (linear) on a copy of x.
func quantile7(x []float64, q float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	h := q * float64(len(s)-1)
	lo := math.Floor(h)
	if int(lo) == len(s)-1 {
		return s[len(s)-1]
	}
	return s[int(lo)] + (h-lo)*(s[int(lo)+1]-s[int(lo)])
}

func fitKNNLOF(t *testing.T, X mat.Matrix, weights []float64) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.Fit(context.Background(), X, pipeline.Config{
		Detectors: []pipeline.Detector{
			{Config: knn.Config{K: 7}},
			{Config: lof.Config{K: 15}},
		},
		Combine: score.CombinerConfig{Weights: weights},
	})
	require.NoError(t, err)
	return p
}

// The pipeline's score is α·z(KNN) + β·z(LOF) computed by hand from the
// detectors' own scores and their own training scores.
func TestScoreIsHandCombination(t *testing.T) {
	ctx := context.Background()
	X := blobs(400, 3, 1)
	p := fitKNNLOF(t, X, []float64{0.7, 0.3})
	km, err := knn.Fit(ctx, X, knn.Config{K: 7})
	require.NoError(t, err)
	lm, err := lof.Fit(ctx, X, lof.Config{K: 15})
	require.NoError(t, err)

	// The threshold is the 95th percentile of the hand-combined training
	// scores, and severity is measured from their median.
	ref := make([]float64, 400)
	for i := range ref {
		ref[i] = 0.7*zscore(km.TrainingScores()[i], km.TrainingScores()) + 0.3*zscore(lm.TrainingScores()[i], lm.TrainingScores())
	}
	thr, med := quantile7(ref, 0.95), quantile7(ref, 0.5)
	assert.InDelta(t, thr, p.Threshold().Value(), 1e-12)
	assert.InDelta(t, med, p.Threshold().Origin(), 1e-12)

	Q := blobs(50, 3, 2)
	Q.Set(0, 1, 25) // one clear outlier
	for i := 0; i < 50; i++ {
		x := Q.RawRowView(i)
		ks, err := km.Score(x)
		require.NoError(t, err)
		ls, err := lm.Score(x)
		require.NoError(t, err)
		zk, zl := zscore(ks, km.TrainingScores()), zscore(ls, lm.TrainingScores())
		want := 0.7*zk + 0.3*zl
		r, err := p.Score(x)
		require.NoError(t, err)
		assert.InDelta(t, want, r.Score, 1e-9, "row %d", i)
		assert.InDelta(t, zk, r.Detectors[0], 1e-9)
		assert.InDelta(t, zl, r.Detectors[1], 1e-9)
		assert.InDelta(t, (want-med)/(thr-med), r.Ratio, 1e-9)
		assert.Equal(t, want >= thr, r.Label == 1, "row %d", i)
	}
	r, err := p.Score(Q.RawRowView(0))
	require.NoError(t, err)
	assert.Equal(t, 1, r.Label)
	assert.Equal(t, score.Critical, r.Severity)
}

// Severity tiers begin at median + 1.0, 1.2 and 1.5 times the distance from
// the median to the threshold, a score on a bound belongs to the higher
// tier, and the grading of every scored row follows its ratio.
func TestSeverityBoundaries(t *testing.T) {
	ctx := context.Background()
	X := blobs(600, 4, 5)
	for _, tc := range []struct {
		name  string
		det   pipeline.Detector
		tiers score.Tiers
		r     [3]float64
	}{
		{"iforest", pipeline.Detector{Config: iforest.Config{Trees: 50, Seed: 3}}, score.Tiers{}, [3]float64{1, 1.2, 1.5}},
		{"knn", pipeline.Detector{Config: knn.Config{}}, score.Tiers{}, [3]float64{1, 1.2, 1.5}},
		{"lof custom tiers", pipeline.Detector{Config: &lof.Config{K: 10}}, score.Tiers{Caution: 1.1, Warning: 1.4, Critical: 2}, [3]float64{1.1, 1.4, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := pipeline.Fit(ctx, X, pipeline.Config{Detectors: []pipeline.Detector{tc.det}, Tiers: tc.tiers})
			require.NoError(t, err)
			thr, med := p.Threshold().Value(), p.Threshold().Origin()
			require.Greater(t, thr, med)
			c, w, k := p.Threshold().Bounds()
			assert.InDelta(t, med+tc.r[0]*(thr-med), c, 1e-12)
			assert.InDelta(t, med+tc.r[1]*(thr-med), w, 1e-12)
			assert.InDelta(t, med+tc.r[2]*(thr-med), k, 1e-12)
			assert.Equal(t, score.Warning, p.Threshold().Severity(w))
			assert.Equal(t, score.Caution, p.Threshold().Severity(math.Nextafter(w, math.Inf(-1))))
			assert.Equal(t, score.Critical, p.Threshold().Severity(k))
			assert.Equal(t, score.Normal, p.Threshold().Severity(math.Nextafter(c, math.Inf(-1))))

			Q := blobs(300, 4, 6)
			for i := 0; i < 300; i += 3 {
				Q.Set(i, i%4, Q.At(i, i%4)+float64(i%7)*2) // a spread of outliers
			}
			res, err := p.ScoreBatch(ctx, Q)
			require.NoError(t, err)
			seen := map[score.Severity]int{}
			for i, r := range res {
				want := score.Normal
				switch {
				case r.Ratio >= tc.r[2]:
					want = score.Critical
				case r.Ratio >= tc.r[1]:
					want = score.Warning
				case r.Ratio >= tc.r[0]:
					want = score.Caution
				}
				if math.Abs(r.Ratio-tc.r[0]) > 1e-9 && math.Abs(r.Ratio-tc.r[1]) > 1e-9 && math.Abs(r.Ratio-tc.r[2]) > 1e-9 {
					assert.Equal(t, want, r.Severity, "row %d ratio %v", i, r.Ratio)
				}
				seen[r.Severity]++
			}
			assert.Greater(t, seen[score.Normal], 0)
			assert.Greater(t, seen[score.Critical], 0)
		})
	}
}

// On continuous training scores a contamination c labels exactly c·n of the
// training rows 1, as PyOD's labels_ do.
func TestPredictContamination(t *testing.T) {
	ctx := context.Background()
	X := blobs(1000, 3, 7)
	for _, c := range []float64{0.01, 0.05, 0.1, 0.25} {
		p, err := pipeline.Fit(ctx, X, pipeline.Config{
			Detectors:     []pipeline.Detector{{Config: knn.Config{K: 5, Method: knn.Mean}}},
			Contamination: c,
		})
		require.NoError(t, err)
		// The threshold is the 1 − c quantile of the z-scored leave-one-out
		// training scores, which it cuts at exactly c·n rows. (Mean, not
		// Largest: two rows that are each other's K-th neighbour tie.)
		km, err := knn.Fit(ctx, X, knn.Config{K: 5, Method: knn.Mean})
		require.NoError(t, err)
		ref := km.TrainingScores()
		z := make([]float64, len(ref))
		for i, s := range ref {
			z[i] = zscore(s, ref)
		}
		assert.InDelta(t, quantile7(z, 1-c), p.Threshold().Value(), 1e-12)
		n := 0
		for _, v := range z {
			if v >= p.Threshold().Value() {
				n++
			}
		}
		sum := 0
		for i, l := range p.TrainingLabels() {
			sum += l
			assert.Equal(t, z[i] >= p.Threshold().Value(), l == 1)
			assert.InDelta(t, z[i], p.TrainingScores()[i], 1e-12)
		}
		assert.Equal(t, n, sum)
		assert.Equal(t, int(math.Round(c*1000)), n, "c=%v", c)
		assert.Equal(t, c, p.Contamination())
		assert.True(t, math.IsNaN(p.Threshold().Quantile()) || math.Abs(p.Threshold().Quantile()-(1-c)) < 1e-12)
	}
	// iforest scores its training rows as it scores new ones, so there
	// Predict on the training rows gives exactly the contamination.
	p, err := pipeline.Fit(ctx, X, pipeline.Config{
		Detectors:     []pipeline.Detector{{Config: iforest.Config{Seed: 1}}},
		Contamination: 0.1,
	})
	require.NoError(t, err)
	labels, err := p.Predict(ctx, X)
	require.NoError(t, err)
	sum := 0
	for _, l := range labels {
		sum += l
	}
	assert.Equal(t, 100, sum)
}

func TestScoreBatchMatchesScore(t *testing.T) {
	ctx := context.Background()
	X := blobs(300, 3, 9)
	p, err := pipeline.Fit(ctx, X, pipeline.Config{Detectors: []pipeline.Detector{
		{Config: iforest.Config{Trees: 60, Seed: 2}},
		{Config: knn.Config{}},
		{Config: lof.Config{}},
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{"iforest", "knn", "lof"}, p.Detectors())
	Q := blobs(1200, 3, 10)
	res, err := p.ScoreBatch(ctx, Q)
	require.NoError(t, err)
	labels, err := p.Predict(ctx, Q)
	require.NoError(t, err)
	for i := 0; i < 1200; i += 13 {
		r, err := p.Score(Q.RawRowView(i))
		require.NoError(t, err)
		assert.Equal(t, r.Score, res[i].Score)
		assert.Equal(t, r.Severity, res[i].Severity)
		assert.Equal(t, r.Detectors, res[i].Detectors)
		assert.Equal(t, r.Label, labels[i])
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = p.ScoreBatch(cctx, Q)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = p.Predict(cctx, Q)
	assert.ErrorIs(t, err, context.Canceled)

	q := p.WithWorkers(1)
	res1, err := q.ScoreBatch(ctx, Q)
	require.NoError(t, err)
	for i := range res {
		require.Equal(t, res[i].Score, res1[i].Score)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	X := blobs(100, 3, 11)
	dets := []pipeline.Detector{{Config: knn.Config{}}}
	for _, tc := range []struct {
		name string
		X    mat.Matrix
		cfg  pipeline.Config
		kind error
	}{
		{"no detectors", X, pipeline.Config{}, pipeline.ErrConfig},
		{"nil config", X, pipeline.Config{Detectors: []pipeline.Detector{{}}}, pipeline.ErrConfig},
		{"unknown config", X, pipeline.Config{Detectors: []pipeline.Detector{{Config: 3}}}, pipeline.ErrConfig},
		{"nil matrix", nil, pipeline.Config{Detectors: dets}, pipeline.ErrEmpty},
		{"quantile and contamination", X, pipeline.Config{Detectors: dets, Quantile: 0.9, Contamination: 0.1}, pipeline.ErrConfig},
		{"bad quantile", X, pipeline.Config{Detectors: dets, Quantile: 1.5}, pipeline.ErrConfig},
		{"bad contamination", X, pipeline.Config{Detectors: dets, Contamination: 0.7}, pipeline.ErrConfig},
		{"names count", X, pipeline.Config{Detectors: dets, FeatureNames: []string{"a"}}, pipeline.ErrDimension},
		{"names repeated", X, pipeline.Config{Detectors: dets, FeatureNames: []string{"a", "b", "a"}}, pipeline.ErrConfig},
		{"detector names repeated", X, pipeline.Config{Detectors: []pipeline.Detector{{Name: "x", Config: knn.Config{}}, {Name: "x", Config: lof.Config{}}}}, pipeline.ErrConfig},
		{"detector config", X, pipeline.Config{Detectors: []pipeline.Detector{{Config: knn.Config{K: 500}}}}, pipeline.ErrConfig},
		{"constant rows", mat.NewDense(50, 2, nil), pipeline.Config{Detectors: dets}, pipeline.ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := pipeline.Fit(ctx, tc.X, tc.cfg)
			assert.Nil(t, p)
			assert.ErrorIs(t, err, tc.kind)
			var e *pipeline.Error
			assert.True(t, errors.As(err, &e), "%v", err)
		})
	}

	var zero pipeline.Pipeline
	r, err := zero.Score([]float64{1, 2, 3})
	assert.ErrorIs(t, err, pipeline.ErrNotFitted)
	assert.True(t, math.IsNaN(r.Score))
	_, err = zero.ScoreBatch(ctx, X)
	assert.ErrorIs(t, err, pipeline.ErrNotFitted)
	_, err = zero.MarshalBinary()
	assert.ErrorIs(t, err, pipeline.ErrNotFitted)
	_, err = (*pipeline.Pipeline)(nil).Explain([]float64{1})
	assert.ErrorIs(t, err, pipeline.ErrNotFitted)
	_, err = zero.Predict(ctx, X)
	assert.ErrorIs(t, err, pipeline.ErrNotFitted)
	assert.ErrorIs(t, zero.CheckFeatures(nil), pipeline.ErrNotFitted)
	assert.Nil(t, zero.Model(0))
	assert.Nil(t, zero.Typical())
	assert.False(t, zero.CanExplain())
	assert.Nil(t, (*pipeline.Pipeline)(nil).WithWorkers(2))

	p, err := pipeline.Fit(ctx, X, pipeline.Config{Detectors: dets, FeatureNames: []string{"a", "b", "c"}})
	require.NoError(t, err)
	r, err = p.Score([]float64{1, 2})
	assert.ErrorIs(t, err, pipeline.ErrDimension)
	assert.True(t, math.IsNaN(r.Score))
	_, err = p.Score([]float64{1, math.NaN(), 2})
	var e *pipeline.Error
	require.True(t, errors.As(err, &e))
	assert.ErrorIs(t, err, pipeline.ErrNonFinite)
	assert.Equal(t, 1, e.Col)
	bad := blobs(20, 3, 1)
	bad.Set(13, 2, math.Inf(1))
	_, err = p.ScoreBatch(ctx, bad)
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 13, e.Row)
	assert.Equal(t, 2, e.Col)
	_, err = p.ScoreBatch(ctx, blobs(3, 2, 1))
	assert.ErrorIs(t, err, pipeline.ErrDimension)

	assert.NoError(t, p.CheckFeatures([]string{"a", "b", "c"}))
	err = p.CheckFeatures([]string{"a", "c", "b"})
	assert.ErrorIs(t, err, pipeline.ErrDimension)
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 1, e.Col)
}
