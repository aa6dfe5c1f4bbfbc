package benchmarks

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
	"github.com/vigil-ml/vigil/iforest"
)

// Inputs are built once per process: loading shuttle or generating 100k rows
// must not be charged to the first benchmark that happens to run.
var (
	shuttleOnce sync.Once
	shuttle     *mat.Dense
	shuttleErr  error

	genOnce sync.Once
	gen     *mat.Dense
)

func shuttleData(b *testing.B) *mat.Dense {
	b.Helper()
	shuttleOnce.Do(func() {
		ds, err := dataset.Named("shuttle")
		if err != nil {
			shuttleErr = err
			return
		}
		shuttle = ds.X
	})
	if shuttleErr != nil {
		if errors.Is(shuttleErr, dataset.ErrNotFound) {
			b.Skipf("shuttle not available (%v); set $%s", shuttleErr, dataset.EnvVar)
		}
		b.Fatal(shuttleErr)
	}
	return shuttle
}

// generated is a seeded 100,000×10 matrix: standard normal rows with 1% of
// them shifted, so that trees see a realistic mix of dense and sparse areas.
func generated() *mat.Dense {
	genOnce.Do(func() {
		const n, d = 100_000, 10
		r := rand.New(rand.NewPCG(42, 10))
		data := make([]float64, n*d)
		for i := range n {
			shift := 0.0
			if i%100 == 0 {
				shift = 6
			}
			for j := range d {
				data[i*d+j] = r.NormFloat64() + shift
			}
		}
		gen = mat.NewDense(n, d, data)
	})
	return gen
}

type input struct {
	name string
	X    func(*testing.B) *mat.Dense
}

var inputs = []input{
	{"shuttle", shuttleData},
	{"gen100kx10", func(*testing.B) *mat.Dense { return generated() }},
}

// cfg is scikit-learn's default forest, the configuration compared in the
// accuracy and speed runs.
var cfg = iforest.Config{Trees: 100, SampleSize: 256, Seed: 1}

func fit(b *testing.B, X *mat.Dense) *iforest.Model {
	b.Helper()
	m, err := iforest.Fit(context.Background(), X, cfg)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkIForestFit(b *testing.B) {
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			X := in.X(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := iforest.Fit(context.Background(), X, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIForestScore scores one row per op, cycling through the data so
// that branch prediction and caches see varied paths.
func BenchmarkIForestScore(b *testing.B) {
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			X := in.X(b)
			m := fit(b, X)
			n, _ := X.Dims()
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Score(X.RawRowView(i)); err != nil {
					b.Fatal(err)
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

// BenchmarkIForestScoreBatch scores every row per op; rows/s is reported so
// that sets of different sizes compare directly.
func BenchmarkIForestScoreBatch(b *testing.B) {
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			X := in.X(b)
			m := fit(b, X)
			n, _ := X.Dims()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.ScoreBatch(X); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkIForestFitScoreBatch is the unit of the scikit-learn speed
// comparison: fit on all rows, then score all rows.
func BenchmarkIForestFitScoreBatch(b *testing.B) {
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			X := in.X(b)
			b.ReportAllocs()
			for b.Loop() {
				m, err := iforest.Fit(context.Background(), X, cfg)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := m.ScoreBatch(X); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
