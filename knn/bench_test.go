package knn

import (
	"context"
	"testing"

	"github.com/vigil-ml/vigil/internal/testenv"
	"gonum.org/v1/gonum/mat"
)

func fitK5(X *mat.Dense, workers int) (testenv.Scorer, error) {
	return Fit(context.Background(), X, Config{Workers: workers})
}

// BenchmarkScore is the latency of one new point against a 50,000-row
// model, K=5.
func BenchmarkScore(b *testing.B) { testenv.BenchScore(b, fitK5) }

// BenchmarkFit scores all points against the others, one worker.
func BenchmarkFit(b *testing.B) { testenv.BenchFit(b, fitK5, [2]int{20000, 10}, [2]int{5000, 100}) }
