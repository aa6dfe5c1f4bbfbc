package testenv

import (
	"errors"
	"testing"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
	"gonum.org/v1/gonum/mat"
)

// Data loads the shared data set NAME the way every Vigil test looks data
// up (dataset.Named: $VIGIL_DATA as the data root or as the odds folder
// itself, else ../shared/data beside the module root), and skips tb with a
// message saying where it looked when the set is absent.
func Data(tb testing.TB, name string) *dataset.Dataset {
	tb.Helper()
	ds, err := dataset.Named(name)
	if errors.Is(err, dataset.ErrNotFound) {
		tb.Skipf("shared data set %s not found (set $%s to the data root or its odds folder, or place it in ../shared/data): %v", name, dataset.EnvVar, err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// Rows returns every step-th row of X from offset, at most max of them.
func Rows(X *mat.Dense, offset, step, max int) *mat.Dense {
	n, d := X.Dims()
	var data []float64
	for i := offset; i < n && len(data) < max*d; i += step {
		data = append(data, X.RawRowView(i)...)
	}
	return mat.NewDense(len(data)/d, d, data)
}
