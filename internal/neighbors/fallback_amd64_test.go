package neighbors

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// The portable kernels must give the same neighbours as the assembly ones.
func TestPortableKernels(t *testing.T) {
	const n, d, k = 500, 20, 6
	data := testData(n, d, 21)
	want, wantIdx, err := New(data, n, d, Brute).Train(context.Background(), k, 2)
	require.NoError(t, err)
	saved := hasFMA
	hasFMA = false
	defer func() { hasFMA = saved }()
	got, gotIdx, err := New(data, n, d, Brute).Train(context.Background(), k, 2)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, wantIdx, gotIdx)
	ix := New(data, n, d, Brute)
	s := ix.NewScratch(k)
	dist, idx := make([]float64, k), make([]int32, k)
	ix.Search(data[:d], s, dist, idx)
	wd, wi := naive(data, n, d, data[:d], -1, k)
	require.Equal(t, wd, dist)
	require.Equal(t, wi, idx)
}
