package ocsvm

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkFit is the exact solver on Gaussian data (ν = 0.5 and 0.1,
// defaults otherwise) and the Nyström approximation on 50,000 rows. The
// comparison with libsvm on the shared sets is
// benchmarks/scripts/sklearn_ocsvm.py refs --go.
func BenchmarkFit(b *testing.B) {
	for _, c := range []struct {
		n, d    int
		nu      float64
		workers int
	}{{2000, 10, 0.5, 1}, {2000, 10, 0.1, 1}, {5000, 10, 0.5, 1}, {5000, 10, 0.5, 2}, {5000, 100, 0.5, 1}} {
		X := gaussian(c.n, c.d, 1)
		b.Run(fmt.Sprintf("exact/n=%d/d=%d/nu=%v/workers=%d", c.n, c.d, c.nu, c.workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(context.Background(), X, Config{Nu: c.nu, Workers: c.workers}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	X := gaussian(50000, 10, 2)
	for _, ap := range []Approximation{Nystroem, Fourier} {
		b.Run(fmt.Sprintf("%v/n=50000/d=10", ap), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(context.Background(), X, Config{Approximation: ap}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScore is the latency of one sample against a model of about
// 1,000 support vectors (exact, n = 2000, ν = 0.5) and against the 300
// landmarks of a Nyström model.
func BenchmarkScore(b *testing.B) {
	X := gaussian(2000, 10, 3)
	Q := gaussian(1024, 10, 4)
	for _, cfg := range []Config{{}, {Standardize: true}, {Approximation: Nystroem}, {Approximation: Fourier}} {
		m, err := Fit(context.Background(), X, cfg)
		if err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("%v/std=%v/sv=%d", cfg.Approximation, cfg.Standardize, len(m.coef))
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := m.Score(Q.RawRowView(i & 1023)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkScoreBatch scores 1,024 rows at once.
func BenchmarkScoreBatch(b *testing.B) {
	X := gaussian(2000, 10, 3)
	Q := gaussian(1024, 10, 4)
	m, err := Fit(context.Background(), X, Config{})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, 1024)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.ScoreTo(dst, Q); err != nil {
			b.Fatal(err)
		}
	}
}
