package knn

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

type scores struct {
	Train []float64 `json:"train"`
	Query []float64 `json:"query"`
}

type refCase struct {
	Name        string      `json:"name"`
	K           int         `json:"k"`
	Standardize bool        `json:"standardize"`
	X           [][]float64 `json:"X"`
	Q           [][]float64 `json:"Q"`
	Largest     scores      `json:"largest"`
	Mean        scores      `json:"mean"`
	Median      scores      `json:"median"`
}

func loadRef(t *testing.T) (cs []refCase) {
	testenv.LoadJSON(t, "testdata/reference.json", &cs)
	return cs
}

var (
	dense    = testenv.Dense
	relClose = testenv.RelClose
)

// TestScikitLearn compares with scores built from scikit-learn 1.2.1's
// NearestNeighbors distances (testdata/gen_reference.py).
func TestScikitLearn(t *testing.T) {
	for _, c := range loadRef(t) {
		for _, mc := range []struct {
			m   Method
			ref scores
		}{{Largest, c.Largest}, {Mean, c.Mean}, {Median, c.Median}} {
			for _, w := range []int{1, 2} {
				m, err := Fit(context.Background(), dense(c.X), Config{K: c.K, Method: mc.m, Standardize: c.Standardize, Workers: w})
				require.NoError(t, err)
				for i, v := range m.TrainingScores() {
					relClose(t, mc.ref.Train[i], v, "%s %v std=%v train row %d", c.Name, mc.m, c.Standardize, i)
				}
				batch, err := m.ScoreBatch(dense(c.Q))
				require.NoError(t, err)
				for i, q := range c.Q {
					s, err := m.Score(q)
					require.NoError(t, err)
					relClose(t, mc.ref.Query[i], s, "%s %v std=%v query %d", c.Name, mc.m, c.Standardize, i)
					assert.Equal(t, s, batch[i], "ScoreBatch and Score differ")
				}
			}
		}
	}
}

// Hand-computed: points 0, 1, 3, 7 on a line, K=2. Neighbour distances:
// 0 -> 1, 3; 1 -> 1, 2; 3 -> 2, 3; 7 -> 4, 6.
func TestHandComputed(t *testing.T) {
	X := mat.NewDense(4, 1, []float64{0, 1, 3, 7})
	for _, tc := range []struct {
		m    Method
		want []float64
	}{
		{Largest, []float64{3, 2, 3, 6}},
		{Mean, []float64{2, 1.5, 2.5, 5}},
		{Median, []float64{2, 1.5, 2.5, 5}},
	} {
		m, err := Fit(context.Background(), X, Config{K: 2, Method: tc.m})
		require.NoError(t, err)
		assert.Equal(t, tc.want, m.TrainingScores(), "%v", tc.m)
	}
	m, err := Fit(context.Background(), X, Config{K: 3, Method: Median})
	require.NoError(t, err)
	// 0 -> 1, 3, 7: median 3. A new point at 3 -> 0, 2, 3: median 2.
	assert.Equal(t, 3.0, m.TrainingScores()[0])
	s, err := m.Score([]float64{3})
	require.NoError(t, err)
	assert.Equal(t, 2.0, s)
}

func TestRepeatedPoint(t *testing.T) {
	X := mat.NewDense(20, 2, nil)
	for i := 0; i < 20; i++ {
		X.SetRow(i, []float64{4, -4})
	}
	m, err := Fit(context.Background(), X, Config{Standardize: true})
	require.NoError(t, err)
	for _, v := range m.TrainingScores() {
		assert.Equal(t, 0.0, v)
	}
	s, err := m.Score([]float64{4, -1})
	require.NoError(t, err)
	assert.Equal(t, 3.0, s)
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
		{"k=n", X, Config{K: 5}, ErrConfig, "knn: K is 5, need more than K training rows, have 5"},
		{"default k=n", X, Config{}, ErrConfig, "knn: K is 5, need more than K training rows, have 5"},
		{"k<0", X, Config{K: -2}, ErrConfig, "knn: K is -2, want at least 1"},
		{"method", X, Config{Method: 7}, ErrConfig, "knn: unknown Method 7"},
		{"nil", nil, Config{K: 1}, ErrEmpty, "knn: nil matrix"},
		{"no columns", &mat.Dense{}, Config{K: 1}, ErrEmpty, "knn: matrix has no rows"},
		{"nan", mat.NewDense(3, 2, []float64{0, 0, 1, math.NaN(), 2, 2}), Config{K: 1}, ErrNonFinite, "knn: row 1 column 1 is NaN"},
		{"inf", mat.NewDense(3, 2, []float64{0, 0, 1, 1, math.Inf(1), 2}), Config{K: 1}, ErrNonFinite, "knn: row 2 column 0 is +Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fit(ctx, tc.X, tc.cfg)
			require.ErrorIs(t, err, tc.kind)
			assert.EqualError(t, err, tc.msg)
		})
	}
	m, err := Fit(ctx, X, Config{K: 2})
	require.NoError(t, err)
	_, err = m.Score([]float64{1, 2, 3})
	assert.ErrorIs(t, err, ErrDimension)
	assert.EqualError(t, err, "knn: sample has 3 features, model was fit on 2")
	_, err = m.Score([]float64{math.Inf(1), 2})
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = m.ScoreBatch(mat.NewDense(2, 1, nil))
	assert.ErrorIs(t, err, ErrDimension)
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, c := range loadRef(t) {
		m, err := Fit(context.Background(), dense(c.X), Config{K: c.K, Method: Median, Standardize: c.Standardize})
		require.NoError(t, err)
		b, err := m.MarshalBinary()
		require.NoError(t, err)
		var m2 Model
		require.NoError(t, m2.UnmarshalBinary(b))
		assert.Equal(t, m.Config(), m2.Config())
		assert.Equal(t, m.TrainingScores(), m2.TrainingScores())
		testenv.CheckRoundTrip(t, m, &m2, c.Q, new(Model).UnmarshalBinary, b)
		b[len(b)/2] ^= 1
		assert.ErrorIs(t, new(Model).UnmarshalBinary(b), ErrCorrupt)
	}
}

func FuzzUnmarshal(f *testing.F) {
	m, err := Fit(context.Background(), mat.NewDense(6, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1, 5, 5, 2, 2}), Config{K: 2, Method: Mean})
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
	testenv.CheckConcurrent(t, m, c.Q, c.Largest.Query)
}

func TestScoreAllocs(t *testing.T) {
	testenv.SkipAllocs(t)
	for _, c := range loadRef(t) {
		m, err := Fit(context.Background(), dense(c.X), Config{K: c.K, Standardize: true})
		require.NoError(t, err)
		q := c.Q[0]
		assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.Score(q) }), c.Name)
	}
}

func TestUnfittedModel(t *testing.T) { testenv.CheckZero(t, new(Model), pkg) }

// Values whose squares overflow would turn distances into +Inf and scores
// into NaN: they are refused with the row and column named.
func TestHugeValues(t *testing.T) {
	testenv.CheckHugeValues(t, func(X mat.Matrix) (testenv.Detector, error) {
		return Fit(context.Background(), X, Config{K: 1})
	}, pkg)
}
