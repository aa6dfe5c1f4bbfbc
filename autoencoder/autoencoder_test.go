package autoencoder

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// latent makes n rows of d features driven by two hidden factors plus a
// little noise, each feature on its own scale and offset: data that an
// autoencoder with a narrow code reconstructs well.
func latent(seed uint64, n, d int) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 7))
	load := make([]float64, 2*d)
	for i := range load {
		load[i] = r.NormFloat64()
	}
	X := mat.NewDense(n, d, nil)
	for i := range n {
		z0, z1 := r.NormFloat64(), r.NormFloat64()
		for j := range d {
			v := load[2*j]*z0 + load[2*j+1]*z1 + 0.05*r.NormFloat64()
			X.Set(i, j, float64(j+1)*10*v+float64(j*100))
		}
	}
	return X
}

func TestFitDefaults(t *testing.T) {
	X := latent(1, 300, 10)
	m, err := Fit(context.Background(), X, Config{Seed: 1})
	require.NoError(t, err)
	c := m.Config()
	assert.Equal(t, []int{64, 32, 64}, c.Hidden)
	assert.Equal(t, ReLU, c.Activation)
	assert.Equal(t, Xavier, c.Init)
	assert.Equal(t, 10, c.Epochs)
	assert.Equal(t, 32, c.BatchSize)
	assert.Equal(t, 1e-3, c.LearningRate)
	assert.Equal(t, 1e-4, c.WeightDecay)
	assert.Equal(t, 10, m.Features())
	assert.Equal(t, 32, m.CodeWidth())
	h := m.History()
	require.Len(t, h, 10)
	for i, e := range h {
		assert.Equal(t, i+1, e.Epoch)
		assert.True(t, math.IsNaN(e.ValidationLoss))
	}
	// Training reduces the reconstruction error.
	assert.Less(t, h[9].TrainLoss, 0.5*h[0].TrainLoss, "history %+v", h)

	// Narrow inputs get layers of at most 8 units per feature.
	m2, err := Fit(context.Background(), latent(2, 100, 2), Config{Seed: 1, Epochs: 1})
	require.NoError(t, err)
	assert.Equal(t, []int{16, 16, 16}, m2.Config().Hidden)
	m5, err := Fit(context.Background(), latent(2, 100, 5), Config{Seed: 1, Epochs: 1})
	require.NoError(t, err)
	assert.Equal(t, []int{40, 32, 40}, m5.Config().Hidden)
}

// A row far from the training rows scores higher than the training rows,
// and the score is the mean of Explain's terms.
func TestScoreAndExplain(t *testing.T) {
	X := latent(3, 500, 8)
	m, err := Fit(context.Background(), X, Config{Seed: 3, Epochs: 30, Hidden: []int{16, 2, 16}})
	require.NoError(t, err)
	train, err := m.ScoreBatch(X)
	require.NoError(t, err)
	p99 := quantile(train, 0.99)

	for i := range 20 {
		for j := range 8 {
			row := slices.Clone(X.RawRowView(i))
			// Six training standard deviations on feature j alone breaks
			// the relation between the features.
			row[j] += 6 * m.scale[j]
			s, err := m.Score(row)
			require.NoError(t, err)
			assert.Greater(t, s, p99, "row %d feature %d", i, j)
			e, err := m.Explain(row)
			require.NoError(t, err)
			var sum float64
			for _, v := range e {
				sum += v
			}
			assert.InDelta(t, s, sum/8, 1e-12)
			assert.Equal(t, j, argmax(e), "row %d: corrupted feature %d, Explain %v", i, j, e)
		}
	}
}

