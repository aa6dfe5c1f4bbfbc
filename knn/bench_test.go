package knn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func gaussian(n, d int, seed uint64) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 2))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return mat.NewDense(n, d, x)
}

// BenchmarkScore is the latency of one new point against a 50,000-row
// model, K=5.
func BenchmarkScore(b *testing.B) {
	for _, d := range []int{10, 100} {
		b.Run(fmt.Sprintf("n=50000/d=%d", d), func(b *testing.B) {
			m, err := Fit(context.Background(), gaussian(50000, d, 1), Config{Workers: 2})
			if err != nil {
				b.Fatal(err)
			}
			qs := gaussian(1024, d, 2)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := m.Score(qs.RawRowView(i & 1023)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkFit scores all points against the others, one worker.
func BenchmarkFit(b *testing.B) {
	for _, c := range []struct{ n, d int }{{20000, 10}, {5000, 100}} {
		b.Run(fmt.Sprintf("n=%d/d=%d", c.n, c.d), func(b *testing.B) {
			X := gaussian(c.n, c.d, 3)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(context.Background(), X, Config{Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
