package neighbors

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// continuous is a set of the shape issue 7 measured (19,020 × 10
// continuous, like MAGIC gamma): a three-cluster latent of dimension 4
// (4 to 8: from the tree's ground to brute force's) mapped to d columns, four of them skewed by exp, plus noise.
func continuous(n, d, latent int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 19))
	centre := make([][]float64, 3)
	for c := range centre {
		centre[c] = make([]float64, latent)
		for j := range centre[c] {
			centre[c][j] = 3 * r.NormFloat64()
		}
	}
	A := make([]float64, latent*d)
	for i := range A {
		A[i] = r.NormFloat64()
	}
	data := make([]float64, n*d)
	for i := 0; i < n; i++ {
		c := r.IntN(3)
		z := make([]float64, latent)
		for j := range z {
			z[j] = centre[c][j] + r.NormFloat64()
		}
		for j := 0; j < d; j++ {
			v := 0.5 * r.NormFloat64()
			for l := range z {
				v += z[l] * A[l*d+j]
			}
			if j < 4 {
				v = math.Exp(v / 4)
			}
			data[i*d+j] = v
		}
	}
	return data
}

// BenchmarkContinuous times the all-points K=20 search, one worker, on the
// 19k × 10 continuous set with each method and with Auto (whose time
// includes building the index and the chooser's calibration), to check
// that Auto lands on the faster method.
func BenchmarkContinuous(b *testing.B) {
	const n, d = 19020, 10
	for _, latent := range []int{4, 6, 8} {
		data := continuous(n, d, latent, 1)
		for _, m := range []Method{Tree, Brute, Auto} {
			b.Run(fmt.Sprintf("latent=%d/%v", latent, m), func(b *testing.B) {
				c0 := cpuTime()
				for b.Loop() {
					ix := New(data, n, d, m)
					if _, _, err := ix.Train(context.Background(), 20, 1); err != nil {
						b.Fatal(err)
					}
					if m == Auto {
						b.ReportMetric(float64(ix.Method()), "method(1=tree)")
					}
				}
				b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