func quantile(x []float64, q float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// Score, ScoreBatch and ScoreTo agree bit for bit, for contiguous and
// strided input.
func TestScoreBatchMatchesScore(t *testing.T) {
	X := latent(4, 301, 7)
	for _, f := range []Activation{ReLU, Tanh, Sigmoid} {
		m, err := Fit(context.Background(), X, Config{Seed: 4, Epochs: 2, Activation: f, Workers: 3})
		require.NoError(t, err)
		batch, err := m.ScoreBatch(X)
		require.NoError(t, err)
		wide := mat.NewDense(301, 9, nil)
		wide.Slice(0, 301, 1, 8).(*mat.Dense).Copy(X)
		strided, err := m.ScoreBatch(wide.Slice(0, 301, 1, 8))
		require.NoError(t, err)
		dst := make([]float64, 301)
		require.NoError(t, m.ScoreTo(dst, X))
		for i := range batch {
			s, err := m.Score(X.RawRowView(i))
			require.NoError(t, err)
			require.Equal(t, math.Float64bits(s), math.Float64bits(batch[i]), "%v row %d", f, i)
			require.Equal(t, math.Float64bits(s), math.Float64bits(strided[i]), "%v row %d", f, i)
			require.Equal(t, math.Float64bits(s), math.Float64bits(dst[i]), "%v row %d", f, i)
		}
	}
}

// The weights are the same bits for 1, 2 and 4 workers, with dropout and a
// validation split too; a different seed gives different weights.
func TestWorkersBitIdentical(t *testing.T) {
	X := latent(5, 450, 12)
	for _, cfg := range []Config{
		{Seed: 9, Epochs: 3},
		{Seed: 9, Epochs: 3, BatchSize: 64, Dropout: 0.2, ValidationFraction: 0.1, Activation: Tanh},
		{Seed: 9, Epochs: 2, BatchSize: 50, Init: He},
		{Seed: 9, Epochs: 2, Float64: true, Dropout: 0.1},
	} {
		if raceEnabled {
			// A narrower net under the race detector: the shards, and so
			// the reduction order, are set by the rows, not the widths.
			cfg.Hidden = []int{16, 6, 16}
		}
		var ref *Model
		for _, w := range []int{1, 2, 4} {
			c := cfg
			c.Workers = w
			m, err := Fit(context.Background(), X, c)
			require.NoError(t, err)
			if ref == nil {
				ref = m
				continue
			}
			want, got := ref.net.params(), m.net.params()
			require.Equal(t, len(want), len(got))
			for i := range got {
				require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "workers %d, parameter %d", w, i)
			}
		}
		c := cfg
		c.Seed++
		other, err := Fit(context.Background(), X, c)
		require.NoError(t, err)
		assert.NotEqual(t, ref.net.params(), other.net.params())
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, f64 := range []bool{false, true} {
		testMarshalRoundTrip(t, f64)
	}
}

func testMarshalRoundTrip(t *testing.T, f64 bool) {
	X := latent(6, 200, 6)
	m, err := Fit(context.Background(), X, Config{Seed: 2, Epochs: 3, Hidden: []int{8, 3, 8}, Activation: Sigmoid, ValidationFraction: 0.2, WeightDecay: -1, Float64: f64})
	require.NoError(t, err)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	var got Model
	require.NoError(t, got.UnmarshalBinary(b))
	want, err := m.ScoreBatch(X)
	require.NoError(t, err)
	have, err := got.ScoreBatch(X)
	require.NoError(t, err)
	for i := range want {
		require.Equal(t, math.Float64bits(want[i]), math.Float64bits(have[i]), "row %d", i)
	}
	wc, gc := m.Config(), got.Config()
	wc.Workers, gc.Workers = 0, 0
	assert.Equal(t, wc, gc)
	assert.Equal(t, len(m.History()), len(got.History()))
	e1, _ := m.Encode(X.RawRowView(0))
	e2, _ := got.Encode(X.RawRowView(0))
	assert.Equal(t, e1, e2)
	b2, err := got.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, b, b2)

	// Every truncation and any flipped byte is refused.
	for cut := range len(b) {
		require.ErrorIs(t, got.UnmarshalBinary(b[:cut]), ErrCorrupt, "cut at %d", cut)
	}
	bad := slices.Clone(b)
	bad[len(bad)/2] ^= 1
	assert.ErrorIs(t, got.UnmarshalBinary(bad), ErrCorrupt)
	var zero Model
	_, err = zero.MarshalBinary()
	assert.ErrorIs(t, err, ErrNotFitted)
}

func TestEncodeReconstruct(t *testing.T) {
	X := latent(7, 300, 6)
	m, err := Fit(context.Background(), X, Config{Seed: 1, Epochs: 40, Hidden: []int{12, 3, 12}, Activation: Tanh})
	require.NoError(t, err)
	x := X.RawRowView(10)
	code, err := m.Encode(x)
	require.NoError(t, err)
	assert.Len(t, code, 3)
	for _, v := range code {
		assert.True(t, v > -1 && v < 1, "tanh code %v", code)
	}
	rec, err := m.Reconstruct(x)
	require.NoError(t, err)
	// The reconstruction is in the original units, close to x: its
	// standardised error is what Score averages.
	s, _ := m.Score(x)
	var sum float64
	for j := range x {
		e := (rec[j] - x[j]) / m.scale[j]
		sum += e * e
	}
	assert.InEpsilon(t, s, sum/6, 1e-5, "float32 rounding only")
	assert.Less(t, s, 0.1)
}

