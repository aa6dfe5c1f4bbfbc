package testenv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Scorer is what the far-outlier property needs of a fitted detector.
type Scorer interface {
	Score(x []float64) (float64, error)
	ScoreBatch(X mat.Matrix) ([]float64, error)
	TrainingScores() []float64
}

// FarCase is one generated training set and samples far outside it.
type FarCase struct {
	Name        string
	X           *mat.Dense
	Standardize bool
	K           int
	// Normal is a training row, scored before each far sample so that a
	// search that leaks state from one query to the next is caught.
	Normal []float64
	Far    [][]float64
}

// SkipAllocs skips an allocation test under the race detector.
func SkipAllocs(t testing.TB) {
	t.Helper()
	if Race {
		t.Skip("allocation counts are meaningless under -race")
	}
}

// Cases is the number of generated shapes: a CI-sized sample, or many more
// with VIGIL_PROPERTY=1.
func Cases() int {
	if os.Getenv("VIGIL_PROPERTY") != "" {
		return 3000
	}
	return 120
}

// FarCases generates count training shapes from seed. Each has one or more
// near-constant columns (base value up to ±1e150, spread from 1e-2 down to
// 1e-200 or none) among ordinary columns (spread up to 1e100), and far
// samples that put a value of either sign, up to the ±1e150 the detectors
// accept, into a near-constant or an ordinary column of a training row. A
// far value is at least 1e4 times the largest training magnitude and spread
// away from its column, so in raw and in standardised space the sample is
// far beyond the training diameter.
func FarCases(seed uint64, count int) []FarCase {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	spreads := []float64{1e-2, 1e-6, 1e-9, 1e-12, 1e-16, 1e-30, 1e-50, 1e-100, 1e-150, 1e-160, 1e-200, 0}
	bases := []float64{0.5, 0, -3, 1e6, -1e20, 1e100, 1e150, -1e150}
	sigmas := []float64{1, 1, 1e-3, 1e3, 1e100}
	mags := []float64{1e4, 1e6, 1e10, 1e30, 1e100, 1e120, 1e149, 1e150}
	out := make([]FarCase, 0, count)
	out = append(out, issueCase(r))
	for len(out) < count {
		n := []int{12, 40, 90, 300}[r.IntN(4)]
		d := 1 + r.IntN(6)
		base := make([]float64, d)
		spread := make([]float64, d)
		nearConst := make([]bool, d)
		nc := 0
		for j := range base {
			if j == 0 || r.IntN(3) == 0 {
				nearConst[j] = true
				nc++
				base[j] = bases[r.IntN(len(bases))]
				spread[j] = spreads[r.IntN(len(spreads))]
			} else {
				spread[j] = sigmas[r.IntN(len(sigmas))]
			}
		}
		data := make([]float64, n*d)
		var peak float64 // largest training magnitude or spread
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				v := base[j] + spread[j]*r.NormFloat64()
				v = math.Max(-1e150, math.Min(1e150, v))
				data[i*d+j] = v
				peak = math.Max(peak, math.Max(math.Abs(v), spread[j]))
			}
		}
		c := FarCase{
			Name:        fmt.Sprintf("%d/n=%d,d=%d,nearconst=%d,spread=%g,base=%g", len(out), n, d, nc, spread[0], base[0]),
			X:           mat.NewDense(n, d, data),
			Standardize: r.IntN(2) == 0,
			K:           []int{1, 2, 5, 10}[r.IntN(4)],
			Normal:      append([]float64(nil), data[:d]...),
		}
		c.K = min(c.K, n-1)
		for _, mag := range mags {
			for _, sign := range []float64{1, -1} {
				v := sign * mag
				if math.Abs(v) < 1e4*(1+peak) {
					continue
				}
				// Mostly into a near-constant column, where scaling blows
				// the value up; sometimes into any column.
				j := r.IntN(d)
				if r.IntN(4) != 0 {
					for !nearConst[j] {
						j = r.IntN(d)
					}
				}
				x := append([]float64(nil), data[r.IntN(n)*d:][:d]...)
				x[j] = v
				c.Far = append(c.Far, x)
			}
		}
		if len(c.Far) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// CheckFar asserts the property on one case: every far sample, scored by
// Score just after the normal row and by ScoreBatch among normal rows,
// scores at least the largest training score, and finitely, or is refused
// with an error.
// It reports whether the case held.
func CheckFar(t testing.TB, name string, m Scorer, c FarCase) bool {
	t.Helper()
	top := math.Inf(-1)
	for _, s := range m.TrainingScores() {
		top = math.Max(top, s)
	}
	ok := true
	fail := func(format string, args ...any) {
		t.Errorf("%s %s: "+format, append([]any{name, c.Name}, args...)...)
		ok = false
	}
	d := len(c.Normal)
	batch := mat.NewDense(2*len(c.Far)+1, d, nil)
	batch.SetRow(0, c.Normal)
	for i, x := range c.Far {
		if _, err := m.Score(c.Normal); err != nil {
			fail("normal row refused: %v", err)
		}
		s, err := m.Score(x)
		// The rule allows a refusal; knn and lof never need one, since
		// every value within the accepted bound scores finitely.
		if err != nil {
			fail("far sample %v refused: %v", x, err)
		} else if !(s >= top && s <= math.MaxFloat64) {
			fail("far sample %v scores %v, not finite and at least the training maximum %v", x, s, top)
		}
		batch.SetRow(2*i+1, x)
		batch.SetRow(2*i+2, c.Normal)
	}
	all, err := m.ScoreBatch(batch)
	if err != nil {
		fail("ScoreBatch refused far samples: %v", err)
	} else {
		for i := range c.Far {
			if s := all[2*i+1]; !(s >= top && s <= math.MaxFloat64) {
				fail("ScoreBatch: far sample %v scores %v, not finite and at least the training maximum %v", c.Far[i], s, top)
			}
		}
	}
	return ok
}

// issueCase is the report of issue 7: a column 0.5 + 1e-6·N(0,1) beside an
// ordinary one, standardised, and samples at ±1e150 and ±1e100 in it.
func issueCase(r *rand.Rand) FarCase {
	const n = 200
	data := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		data[2*i] = 0.5 + 1e-6*r.NormFloat64()
		data[2*i+1] = r.NormFloat64()
	}
	c := FarCase{Name: "issue7", X: mat.NewDense(n, 2, data), Standardize: true, K: 5, Normal: []float64{0.5, 0}}
	for _, v := range []float64{1e150, -1e150, 1e100, -1e100} {
		c.Far = append(c.Far, []float64{v, 0})
	}
	return c
}
