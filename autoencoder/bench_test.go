package autoencoder

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkFit trains the default network (10 epochs, batches of 32) on
// 2,000 rows of 32 features; compare with
// benchmarks/scripts/sklearn_autoencoder.py --time on a shared set.
func BenchmarkFit(b *testing.B) {
	X := latent(1, 2000, 32)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(context.Background(), X, Config{Seed: 1, Workers: w}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkScore(b *testing.B) {
	X := latent(1, 2000, 32)
	m, err := Fit(context.Background(), X, Config{Seed: 1, Epochs: 1})
	if err != nil {
		b.Fatal(err)
	}
	x := X.RawRowView(7)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Score(x); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScoreTo(b *testing.B) {
	X := latent(1, 20000, 32)
	m, err := Fit(context.Background(), X, Config{Seed: 1, Epochs: 1})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, 20000)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.ScoreTo(dst, X); err != nil {
			b.Fatal(err)
		}
	}
}
