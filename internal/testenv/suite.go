package testenv

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Detector is the scoring surface knn and lof share.
type Detector interface {
	Scorer
	ScoreBatchContext(ctx context.Context, X mat.Matrix) ([]float64, error)
	ScoreTo(dst []float64, X mat.Matrix) error
	ScoreToContext(ctx context.Context, dst []float64, X mat.Matrix) error
	Explain(x []float64) ([]float64, error)
}

// Scales are the column scales of Gaussian: unequal, so that a detector
// that did not standardise would explain by scale instead of by deviation.
var Scales = []float64{1, 10, 0.1, 100, 1, 5}

// Gaussian returns n rows of independent normal columns with the given
// scales.
func Gaussian(n int, scales []float64, seed uint64) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 17))
	d := len(scales)
	X := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j, s := range scales {
			X.Set(i, j, s*r.NormFloat64())
		}
	}
	return X
}

// ExplainRanking corrupts one feature of trials normal rows (drawn like
// Gaussian's training rows) by 6 to 10 of its standard deviations, either
// sign, and returns the share of rows whose corrupted feature Explain ranks
// first. It fails the test on an error or on a contribution that is
// negative or not finite.
func ExplainRanking(t testing.TB, m Detector, trials int, seed uint64) float64 {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 23))
	normal := Gaussian(trials, Scales, seed+1)
	hits := 0
	for i := 0; i < trials; i++ {
		x := mat.Row(nil, i, normal)
		j := r.IntN(len(x))
		shift := (6 + 4*r.Float64()) * Scales[j]
		if r.IntN(2) == 0 {
			shift = -shift
		}
		x[j] += shift
		c, err := m.Explain(x)
		if err != nil {
			t.Fatalf("Explain: %v", err)
		}
		best := 0
		for f, v := range c {
			if !(v >= 0 && v <= math.MaxFloat64) {
				t.Fatalf("contribution %d is %v", f, v)
			}
			if v > c[best] {
				best = f
			}
		}
		if best == j {
			hits++
		}
	}
	return float64(hits) / float64(trials)
}

// CheckContext asserts that batch scoring stops with ctx.Err() under a
// cancelled context and gives Score's numbers under a live one.
func CheckContext(t testing.TB, m Detector, X mat.Matrix) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.ScoreBatchContext(ctx, X); !errors.Is(err, context.Canceled) {
		t.Errorf("ScoreBatchContext after cancel: %v, want context.Canceled", err)
	}
	r, _ := X.Dims()
	dst := make([]float64, r)
	if err := m.ScoreToContext(ctx, dst, X); !errors.Is(err, context.Canceled) {
		t.Errorf("ScoreToContext after cancel: %v, want context.Canceled", err)
	}
	CheckNaNOnError(t, dst, "ScoreToContext after cancel")
	// A bad row fails the batch: dst must not keep an earlier batch's
	// scores, which a caller ignoring the error would read as this one's.
	bad := mat.DenseCopyOf(X)
	bad.Set(r-1, 0, math.NaN())
	for i := range dst {
		dst[i] = 1
	}
	if err := m.ScoreTo(dst, bad); err == nil {
		t.Errorf("ScoreTo accepted NaN")
	}
	CheckNaNOnError(t, dst, "ScoreTo of a batch with NaN")
	all, err := m.ScoreBatchContext(context.Background(), X)
	if err != nil {
		t.Fatal(err)
	}
	for i := range all {
		s, err := m.Score(mat.Row(nil, i, X))
		if err != nil || s != all[i] {
			t.Errorf("row %d: Score %v (%v), ScoreBatchContext %v", i, s, err, all[i])
		}
	}
}

// SameScores asserts that two detectors give bit-identical batch scores.
func SameScores(t testing.TB, a, b Detector, X mat.Matrix) {
	t.Helper()
	sa, err := a.ScoreBatch(X)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.ScoreBatch(X)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sa {
		if sa[i] != sb[i] {
			t.Fatalf("row %d: %v and %v", i, sa[i], sb[i])
		}
	}
}

// CheckNaNOnError asserts that every element of dst is NaN, the value a
// failed ScoreTo leaves.
func CheckNaNOnError(t testing.TB, dst []float64, what string) {
	t.Helper()
	for i, v := range dst {
		if !math.IsNaN(v) {
			t.Errorf("%s: dst[%d] = %v, want NaN", what, i, v)
			return
		}
	}
}
