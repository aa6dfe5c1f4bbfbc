package neighbors

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// withoutFMA runs f as on a machine without the FMA kernel, with the dot
// products through gonum's BLAS or through the portable Go kernels.
func withoutFMA(blas bool, f func()) {
	savedFMA, savedBLAS := hasFMA, portableBLAS
	hasFMA, portableBLAS = false, blas
	defer func() { hasFMA, portableBLAS = savedFMA, savedBLAS }()
	f()
}

// The portable paths must give the same neighbours as the assembly ones.
func TestPortableKernels(t *testing.T) {
	const n, d, k = 500, 20, 6
	data := testData(n, d, 21)
	want, wantIdx, err := New(data, n, d, Brute).Train(context.Background(), k, 2)
	require.NoError(t, err)
	for _, blas := range []bool{true, false} {
		withoutFMA(blas, func() {
			ix := New(data, n, d, Brute)
			require.Equal(t, blas, ix.brute.rt != nil)
			got, gotIdx, err := ix.Train(context.Background(), k, 2)
			require.NoError(t, err)
			require.Equal(t, want, got)
			require.Equal(t, wantIdx, gotIdx)
			s := ix.NewScratch(k)
			dist, idx := make([]float64, k), make([]int32, k)
			require.NoError(t, ix.Search(data[:d], s, dist, idx))
			wd, wi := naive(data, n, d, data[:d], -1, k)
			require.Equal(t, wd, dist)
			require.Equal(t, wi, idx)
			q := testData(60, d, 5)
			qd, qi := make([]float64, 60*k), make([]int32, 60*k)
			require.NoError(t, ix.Query(context.Background(), q, 60, k, 1, qd, qi))
			for i := 0; i < 60; i += 7 {
				wd, wi := naive(data, n, d, q[i*d:(i+1)*d], -1, k)
				require.Equal(t, wd, qd[i*k:(i+1)*k])
				require.Equal(t, wi, qi[i*k:(i+1)*k])
			}
		})
	}
}

// BenchmarkPortable compares the two paths of machines without the FMA
// kernel, gonum's BLAS and the portable Go kernels, on brute-force Train,
// K=20, one worker.
func BenchmarkPortable(b *testing.B) {
	for _, d := range []int{10, 100} {
		const n = 5000
		data := uniform(n, d, 7)
		for _, blas := range []bool{true, false} {
			name := map[bool]string{true: "gonum-blas", false: "go-kernel"}[blas]
			b.Run(fmt.Sprintf("d=%d/%s", d, name), func(b *testing.B) {
				withoutFMA(blas, func() {
					ix := New(data, n, d, Brute)
					c0 := cpuTime()
					for b.Loop() {
						if _, _, err := ix.Train(context.Background(), 20, 1); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
				})
			})
		}
	}
}
