package lof

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vigil-ml/vigil/internal/codec"
	"math"
	"os"
	"sync"
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

func loadRef(t *testing.T) []refCase {
	b, err := os.ReadFile("testdata/reference.json")
	require.NoError(t, err)
	var cs []refCase
	require.NoError(t, json.Unmarshal(b, &cs))
	return cs
}

func dense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

func relClose(t *testing.T, want, got float64, msg string, args ...any) {
	t.Helper()
	if want == got {
		return
	}
	if math.Abs(want-got) > 1e-9*math.Max(math.Abs(want), math.Abs(got)) {
		t.Errorf("%s: got %v, scikit-learn %v", msgf(msg, args...), got, want)
	}
}

func msgf(f string, a ...any) string { return fmt.Sprintf(f, a...) }

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
		for _, q := range c.Q {
			s1, _ := m.Score(q)
			s2, err := m2.Score(q)
			require.NoError(t, err)
			assert.Equal(t, s1, s2)
		}
		// Every truncation is rejected.
		for cut := 0; cut < len(b); cut += 1 + len(b)/50 {
			assert.ErrorIs(t, new(Model).UnmarshalBinary(b[:cut]), ErrCorrupt)
		}
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
			if m.UnmarshalBinary(in) != nil {
				continue
			}
			// A model that loads is one Fit could make: bounded samples
			// of the right width score finitely.
			x := make([]float64, m.base.Index.Dim())
			x[0] = 1e150
			for _, q := range [][]float64{x, make([]float64, len(x))} {
				if s, err := m.Score(q); err != nil || !(s >= 0 && s <= math.MaxFloat64) {
					t.Fatalf("loaded model scores %v as %v, %v", q, s, err)
				}
			}
			all, err := m.ScoreBatch(mat.NewDense(1, len(x), x))
			if err != nil || !(all[0] >= 0 && all[0] <= math.MaxFloat64) {
				t.Fatalf("loaded model scores a batch as %v, %v", all, err)
			}
		}
	})
}

func TestConcurrentScore(t *testing.T) {
	c := loadRef(t)[0]
	m, err := Fit(context.Background(), dense(c.X), Config{K: c.K})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, q := range c.Q {
				s, err := m.Score(q)
				assert.NoError(t, err)
				relClose(t, c.QueryLOF[i], s, "concurrent query %d", i)
			}
		}()
	}
	wg.Wait()
}

func TestScoreAllocs(t *testing.T) {
	testenv.SkipAllocs(t)
	c := loadRef(t)[0]
	m, err := Fit(context.Background(), dense(c.X), Config{K: c.K, Standardize: true})
	require.NoError(t, err)
	q := c.Q[0]
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.Score(q) }))
}

func TestUnfittedModel(t *testing.T) {
	var m Model
	s, err := m.Score([]float64{1})
	assert.True(t, math.IsNaN(s), "Score returns NaN on error")
	assert.EqualError(t, err, "lof: model is not fitted: use Fit or UnmarshalBinary")
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = m.ScoreBatch(mat.NewDense(1, 1, nil))
	assert.ErrorIs(t, err, ErrNotFitted)
	assert.ErrorIs(t, m.ScoreTo(make([]float64, 1), mat.NewDense(1, 1, nil)), ErrNotFitted)
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, Error{Pkg: "lof", Kind: ErrNotFitted, Row: -1, Col: -1, Msg: "model is not fitted: use Fit or UnmarshalBinary"}, *e)
	_, err = m.MarshalBinary()
	assert.ErrorIs(t, err, ErrNotFitted)
}

// Values whose squares overflow would turn distances into +Inf and scores
// into NaN: they are refused with the row and column named.
func TestHugeValues(t *testing.T) {
	X := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, -1e300, 7, 8})
	_, err := Fit(context.Background(), X, Config{K: 1})
	assert.ErrorIs(t, err, ErrNonFinite)
	assert.ErrorContains(t, err, "lof: row 2 column 1 is -1e+300")
	X.Set(2, 1, 6)
	m, err := Fit(context.Background(), X, Config{K: 1})
	require.NoError(t, err)
	_, err = m.Score([]float64{1e200, 0})
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = m.ScoreBatch(mat.NewDense(1, 2, []float64{0, 1e200}))
	assert.ErrorIs(t, err, ErrNonFinite)
}