func TestValidationAndEarlyStopping(t *testing.T) {
	X := latent(8, 400, 6)
	var reports []EpochReport
	cfg := Config{Seed: 5, Epochs: 60, ValidationFraction: 0.25, Patience: 3, LearningRate: 0.05,
		Progress: func(r EpochReport) { reports = append(reports, r) }}
	m, err := Fit(context.Background(), X, cfg)
	require.NoError(t, err)
	h := m.History()
	assert.Equal(t, reports, h)
	require.Less(t, len(h), 60, "a large step size must stall the validation loss")
	best := 0
	for i, e := range h {
		assert.False(t, math.IsNaN(e.ValidationLoss))
		assert.GreaterOrEqual(t, e.Seconds, 0.0)
		if e.ValidationLoss < h[best].ValidationLoss {
			best = i
		}
	}
	assert.Equal(t, best+1+3, len(h), "stops Patience epochs after the best")
	// The model keeps the best epoch's weights: its error on the held-out
	// rows is that epoch's validation loss.
	c, _ := resolve(cfg, 400, 6)
	tr := newTrainer[float32](c, make([]float64, 400*6), 400, 6)
	var sum float64
	for _, i := range tr.val {
		s, err := m.Score(X.RawRowView(i))
		require.NoError(t, err)
		sum += s
	}
	assert.InDelta(t, h[best].ValidationLoss, sum/float64(len(tr.val)), 1e-9)
}

func TestCancel(t *testing.T) {
	X := latent(9, 200, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fit(ctx, X, Config{})
	assert.ErrorIs(t, err, context.Canceled)

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	epochs := 0
	_, err = Fit(ctx, X, Config{Epochs: 100, Workers: 2, Progress: func(EpochReport) {
		epochs++
		cancel()
	}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, epochs)
}

func TestBadInput(t *testing.T) {
	good := latent(10, 50, 3)
	nan := mat.DenseCopyOf(good)
	nan.Set(7, 2, math.NaN())
	inf := mat.DenseCopyOf(good)
	inf.Set(3, 0, math.Inf(-1))
	huge := mat.DenseCopyOf(good)
	huge.Set(1, 1, 1e200)
	for _, tc := range []struct {
		name string
		X    mat.Matrix
		cfg  Config
		kind error
		msg  string
	}{
		{"nil", nil, Config{}, ErrEmpty, "autoencoder: nil matrix"},
		{"no rows", &mat.Dense{}, Config{}, ErrEmpty, "autoencoder: matrix has no rows"},
		{"one row", mat.NewDense(1, 3, []float64{1, 2, 3}), Config{}, ErrEmpty, "autoencoder: 1 training row, need at least 2: one row gives no scale to standardise by and nothing to learn"},
		{"nan", nan, Config{}, ErrNonFinite, "autoencoder: row 7 column 2 is NaN"},
		{"inf", inf, Config{}, ErrNonFinite, "autoencoder: row 3 column 0 is -Inf"},
		{"huge", huge, Config{}, ErrNonFinite, "autoencoder: row 1 column 1 is 1e+200, beyond ±1e+150 where squared distances overflow: rescale the data"},
		{"epochs", good, Config{Epochs: -1}, ErrConfig, "autoencoder: Epochs is -1, want ≥ 1 (or 0 for 10)"},
		{"batch", good, Config{BatchSize: -5}, ErrConfig, "autoencoder: BatchSize is -5, want ≥ 1 (or 0 for 32)"},
		{"empty hidden", good, Config{Hidden: []int{}}, ErrConfig, "autoencoder: Hidden is empty: give at least one layer width, or nil for the default"},
		{"zero width", good, Config{Hidden: []int{4, 0}}, ErrConfig, "autoencoder: Hidden[1] is 0, want 1 to 16384"},
		{"activation", good, Config{Activation: 7}, ErrConfig, "autoencoder: unknown Activation 7"},
		{"init", good, Config{Init: -1}, ErrConfig, "autoencoder: unknown Init -1"},
		{"rate", good, Config{LearningRate: math.NaN()}, ErrConfig, "autoencoder: LearningRate is NaN, want > 0 (or 0 for 0.001)"},
		{"negative rate", good, Config{LearningRate: -1}, ErrConfig, "autoencoder: LearningRate is -1, want > 0 (or 0 for 0.001)"},
		{"decay", good, Config{WeightDecay: math.Inf(1)}, ErrConfig, "autoencoder: WeightDecay is +Inf, want a finite value"},
		{"dropout", good, Config{Dropout: 1}, ErrConfig, "autoencoder: Dropout is 1, want a probability in [0, 1)"},
		{"validation", good, Config{ValidationFraction: -0.1}, ErrConfig, "autoencoder: ValidationFraction is -0.1, want a fraction in [0, 1)"},
		{"validation rows", mat.NewDense(2, 1, []float64{1, 2}), Config{ValidationFraction: 0.9}, ErrConfig, "autoencoder: ValidationFraction 0.9 of 2 rows leaves no training row"},
		{"patience", good, Config{Patience: -2}, ErrConfig, "autoencoder: Patience is -2, want ≥ 1 (or 0 for 10)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Fit(context.Background(), tc.X, tc.cfg)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, tc.kind)
			assert.EqualError(t, err, tc.msg)
		})
	}

	m, err := Fit(context.Background(), good, Config{Epochs: 1})
	require.NoError(t, err)
	s, err := m.Score([]float64{1, 2})
	assert.ErrorIs(t, err, ErrDimension)
	assert.True(t, math.IsNaN(s))
	_, err = m.Score([]float64{1, math.NaN(), 3})
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 1, e.Col)
	_, err = m.Explain([]float64{1})
	assert.ErrorIs(t, err, ErrDimension)
	_, err = m.Encode([]float64{1})
	assert.ErrorIs(t, err, ErrDimension)
	_, err = m.ScoreBatch(mat.NewDense(2, 4, nil))
	assert.ErrorIs(t, err, ErrDimension)
	assert.ErrorIs(t, m.ScoreTo(make([]float64, 3), good), ErrDimension)

	var zero Model
	_, err = zero.Score([]float64{1})
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = zero.ScoreBatch(good)
	assert.ErrorIs(t, err, ErrNotFitted)
	assert.ErrorIs(t, zero.ScoreTo(nil, good), ErrNotFitted)
	_, err = zero.Explain([]float64{1})
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = zero.Encode([]float64{1})
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = zero.Reconstruct([]float64{1})
	assert.ErrorIs(t, err, ErrNotFitted)
}

