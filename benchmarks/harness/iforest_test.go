package harness

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
)

// The registered iforest entry finds planted outliers and is reproducible
// per seed.
func TestIForestEntry(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n, d, out = 600, 4, 12
	X := mat.NewDense(n, d, nil)
	labels := make([]bool, n)
	for i := range n {
		for j := range d {
			v := r.NormFloat64()
			if i < out {
				v = 8 + r.NormFloat64()
			}
			X.Set(i, j, v)
		}
		labels[i] = i < out
	}
	det, ok := Lookup("iforest")
	require.True(t, ok)
	res, err := Run(context.Background(), &dataset.Dataset{Name: "planted", X: X, Labels: labels}, det,
		Config{Seeds: []uint64{0, 1}, Options: Options{Trees: 50}})
	require.NoError(t, err)
	assert.Greater(t, res.ROCAUC, 0.99)

	s1, err := det.Fit(context.Background(), X, 3, Options{Trees: 20, Workers: 1})
	require.NoError(t, err)
	s2, err := det.Fit(context.Background(), X, 3, Options{Trees: 20, Workers: 2})
	require.NoError(t, err)
	a, err := s1(context.Background())
	require.NoError(t, err)
	b, err := s2(context.Background())
	require.NoError(t, err)
	assert.Equal(t, a, b)

	assert.Equal(t, map[string]any{"trees": 100, "sample_size": 256}, det.Params(Options{}))
}
