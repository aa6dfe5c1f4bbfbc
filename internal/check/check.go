package check

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Dense returns the rows of X copied into one row-major slice of n·d values,
// which is the layout every detector scans fastest. It rejects a nil or empty
// matrix, a matrix with no columns, and any NaN or ±Inf, naming the row and
// column. The result never aliases X.
func Dense(pkg string, X mat.Matrix) (data []float64, n, d int, err error) {
	data, n, d, err = denseNoCheck(pkg, X)
	if err != nil {
		return nil, 0, 0, err
	}
	if err := Finite(pkg, data, d); err != nil {
		return nil, 0, 0, err
	}
	return data, n, d, nil
}

// DenseWidth is Dense with the added requirement that X has d columns, as
// when scoring a batch against a fitted model.
func DenseWidth(pkg string, X mat.Matrix, want int) (data []float64, n int, err error) {
	if X == nil {
		return nil, 0, Errorf(pkg, ErrEmpty, "nil matrix")
	}
	r, c := X.Dims()
	if r > 0 && c != want {
		return nil, 0, Errorf(pkg, ErrDimension, "matrix has %d features, model was fit on %d", c, want)
	}
	data, n, _, err = Dense(pkg, X)
	return data, n, err
}

func denseNoCheck(pkg string, X mat.Matrix) ([]float64, int, int, error) {
	if X == nil {
		return nil, 0, 0, Errorf(pkg, ErrEmpty, "nil matrix")
	}
	n, d := X.Dims()
	if n == 0 {
		return nil, 0, 0, Errorf(pkg, ErrEmpty, "matrix has no rows")
	}
	if d == 0 {
		return nil, 0, 0, Errorf(pkg, ErrEmpty, "matrix has no columns")
	}
	if err := Alloc(pkg, fmt.Sprintf("a copy of the %d×%d matrix", n, d), n, 8*min(d, math.MaxInt/8)); err != nil {
		return nil, 0, 0, err
	}
	data := make([]float64, n*d)
	if rm, ok := X.(mat.RawMatrixer); ok {
		raw := rm.RawMatrix()
		for i := 0; i < n; i++ {
			copy(data[i*d:(i+1)*d], raw.Data[i*raw.Stride:i*raw.Stride+d])
		}
		return data, n, d, nil
	}
	for i := 0; i < n; i++ {
		row := data[i*d : (i+1)*d]
		for j := range row {
			row[j] = X.At(i, j)
		}
	}
	return data, n, d, nil
}

// Finite checks that every value of the row-major data (d columns) is finite.
func Finite(pkg string, data []float64, d int) error {
	for k, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ErrorAt(pkg, ErrNonFinite, k/d, k%d, "row %d column %d is %v", k/d, k%d, v)
		}
	}
	return nil
}

// Row checks one sample against the model width d. It does not allocate
// unless it returns an error.
func Row(pkg string, x []float64, d int) error {
	if len(x) != d {
		return Errorf(pkg, ErrDimension, "sample has %d features, model was fit on %d", len(x), d)
	}
	for j, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ErrorAt(pkg, ErrNonFinite, 0, j, "feature %d is %v", j, v)
		}
	}
	return nil
}

// View is DenseWidth without the copy where one is not needed: when X is a
// *mat.Dense whose rows are contiguous it returns X's own backing slice
// (read-only for the caller), so that scoring a batch allocates nothing.
func View(pkg string, X mat.Matrix, want int) (data []float64, n int, err error) {
	if X == nil {
		return nil, 0, Errorf(pkg, ErrEmpty, "nil matrix")
	}
	r, c := X.Dims()
	if r > 0 && c != want {
		return nil, 0, Errorf(pkg, ErrDimension, "matrix has %d features, model was fit on %d", c, want)
	}
	if dm, ok := X.(*mat.Dense); ok && r > 0 && c > 0 {
		raw := dm.RawMatrix()
		if raw.Stride == c {
			data = raw.Data[:r*c]
			if err := Finite(pkg, data, c); err != nil {
				return nil, 0, err
			}
			return data, r, nil
		}
	}
	return DenseWidth(pkg, X, want)
}

// MaxDistanceValue bounds the magnitude of values that distance-based
// detectors accept: squared differences of larger values overflow float64
// and would turn distances into +Inf and scores into NaN.
const MaxDistanceValue = 1e150

// Bounded checks that every value of the row-major data (d columns) has
// magnitude at most MaxDistanceValue. It does not allocate unless it returns
// an error.
func Bounded(pkg string, data []float64, d int) error {
	for k, v := range data {
		if v > MaxDistanceValue || v < -MaxDistanceValue {
			return ErrorAt(pkg, ErrNonFinite, k/d, k%d, "row %d column %d is %g, beyond ±%g where squared distances overflow: rescale the data", k/d, k%d, v, MaxDistanceValue)
		}
	}
	return nil
}
