package testenv

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Normal returns n rows of d standard normal values.
func Normal(n, d int, seed uint64) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 2))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return mat.NewDense(n, d, x)
}

// Fitter fits a detector on X with the given worker count.
type Fitter func(X *mat.Dense, workers int) (Scorer, error)

// BenchScore is the latency of one new point against a model of 50,000
// standard normal rows, d = 10 and 100: the novelty-detection hot path.
func BenchScore(b *testing.B, fit Fitter) {
	for _, d := range []int{10, 100} {
		b.Run(fmt.Sprintf("n=50000/d=%d", d), func(b *testing.B) {
			m, err := fit(Normal(50000, d, 1), 2)
			if err != nil {
				b.Fatal(err)
			}
			ScoreLatency(b, m, Normal(1024, d, 2))
		})
	}
}

// ScoreLatency times Score on the rows of Q in turn (up to 1024 of them).
func ScoreLatency(b *testing.B, m Scorer, Q *mat.Dense) {
	n, _ := Q.Dims()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := m.Score(Q.RawRowView(i % n)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchFit fits on standard normal data of each shape, one worker.
func BenchFit(b *testing.B, fit Fitter, shapes ...[2]int) {
	for _, s := range shapes {
		b.Run(fmt.Sprintf("n=%d/d=%d", s[0], s[1]), func(b *testing.B) {
			X := Normal(s[0], s[1], 3)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := fit(X, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Dense builds a matrix from rows.
func Dense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// RelClose fails t unless got equals the reference want to 1e-9 relative.
func RelClose(t testing.TB, want, got float64, msg string, args ...any) {
	t.Helper()
	if want == got {
		return
	}
	if math.Abs(want-got) > 1e-9*math.Max(math.Abs(want), math.Abs(got)) {
		t.Errorf("%s: got %v, reference %v", fmt.Sprintf(msg, args...), got, want)
	}
}

// LoadJSON decodes the reference file at path into v.
func LoadJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
