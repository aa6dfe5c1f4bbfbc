package ocsvm

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/internal/codec"
)

func gaussian(n, d int, seed uint64) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return mat.NewDense(n, d, x)
}

// Kernel rows are computed in parallel blocks; the model must not depend on
// how many.
func TestWorkersIdentical(t *testing.T) {
	n := 3000
	if raceEnabled {
		n = 1200 // still 5× the rows a 1 MiB cache holds
	}
	X := gaussian(n, 7, 1)
	var ref *Model
	for _, w := range []int{1, 2, 3, 8} {
		m, err := Fit(context.Background(), X, Config{Nu: 0.3, Workers: w, CacheMiB: 1})
		require.NoError(t, err)
		if ref == nil {
			ref = m
			continue
		}
		assert.Equal(t, ref.Iterations(), m.Iterations(), "workers %d", w)
		assert.Equal(t, ref.Rho(), m.Rho(), "workers %d", w)
		assert.Equal(t, ref.Coefficients(), m.Coefficients(), "workers %d", w)
		assert.Equal(t, ref.SupportIndices(), m.SupportIndices(), "workers %d", w)
	}
	// A cache of two rows recomputes nearly every row and shrinking drops
	// rows constantly; the path, and so the model, stays the same.
	big, err := Fit(context.Background(), X, Config{Nu: 0.3, Workers: 1, CacheMiB: 200})
	require.NoError(t, err)
	assert.Equal(t, ref.Iterations(), big.Iterations())
	assert.Equal(t, ref.Rho(), big.Rho())
	assert.Equal(t, ref.Coefficients(), big.Coefficients())
}

// The dual's constraints and KKT conditions hold at the solution, checked
// with kernel values computed here in double precision.
func TestKKT(t *testing.T) {
	X := gaussian(400, 3, 2)
	for _, nu := range []float64{0.05, 0.5, 0.95} {
		m, err := Fit(context.Background(), X, Config{Nu: nu, Tol: 1e-6})
		require.NoError(t, err)
		var sum float64
		for _, a := range m.Coefficients() {
			assert.True(t, a > 0 && a <= 1)
			sum += a
		}
		assert.InDelta(t, nu*400, sum, 1e-9)
		dec, err := m.DecisionBatch(X)
		require.NoError(t, err)
		alpha := make([]float64, 400)
		for k, i := range m.SupportIndices() {
			alpha[i] = m.Coefficients()[k]
		}
		// decision = G − ρ: ≥ 0 where α = 0, ≤ 0 where α = 1, 0 where free,
		// up to the tolerance and float32 kernel rows.
		const slack = 1e-4
		for i, v := range dec {
			switch a := alpha[i]; {
			case a == 0:
				assert.GreaterOrEqual(t, v, -slack, "row %d", i)
			case a == 1:
				assert.LessOrEqual(t, v, slack, "row %d", i)
			default:
				assert.InDelta(t, 0, v, slack, "row %d", i)
			}
		}
		// ν bounds the fraction of outliers from above and of support
		// vectors from below.
		out := 0
		for _, v := range dec {
			if v < -slack {
				out++
			}
		}
		assert.LessOrEqual(t, float64(out), nu*400+1)
		assert.GreaterOrEqual(t, float64(len(m.Coefficients())), nu*400)
	}
}

