package lof

import (
	"context"
	"testing"

	"github.com/vigil-ml/vigil/internal/testenv"
	"gonum.org/v1/gonum/mat"
)

func fitK20(X *mat.Dense, workers int) (testenv.Scorer, error) {
	return Fit(context.Background(), X, Config{Workers: workers})
}

// BenchmarkScore is the latency of one new point against a 50,000-row
// model, K=20: the novelty-detection hot path.
func BenchmarkScore(b *testing.B) { testenv.BenchScore(b, fitK20) }

// BenchmarkFit is LOF on all points, one worker.
func BenchmarkFit(b *testing.B) {
	testenv.BenchFit(b, fitK20, [2]int{20000, 5}, [2]int{20000, 10}, [2]int{5000, 100})
}

func BenchmarkScoreBatch(b *testing.B) {
	m, err := Fit(context.Background(), testenv.Normal(50000, 10, 1), Config{})
	if err != nil {
		b.Fatal(err)
	}
	qs := testenv.Normal(10000, 10, 2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.ScoreBatch(qs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScoreCover is the latency of one new point against a LOF model of
// 50,000 rows of the cover set (d=10), scoring rows the model has not seen.
func BenchmarkScoreCover(b *testing.B) {
	cover := testenv.Data(b, "cover").X
	X := testenv.Rows(cover, 0, 5, 50000)
	Q := testenv.Rows(cover, 1, 5, 1024)
	m, err := Fit(context.Background(), X, Config{Workers: 2})
	if err != nil {
		b.Fatal(err)
	}
	testenv.ScoreLatency(b, m, Q)
}
