package ocsvm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fastExp must agree with math.Exp to a few ulp over the range kernel rows
// use, so that its float32 rounding is math.Exp's almost always.
func TestFastExp(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	worst := 0.0
	same := 0
	const n = 200000
	for i := 0; i < n; i++ {
		x := -r.Float64() * 120
		if i%4 == 0 {
			x = -r.Float64() * 2
		}
		want, got := math.Exp(x), fastExp(x)
		worst = math.Max(worst, math.Abs(got-want)/want)
		if float32(got) == float32(want) {
			same++
		}
	}
	if worst > 6e-16 {
		t.Errorf("relative error %.3g", worst)
	}
	if same < n-n/10000 {
		t.Errorf("float32 rounding differs on %d of %d", n-same, n)
	}
	for _, x := range []float64{0, 1e-300, -1e-300, 1, -745.2, -800, math.Inf(-1), 709, 2, -0.5} {
		want, got := math.Exp(x), fastExp(x)
		if math.Abs(got-want) > 6e-16*want {
			t.Errorf("fastExp(%v) = %v, want %v", x, got, want)
		}
	}
	if !math.IsNaN(fastExp(math.NaN())) {
		t.Error("NaN")
	}
}

func BenchmarkExp(b *testing.B) {
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = -float64(i) / 100
	}
	b.Run("math", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, x := range xs {
				s += math.Exp(x)
			}
		}
		_ = s
	})
	b.Run("fast", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, x := range xs {
				s += fastExp(x)
			}
		}
		_ = s
	})
}