func TestBadInput(t *testing.T) {
	X := gaussian(50, 2, 3)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		X    mat.Matrix
		cfg  Config
		kind error
	}{
		{"nu<0", X, Config{Nu: -0.1}, ErrConfig},
		{"nu>1", X, Config{Nu: 1.5}, ErrConfig},
		{"nu NaN", X, Config{Nu: math.NaN()}, ErrConfig},
		{"gamma<0", X, Config{Gamma: -1}, ErrConfig},
		{"gamma Inf", X, Config{Gamma: math.Inf(1)}, ErrConfig},
		{"tol<0", X, Config{Tol: -1}, ErrConfig},
		{"degree<0", X, Config{Kernel: Poly, Degree: -2}, ErrConfig},
		{"kernel", X, Config{Kernel: 9}, ErrConfig},
		{"cache<0", X, Config{CacheMiB: -1}, ErrConfig},
		{"maxiter<0", X, Config{MaxIter: -1}, ErrConfig},
		{"approx kernel", X, Config{Approximation: Nystroem, Kernel: Poly}, ErrConfig},
		{"approx", X, Config{Approximation: 7}, ErrConfig},
		{"components", X, Config{Approximation: Fourier, Components: -3}, ErrConfig},
		{"nil", nil, Config{}, ErrEmpty},
		{"empty", &mat.Dense{}, Config{}, ErrEmpty},
		{"NaN", mat.NewDense(2, 2, []float64{0, 1, math.NaN(), 2}), Config{}, ErrNonFinite},
		{"Inf", mat.NewDense(2, 2, []float64{0, 1, 2, math.Inf(-1)}), Config{}, ErrNonFinite},
		{"huge", mat.NewDense(2, 2, []float64{0, 1, 2, 1e200}), Config{}, ErrNonFinite},
		{"poly overflow", mat.NewDense(2, 2, []float64{0, 1, 2, 1e140}), Config{Kernel: Poly, Gamma: 1, Degree: 5}, ErrNonFinite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Fit(ctx, tc.X, tc.cfg)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, tc.kind)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "ocsvm", e.Pkg)
		})
	}
	m, err := Fit(ctx, X, Config{})
	require.NoError(t, err)
	_, err = m.Score([]float64{1})
	assert.ErrorIs(t, err, ErrDimension)
	s, err := m.Score([]float64{1, math.NaN()})
	assert.ErrorIs(t, err, ErrNonFinite)
	assert.True(t, math.IsNaN(s))
	_, err = m.ScoreBatch(mat.NewDense(1, 3, nil))
	assert.ErrorIs(t, err, ErrDimension)
	assert.ErrorIs(t, m.ScoreTo(make([]float64, 2), X), ErrDimension)
	var zero Model
	_, err = zero.Score([]float64{1, 2})
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = zero.ScoreBatch(X)
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = zero.MarshalBinary()
	assert.ErrorIs(t, err, ErrNotFitted)
}

