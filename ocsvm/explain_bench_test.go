package ocsvm_test

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/ocsvm"
)

// BenchmarkExplain is Explain of one row beside Score of the same row, so
// that its cost reads as a multiple of a score: the exact model (ν = 0.5,
// about 300 support vectors) and the Nyström and Fourier approximations on
// 10 features.
func BenchmarkExplain(b *testing.B) {
	X := plane(600, 10, 1)
	x := mat.Row(nil, 3, X)
	x[4] += 4
	for _, c := range []struct {
		name string
		cfg  ocsvm.Config
	}{
		{"exact", ocsvm.Config{Standardize: true}},
		{"nystroem", ocsvm.Config{Standardize: true, Approximation: ocsvm.Nystroem}},
		{"fourier", ocsvm.Config{Standardize: true, Approximation: ocsvm.Fourier}},
	} {
		m, err := ocsvm.Fit(context.Background(), X, c.cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/Explain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Explain(x); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/Score", func(b *testing.B) {
			for b.Loop() {
				if _, err := m.Score(x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