// A constant column is centred and left unscaled: training works, and a
// sample that leaves the constant value is flagged on that feature.
func TestConstantColumn(t *testing.T) {
	X := latent(11, 300, 5)
	for i := range 300 {
		X.Set(i, 2, 7)
	}
	m, err := Fit(context.Background(), X, Config{Seed: 1, Epochs: 20})
	require.NoError(t, err)
	assert.Equal(t, 7.0, m.mean[2])
	assert.Equal(t, 1.0, m.scale[2])
	train, err := m.ScoreBatch(X)
	require.NoError(t, err)
	row := slices.Clone(X.RawRowView(0))
	row[2] = 10
	s, err := m.Score(row)
	require.NoError(t, err)
	assert.Greater(t, s, slices.Max(train))
	e, _ := m.Explain(row)
	assert.Equal(t, 2, argmax(e))

	// Every column constant: nothing to learn, every training row scores
	// (almost) zero, and it is not an error.
	c := mat.NewDense(10, 2, nil)
	for i := range 10 {
		c.SetRow(i, []float64{1, -4})
	}
	m, err = Fit(context.Background(), c, Config{Epochs: 3})
	require.NoError(t, err)
	s, err = m.Score([]float64{1, -4})
	require.NoError(t, err)
	assert.Less(t, s, 0.05)
}

// One row per batch, a batch larger than the data, and one hidden layer
// are all valid.
func TestSmallShapes(t *testing.T) {
	X := latent(12, 20, 3)
	for _, cfg := range []Config{
		{BatchSize: 1, Epochs: 2},
		{BatchSize: 1000, Epochs: 2},
		{Hidden: []int{1}, Epochs: 2},
		{Hidden: []int{300, 2, 5, 300}, Epochs: 1},
	} {
		m, err := Fit(context.Background(), X, cfg)
		require.NoError(t, err, "%+v", cfg)
		s, err := m.ScoreBatch(X)
		require.NoError(t, err)
		for _, v := range s {
			assert.False(t, math.IsNaN(v) || math.IsInf(v, 0))
		}
	}
}