// Degenerate data has documented answers: these match scikit-learn's.
func TestDegenerate(t *testing.T) {
	ctx := context.Background()
	// All rows equal: Var(X) = 0, so γ = 1; every α is bound or the one
	// remainder, and the decision is 0 at the training point.
	same := mat.NewDense(5, 2, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	m, err := Fit(ctx, same, Config{})
	require.NoError(t, err)
	assert.Equal(t, 1.0, m.Config().Gamma)
	assert.InDelta(t, 2.5, m.Rho(), 1e-12) // scikit-learn: offset_ 2.5
	assert.Equal(t, []int{0, 1, 2}, m.SupportIndices())
	v, err := m.Decision([]float64{1, 1})
	require.NoError(t, err)
	assert.InDelta(t, 0, v, 1e-6)
	// scikit-learn's decision at (1.764, 0.400), a row of its test
	v, _ = m.Decision([]float64{1.764052345967664, 0.4001572083672233})
	assert.InDelta(t, -1.52692744, v, 1e-6)
	// One row: α = ν, ρ = ν·K(x, x) = ν, as scikit-learn.
	one := mat.NewDense(1, 2, []float64{1.764052345967664, 0.4001572083672233})
	m, err = Fit(ctx, one, Config{})
	require.NoError(t, err)
	assert.InDelta(t, 0.5, m.Rho(), 1e-12)
	assert.InDelta(t, 1.075147460587796, m.Config().Gamma, 1e-12)
	v, _ = m.Decision([]float64{0.9787379841057392, 2.240893199201458})
	assert.InDelta(t, -0.49325627, v, 1e-7)
	// ν = 1: every α is 1 and ρ is left unbounded above by the KKT
	// conditions; libsvm returns +Inf (scikit-learn refuses it). Here ρ is
	// the largest gradient, so no training row is inside.
	X := gaussian(60, 2, 4)
	m, err = Fit(ctx, X, Config{Nu: 1})
	require.NoError(t, err)
	require.Len(t, m.Coefficients(), 60)
	dec, err := m.DecisionBatch(X)
	require.NoError(t, err)
	var top float64 = math.Inf(-1)
	for _, v := range dec {
		assert.LessOrEqual(t, v, 1e-6)
		top = math.Max(top, v)
	}
	assert.InDelta(t, 0, top, 1e-6)
	// A constant column beside varying ones, standardised.
	X = gaussian(40, 3, 5)
	for i := 0; i < 40; i++ {
		X.Set(i, 1, 7)
	}
	m, err = Fit(ctx, X, Config{Standardize: true})
	require.NoError(t, err)
	_, err = m.Score([]float64{0, 7, 0})
	require.NoError(t, err)
}

func TestCancel(t *testing.T) {
	X := gaussian(4000, 5, 6)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	cfg := Config{Nu: 0.5, Progress: func(p Progress) {
		calls++
		if calls == 1 {
			cancel()
		}
	}}
	t0 := time.Now()
	m, err := Fit(ctx, X, cfg)
	assert.Nil(t, m)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, calls)
	assert.Less(t, time.Since(t0), 30*time.Second)
	// Cancelled before it starts.
	_, err = Fit(ctx, X, Config{})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = Fit(ctx, X, Config{Approximation: Nystroem})
	assert.ErrorIs(t, err, context.Canceled)
	// Mid-way through the greedy start, from another goroutine.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel2()
	_, err = Fit(ctx2, gaussian(20000, 5, 7), Config{Workers: 2})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestProgressAndMaxIter(t *testing.T) {
	n := 3000
	if raceEnabled {
		n = 1500 // still more than one progress period of 1000 iterations
	}
	X := gaussian(n, 4, 8)
	var got []Progress
	m, err := Fit(context.Background(), X, Config{Progress: func(p Progress) { got = append(got, p) }})
	require.NoError(t, err)
	require.NotEmpty(t, got)
	last := got[len(got)-1]
	assert.Equal(t, m.Iterations(), last.Iteration)
	assert.Equal(t, m.Gap(), last.Gap)
	assert.InDelta(t, m.Objective(), last.Objective, 1e-9*math.Abs(last.Objective))
	assert.Less(t, last.Gap, 1e-3)
	for i := 1; i < len(got); i++ {
		assert.Greater(t, got[i].Iteration, got[i-1].Iteration)
	}
	assert.True(t, m.Converged())
	// A limit below the iterations needed is reported, not silent.
	lim, err := Fit(context.Background(), X, Config{MaxIter: m.Iterations() / 2})
	require.NoError(t, err)
	assert.False(t, lim.Converged())
	assert.Equal(t, m.Iterations()/2, lim.Iterations())
	assert.Greater(t, lim.Gap(), 1e-3)
	// The objective falls as SMO goes.
	assert.Greater(t, lim.Objective(), m.Objective())
	// Exactly the needed iterations: converged.
	ex, err := Fit(context.Background(), X, Config{MaxIter: m.Iterations()})
	require.NoError(t, err)
	assert.True(t, ex.Converged())
}

func TestMarshalRoundTrip(t *testing.T) {
	X := gaussian(500, 3, 9)
	Q := gaussian(50, 3, 10)
	for _, cfg := range []Config{
		{},
		{Standardize: true, Kernel: Poly, Coef0: 1},
		{Kernel: Linear, Nu: 0.2},
		{Kernel: Sigmoid, Gamma: 0.1},
		{Approximation: Nystroem, Components: 40, Standardize: true},
		{Approximation: Fourier, Components: 30},
		{MaxIter: 5},
	} {
		m, err := Fit(context.Background(), X, cfg)
		require.NoError(t, err)
		b, err := m.MarshalBinary()
		require.NoError(t, err)
		var got Model
		require.NoError(t, got.UnmarshalBinary(b))
		want, _ := m.ScoreBatch(Q)
		have, err := got.ScoreBatch(Q)
		require.NoError(t, err)
		assert.Equal(t, want, have)
		assert.Equal(t, m.Rho(), got.Rho())
		assert.Equal(t, m.Iterations(), got.Iterations())
		assert.Equal(t, m.Converged(), got.Converged())
		assert.Equal(t, m.Config(), got.Config())
		b2, _ := got.MarshalBinary()
		assert.Equal(t, b, b2)
		// Any flipped byte is refused.
		for _, i := range []int{0, 5, 9, len(b) / 2, len(b) - 1} {
			c := append([]byte(nil), b...)
			c[i] ^= 0x40
			assert.ErrorIs(t, got.UnmarshalBinary(c), ErrCorrupt)
		}
		assert.ErrorIs(t, got.UnmarshalBinary(b[:len(b)-3]), ErrCorrupt)
	}
}

// Field checks behind the checksum: payloads re-sealed with a valid
// checksum but an invariant broken are refused.
func TestUnmarshalInvariants(t *testing.T) {
	m, err := Fit(context.Background(), gaussian(50, 2, 11), Config{})
	require.NoError(t, err)
	b, _ := m.MarshalBinary()
	payload := b[6 : len(b)-4]
	var got Model
	require.NoError(t, got.UnmarshalBinary(codec.Seal(magic, version, payload)))
	// ν is the 7th 8-byte field: set it to 2.
	bad := append([]byte(nil), payload...)
	copy(bad[6*8:], []byte{0, 0, 0, 0, 0, 0, 0, 0x40})
	err = got.UnmarshalBinary(codec.Seal(magic, version, bad))
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.ErrorContains(t, err, "nu")
	// Training rows (2nd field) halved: Σα no longer equals ν·n.
	bad = append([]byte(nil), payload...)
	bad[8] = 25
	err = got.UnmarshalBinary(codec.Seal(magic, version, bad))
	assert.ErrorIs(t, err, ErrCorrupt)
}

func FuzzUnmarshal(f *testing.F) {
	X := mat.NewDense(6, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1, 5, 5, 2, 2})
	for _, cfg := range []Config{{}, {Standardize: true}, {Approximation: Fourier, Components: 3}, {Approximation: Nystroem, Components: 3}} {
		m, err := Fit(context.Background(), X, cfg)
		require.NoError(f, err)
		b, _ := m.MarshalBinary()
		f.Add(b)
		f.Add(b[6 : len(b)-4])
	}
	// Each input is also tried sealed with a valid header and checksum, so
	// that the field checks behind the checksum are reached.
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, codec.Seal(magic, version, data)} {
			var m Model
			if m.UnmarshalBinary(in) == nil {
				x := make([]float64, m.Features())
				_, _ = m.Score(x)
				_, _ = m.ScoreBatch(mat.NewDense(2, m.Features(), nil))
				_, err := m.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

func TestConcurrentScore(t *testing.T) {
	X := gaussian(300, 3, 12)
	m, err := Fit(context.Background(), X, Config{Standardize: true})
	require.NoError(t, err)
	want, _ := m.ScoreBatch(X)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				s, err := m.Score(X.RawRowView(i))
				assert.NoError(t, err)
				assert.Equal(t, want[i], s)
			}
		}()
	}
	wg.Wait()
}

func TestScoreAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	X := gaussian(300, 3, 13)
	for _, cfg := range []Config{{Standardize: true}, {Approximation: Fourier, Components: 20}} {
		m, err := Fit(context.Background(), X, cfg)
		require.NoError(t, err)
		x := X.RawRowView(3)
		assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.Score(x) }))
		dst := make([]float64, 300)
		m2, _ := Fit(context.Background(), X, Config{Workers: 1})
		assert.LessOrEqual(t, testing.AllocsPerRun(20, func() { _ = m2.ScoreTo(dst, X) }), 2.0)
	}
}

// The approximations approach the exact solver's ranking on data with a
// clear outlier structure, averaged over seeds.
func TestApproximations(t *testing.T) {
	X := gaussian(2000, 4, 14)
	// 40 outliers far out.
	r := rand.New(rand.NewPCG(3, 3))
	labels := make([]bool, 2000)
	for i := 0; i < 40; i++ {
		labels[i] = true
		for j := 0; j < 4; j++ {
			X.Set(i, j, 4*r.NormFloat64())
		}
	}
	ex, err := Fit(context.Background(), X, Config{Nu: 0.1})
	require.NoError(t, err)
	se, _ := ex.ScoreBatch(X)
	aucExact := rocAUC(se, labels)
	require.Greater(t, aucExact, 0.9)
	for _, ap := range []Approximation{Nystroem, Fourier} {
		var mean float64
		seeds := 5
		if raceEnabled {
			seeds = 3 // each fit is ~10x slower under the race detector
		}
		for seed := range uint64(seeds) {
			m, err := Fit(context.Background(), X, Config{Nu: 0.1, Approximation: ap, Components: 100, Seed: seed})
			require.NoError(t, err)
			s, _ := m.ScoreBatch(X)
			mean += rocAUC(s, labels) / float64(seeds)
			assert.True(t, math.IsNaN(m.Gap()))
		}
		assert.InDelta(t, aucExact, mean, 0.02, "%v: mean ROC-AUC %.4f over %d seeds, exact %.4f", ap, mean, seeds, aucExact)
	}
	// Same seed, same model; TrainRows subsamples.
	a, _ := Fit(context.Background(), X, Config{Approximation: Nystroem, Components: 50, Seed: 3, TrainRows: 500, Workers: 1})
	b, _ := Fit(context.Background(), X, Config{Approximation: Nystroem, Components: 50, Seed: 3, TrainRows: 500, Workers: 3})
	assert.Equal(t, a.Coefficients(), b.Coefficients())
	assert.Equal(t, a.Rho(), b.Rho())
	assert.Equal(t, 10*500, a.Iterations())
}

func TestErrorsIs(t *testing.T) {
	_, err := Fit(context.Background(), nil, Config{})
	assert.True(t, errors.Is(err, ErrEmpty))
}
