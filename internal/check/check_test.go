package check

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func TestDense(t *testing.T) {
	X := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6})
	data, n, d, err := Dense("t", X)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Equal(t, 2, d)
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6}, data)
	data[0] = 99
	assert.Equal(t, 1.0, X.At(0, 0), "Dense must copy")

	// A strided view and a non-raw matrix give the same layout.
	big := mat.NewDense(4, 3, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	view := big.Slice(1, 3, 1, 3)
	data, n, d, err = Dense("t", view)
	require.NoError(t, err)
	assert.Equal(t, []float64{4, 5, 7, 8}, data)
	assert.Equal(t, 2, n)
	assert.Equal(t, 2, d)
	data, _, _, err = Dense("t", view.T())
	require.NoError(t, err)
	assert.Equal(t, []float64{4, 7, 5, 8}, data)
}

func TestDenseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		X    mat.Matrix
		kind error
		msg  string
	}{
		{"nil", nil, ErrEmpty, "t: nil matrix"},
		{"empty", &mat.Dense{}, ErrEmpty, "t: matrix has no rows"},
		{"nan", mat.NewDense(2, 2, []float64{1, 2, 3, math.NaN()}), ErrNonFinite, "t: row 1 column 1 is NaN"},
		{"inf", mat.NewDense(2, 2, []float64{1, math.Inf(1), 3, 4}), ErrNonFinite, "t: row 0 column 1 is +Inf"},
		{"-inf", mat.NewDense(1, 1, []float64{math.Inf(-1)}), ErrNonFinite, "t: row 0 column 0 is -Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := Dense("t", tc.X)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.kind), "%v is not %v", err, tc.kind)
			assert.Equal(t, tc.msg, err.Error())
		})
	}
	_, _, err := DenseWidth("t", mat.NewDense(1, 3, nil), 2)
	assert.ErrorIs(t, err, ErrDimension)
	assert.EqualError(t, err, "t: matrix has 3 features, model was fit on 2")
}

func TestRow(t *testing.T) {
	assert.NoError(t, Row("t", []float64{1, 2}, 2))
	assert.ErrorIs(t, Row("t", []float64{1}, 2), ErrDimension)
	assert.ErrorIs(t, Row("t", []float64{1, math.NaN()}, 2), ErrNonFinite)
}

func TestView(t *testing.T) {
	X := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	data, n, err := View("t", X, 2)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, []float64{1, 2, 3, 4}, data)
	// A strided view cannot be used in place and is copied.
	big := mat.NewDense(3, 3, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8})
	data, _, err = View("t", big.Slice(1, 3, 1, 3), 2)
	require.NoError(t, err)
	assert.Equal(t, []float64{4, 5, 7, 8}, data)
	X.Set(1, 0, math.Inf(1))
	_, _, err = View("t", X, 2)
	assert.EqualError(t, err, "t: row 1 column 0 is +Inf")
	_, _, err = View("t", X, 3)
	assert.ErrorIs(t, err, ErrDimension)
}

func TestBounded(t *testing.T) {
	assert.NoError(t, Bounded("t", []float64{1e150, -1e150, 0, 3}, 2))
	err := Bounded("t", []float64{0, 1, -2e150, 3}, 2)
	assert.ErrorIs(t, err, ErrNonFinite)
	assert.EqualError(t, err, "t: row 1 column 0 is -2e+150, beyond ±1e+150 where squared distances overflow: rescale the data")
}

// errors.As gives the position of a bad value; errors.Is still matches the
// sentinel; errors without a position say so with -1.
func TestErrorPosition(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		row, col int
		kind     error
	}{
		{"dense", Finite("t", []float64{1, 2, 3, math.NaN()}, 2), 1, 1, ErrNonFinite},
		{"row", Row("t", []float64{0, 0, math.Inf(1)}, 3), 0, 2, ErrNonFinite},
		{"bounded", Bounded("t", []float64{0, 1, -2e150, 3}, 2), 1, 0, ErrNonFinite},
		{"config", Errorf("t", ErrConfig, "K is %d", 0), -1, -1, ErrConfig},
		{"unfitted", NotFitted("t"), -1, -1, ErrNotFitted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *Error
			require.True(t, errors.As(tc.err, &e))
			assert.Equal(t, "t", e.Pkg)
			assert.Equal(t, tc.row, e.Row)
			assert.Equal(t, tc.col, e.Col)
			assert.ErrorIs(t, tc.err, tc.kind)
			wrapped := fmt.Errorf("loading: %w", tc.err)
			require.True(t, errors.As(wrapped, &e))
			assert.Equal(t, tc.row, e.Row)
		})
	}
	assert.EqualError(t, NotFitted("knn"), "knn: model is not fitted: use Fit or UnmarshalBinary")
	assert.False(t, errors.Is(NotFitted("knn"), ErrConfig), "not fitted is its own kind")
}

func TestAlloc(t *testing.T) {
	assert.NoError(t, Alloc("t", "rows", 1000, 8))
	for _, tc := range []struct{ count, size int }{
		{math.MaxInt/2 + 1, 8},       // overflows
		{min(1<<50, math.MaxInt), 1}, // beyond any address space
		{int(MemoryLimit()), 2},      // twice the limit
		{-1, 8},
	} {
		err := Alloc("t", "rows", tc.count, tc.size)
		assert.ErrorIs(t, err, ErrConfig, "%d×%d", tc.count, tc.size)
	}
	assert.Positive(t, MemoryLimit())
}

// A matrix claiming more rows than memory holds is refused before the copy.
func TestDenseHuge(t *testing.T) {
	_, _, _, err := Dense("t", claims{min(1<<40, math.MaxInt), 1 << 30})
	assert.ErrorIs(t, err, ErrConfig)
	_, _, err = DenseWidth("t", claims{min(1<<45, math.MaxInt), 3}, 3)
	assert.ErrorIs(t, err, ErrConfig)
}

type claims struct{ r, c int }

func (m claims) Dims() (int, int)    { return m.r, m.c }
func (m claims) At(int, int) float64 { return 0 }
func (m claims) T() mat.Matrix       { return mat.Transpose{Matrix: m} }
