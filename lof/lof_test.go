package lof

import (
	"context"
	"github.com/vigil-ml/vigil/internal/codec"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vigil-ml/vigil/internal/testenv"
	"gonum.org/v1/gonum/mat"
)

type refCase struct {
	Name        string      `json:"name"`
	K           int         `json:"k"`
	Standardize bool        `json:"standardize"`
	X           [][]float64 `json:"X"`
	Q           [][]float64 `json:"Q"`
	TrainLOF    []float64   `json:"train_lof"`
	QueryLOF    []float64   `json:"query_lof"`
}

func loadRef(t *testing.T) (cs []refCase) {
	testenv.LoadJSON(t, "testdata/reference.json", &cs)
	return cs
}

var (
	dense    = testenv.Dense
	relClose = testenv.RelClose
)

// TestScikitLearn compares with values computed by scikit-learn 1.2.1
// (testdata/gen_reference.py): -negative_outlier_factor_ for the training
// rows and -score_samples with novelty=True for new points.
func TestScikitLearn(t *testing.T) {
	for _, c := range loadRef(t) {
		for _, w := range []int{1, 2} {
			m, err := Fit(context.Background(), dense(c.X), Config{K: c.K, Standardize: c.Standardize, Workers: w})
			require.NoError(t, err)
			for i, v := range m.TrainingScores() {
				relClose(t, c.TrainLOF[i], v, "%s std=%v train row %d", c.Name, c.Standardize, i)
			}
			batch, err := m.ScoreBatch(dense(c.Q))
			require.NoError(t, err)
			for i, q := range c.Q {
				s, err := m.Score(q)
				require.NoError(t, err)
				relClose(t, c.QueryLOF[i], s, "%s std=%v query %d", c.Name, c.Standardize, i)
				assert.Equal(t, s, batch[i], "ScoreBatch and Score differ")
			}
		}
	}
}

// Hand-computed: on the line 0, 1, 2, 10 with K=1 the neighbours are 1, 0
// (tie 0/2 goes to the lower index), 1, 2; k-distances 1, 1, 1, 8;
// densities 1, 1, 1, 1/8 (ignoring the 1e-10); LOF 1, 1, 1, 8.
func TestHandComputed(t *testing.T) {
	X := mat.NewDense(4, 1, []float64{0, 1, 2, 10})
	m, err := Fit(context.Background(), X, Config{K: 1})
	require.NoError(t, err)
	want := []float64{1, 1, 1, 8}
	for i, v := range m.TrainingScores() {
		assert.InDelta(t, want[i], v, 1e-8, "row %d", i)
	}
	// A new point at 5: neighbour 2 at distance 3, reach max(3, 1) = 3,
	// density 1/3, LOF 1/(1/3) = 3.
	s, err := m.Score([]float64{5})
	require.NoError(t, err)
	assert.InDelta(t, 3, s, 1e-8)
}

