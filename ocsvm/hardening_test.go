package ocsvm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/internal/codec"
)

// Issue 7 item 4 for ocsvm: a huge Workers used to make the solver allocate
// 8 row slots per worker (a fatal out-of-memory at 1<<40), and caches or
// approximation maps beyond the machine were only found by running out of
// memory. Workers is capped by the work; sizes are refused up front.
func TestSizesCheckedBeforeFit(t *testing.T) {
	X := gaussian(200, 3, 1)
	ref, err := Fit(context.Background(), X, Config{Workers: 1})
	require.NoError(t, err)
	m, err := Fit(context.Background(), X, Config{Workers: math.MaxInt/2 + 1})
	require.NoError(t, err)
	assert.Equal(t, ref.Rho(), m.Rho())

	old := debug.SetMemoryLimit(64 << 20)
	defer debug.SetMemoryLimit(old)
	big := gaussian(5000, 2, 2) // 5000² float32 kernel values: 100 MB
	for _, cfg := range []Config{
		{CacheMiB: 1 << 20},
		{Approximation: Nystroem, Components: 1 << 16},
		{Approximation: Fourier, Components: 1 << 16, TrainRows: 5000},
	} {
		_, err := Fit(context.Background(), big, cfg)
		assert.ErrorIs(t, err, ErrConfig, "%+v", cfg)
	}
}

// A sample within Fit's bounds whose kernel values overflow (a polynomial
// or linear kernel of a huge sample, a Fourier map of one) used to score NaN
// with a nil error; values beyond ±1e150 were scored instead of refused as
// Fit refuses them. Every score is finite, or NaN with ErrNonFinite.
func TestHugeSamplesFiniteOrRefused(t *testing.T) {
	X := gaussian(300, 3, 1)
	samples := [][]float64{{1e200, 0, 0}, {1e300, -1e300, 1e300}, {1e150, 1e150, 1e150}, {-1e150, 1e150, -1e150}, {1e100, 0, 1}, {20, 20, 20}}
	for _, cfg := range []Config{{}, {Standardize: true}, {Kernel: Poly}, {Kernel: Poly, Degree: 7, Coef0: 1}, {Kernel: Sigmoid}, {Kernel: Linear}, {Approximation: Nystroem}, {Approximation: Fourier}} {
		if raceEnabled && cfg.Approximation != Exact {
			// The default 300 landmarks' eigendecomposition takes about a
			// second under the race detector; the mapping of huge values
			// does not depend on how many there are.
			cfg.Components = 50
		}
		m, err := Fit(context.Background(), X, cfg)
		require.NoError(t, err)
		batch := mat.NewDense(len(samples), 3, nil)
		for i, x := range samples {
			batch.SetRow(i, x)
			s, err := m.Score(x)
			if err != nil {
				assert.ErrorIs(t, err, ErrNonFinite, "%v %v", cfg.Kernel, x)
				assert.True(t, math.IsNaN(s))
				continue
			}
			assert.False(t, math.IsNaN(s) || math.IsInf(s, 0), "%v %v %v: %v", cfg.Kernel, cfg.Approximation, x, s)
			assert.Less(t, math.Abs(x[0]), 1e151, "a value beyond ±1e150 was scored")
		}
		dst := make([]float64, len(samples))
		err = m.ScoreTo(dst, batch)
		require.Error(t, err, "%v: the batch holds values beyond ±1e150", cfg.Kernel)
		var e *Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, 0, e.Row)
		for _, v := range dst {
			assert.True(t, math.IsNaN(v), "dst after an error")
		}
	}
}

// Issue 10: one value on error everywhere. A zero Model's accessors read
// NaN (not a fitted model's 0) and it has not converged; WithWorkers works
// on fitted, decoded and zero models and changes nothing but the workers;
// a cancelled context stops batch scoring.
func TestZeroWorkersContext(t *testing.T) {
	var z Model
	assert.True(t, math.IsNaN(z.Rho()))
	assert.True(t, math.IsNaN(z.Gap()))
	assert.True(t, math.IsNaN(z.Objective()))
	assert.False(t, z.Converged())
	_, err := z.WithWorkers(3).Score([]float64{1})
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = z.ScoreBatchContext(context.Background(), mat.NewDense(1, 1, nil))
	assert.ErrorIs(t, err, ErrNotFitted)

	X := gaussian(400, 4, 3)
	m, err := Fit(context.Background(), X, Config{Workers: 1, Standardize: true})
	require.NoError(t, err)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	var back Model
	require.NoError(t, back.UnmarshalBinary(b))
	want, err := m.ScoreBatch(X)
	require.NoError(t, err)
	for _, w := range []int{0, 1, 2, 7} {
		for _, mm := range []*Model{m.WithWorkers(w), back.WithWorkers(w)} {
			got, err := mm.ScoreBatch(X)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Equal(t, m.Rho(), mm.Rho())
		}
	}
	assert.Equal(t, 7, m.WithWorkers(7).Config().Workers)
	assert.Equal(t, 1, m.Config().Workers, "WithWorkers leaves m unchanged")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := m.ScoreBatchContext(ctx, gaussian(50000, 4, 4))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, got)
}

// Issue 7 item 2 for ocsvm: a decoded scaler must be one Fit can make; a
// scale of 1e-300 used to load.
func TestDecodeRefusesTinyScale(t *testing.T) {
	m, err := Fit(context.Background(), gaussian(100, 2, 5), Config{Standardize: true})
	require.NoError(t, err)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	var old [8]byte
	binary.LittleEndian.PutUint64(old[:], math.Float64bits(m.scaler.Scale[0]))
	at := bytes.Index(b, old[:])
	require.Positive(t, at)
	p := append([]byte(nil), b[6:len(b)-4]...)
	binary.LittleEndian.PutUint64(p[at-6:], math.Float64bits(1e-300))
	var back Model
	err = back.UnmarshalBinary(codec.Seal(magic, version, p))
	assert.ErrorIs(t, err, ErrCorrupt)
}
