package harness

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
	"github.com/vigil-ml/vigil/ocsvm"
)

// The registered ocsvm entry finds planted outliers, gives the same scores
// for any worker count, and switches to Nyström above ocsvmExactMaxN rows.
func TestOCSVMEntry(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n, d, out = 600, 4, 12
	X := mat.NewDense(n, d, nil)
	labels := make([]bool, n)
	for i := range n {
		for j := range d {
			v := r.NormFloat64()
			if i < out {
				v = 6 + r.NormFloat64()
			}
			X.Set(i, j, v)
		}
		labels[i] = i < out
	}
	det, ok := Lookup("ocsvm")
	require.True(t, ok)
	res, err := Run(context.Background(), &dataset.Dataset{Name: "planted", X: X, Labels: labels}, det, Config{})
	require.NoError(t, err)
	assert.Greater(t, res.ROCAUC, 0.99)

	s1, err := det.Fit(context.Background(), X, 0, Options{Workers: 1})
	require.NoError(t, err)
	s2, err := det.Fit(context.Background(), X, 0, Options{Workers: 2})
	require.NoError(t, err)
	a, _ := s1(context.Background())
	b, _ := s2(context.Background())
	assert.Equal(t, a, b)

	assert.Equal(t, ocsvm.Exact, ocsvmConfig(ocsvmExactMaxN, 0, Options{}).Approximation)
	assert.Equal(t, ocsvm.Nystroem, ocsvmConfig(ocsvmExactMaxN+1, 0, Options{}).Approximation)
	assert.Equal(t, 0.5, det.Params(Options{})["nu"])
}