func TestRepeatedPoint(t *testing.T) {
	X := mat.NewDense(50, 3, nil)
	for i := 0; i < 50; i++ {
		X.SetRow(i, []float64{1, 2, 3})
	}
	for _, std := range []bool{false, true} {
		m, err := Fit(context.Background(), X, Config{K: 10, Standardize: std})
		require.NoError(t, err)
		for _, v := range m.TrainingScores() {
			assert.Equal(t, 1.0, v)
		}
		s, err := m.Score([]float64{1, 2, 3})
		require.NoError(t, err)
		assert.Equal(t, 1.0, s)
		// Any other point: its reachability distance is its distance, the
		// training densities are 1e10.
		s, err = m.Score([]float64{1, 2, 4})
		require.NoError(t, err)
		assert.InDelta(t, 1e10, s, 1e-9*1e10)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	X := mat.NewDense(5, 2, []float64{0, 0, 1, 1, 2, 2, 3, 3, 4, 5})
	for _, tc := range []struct {
		name string
		X    mat.Matrix
		cfg  Config
		kind error
		msg  string
	}{
		{"k=n", X, Config{K: 5}, ErrConfig, "lof: K is 5, need more than K training rows, have 5"},
		{"k>n", X, Config{K: 9}, ErrConfig, "lof: K is 9, need more than K training rows, have 5"},
		{"default k>n", X, Config{}, ErrConfig, "lof: K is 20, need more than K training rows, have 5"},
		{"k<0", X, Config{K: -1}, ErrConfig, "lof: K is -1, want at least 1"},
		{"nil", nil, Config{K: 1}, ErrEmpty, "lof: nil matrix"},
		{"empty", &mat.Dense{}, Config{K: 1}, ErrEmpty, "lof: matrix has no rows"},
		{"nan", mat.NewDense(3, 2, []float64{0, 0, 1, math.NaN(), 2, 2}), Config{K: 1}, ErrNonFinite, "lof: row 1 column 1 is NaN"},
		{"inf", mat.NewDense(3, 2, []float64{0, 0, 1, 1, math.Inf(-1), 2}), Config{K: 1}, ErrNonFinite, "lof: row 2 column 0 is -Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fit(ctx, tc.X, tc.cfg)
			require.ErrorIs(t, err, tc.kind)
			assert.EqualError(t, err, tc.msg)
		})
	}
	m, err := Fit(ctx, X, Config{K: 2})
	require.NoError(t, err)
	_, err = m.Score([]float64{1})
	assert.ErrorIs(t, err, ErrDimension)
	assert.EqualError(t, err, "lof: sample has 1 features, model was fit on 2")
	_, err = m.Score([]float64{1, math.NaN()})
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = m.ScoreBatch(mat.NewDense(2, 3, nil))
	assert.ErrorIs(t, err, ErrDimension)
	_, err = m.ScoreBatch(nil)
	assert.ErrorIs(t, err, ErrEmpty)
	assert.ErrorIs(t, m.ScoreTo(make([]float64, 1), mat.NewDense(2, 2, nil)), ErrDimension)
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fit(ctx, mat.NewDense(3000, 2, nil), Config{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, c := range loadRef(t) {
		m, err := Fit(context.Background(), dense(c.X), Config{K: c.K, Standardize: c.Standardize})
		require.NoError(t, err)
		b, err := m.MarshalBinary()
		require.NoError(t, err)
		var m2 Model
		require.NoError(t, m2.UnmarshalBinary(b))
		assert.Equal(t, m.Config(), m2.Config())
		assert.Equal(t, m.TrainingScores(), m2.TrainingScores())
		testenv.CheckRoundTrip(t, m, &m2, c.Q, new(Model).UnmarshalBinary, b)
	}
}

func FuzzUnmarshal(f *testing.F) {
	m, err := Fit(context.Background(), mat.NewDense(6, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1, 5, 5, 2, 2}), Config{K: 2, Standardize: true})
	require.NoError(f, err)
	b, _ := m.MarshalBinary()
	f.Add(b)
	f.Add(b[6 : len(b)-4])
	// Each input is also tried sealed with a valid header and checksum, so
	// that the field checks behind the checksum are reached.
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, codec.Seal(magic, version, data)} {
			var m Model
			if m.UnmarshalBinary(in) == nil {
				testenv.CheckLoaded(t, &m, m.base.Index.Dim())
			}
		}
	})
}

func TestConcurrentScore(t *testing.T) {
	c := loadRef(t)[0]
	m, err := Fit(context.Background(), dense(c.X), Config{K: c.K})
	require.NoError(t, err)
	testenv.CheckConcurrent(t, m, c.Q, c.QueryLOF)
}

func TestScoreAllocs(t *testing.T) {
	testenv.SkipAllocs(t)
	c := loadRef(t)[0]
	m, err := Fit(context.Background(), dense(c.X), Config{K: c.K, Standardize: true})
	require.NoError(t, err)
	q := c.Q[0]
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.Score(q) }))
}

func TestUnfittedModel(t *testing.T) { testenv.CheckZero(t, new(Model), pkg) }

// Values whose squares overflow would turn distances into +Inf and scores
// into NaN: they are refused with the row and column named.
func TestHugeValues(t *testing.T) {
	testenv.CheckHugeValues(t, func(X mat.Matrix) (testenv.Detector, error) {
		return Fit(context.Background(), X, Config{K: 1})
	}, pkg)
}
