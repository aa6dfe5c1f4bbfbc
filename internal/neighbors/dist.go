package neighbors

import "math"

var inf = math.Inf(1)

func sqrt(x float64) float64 { return math.Sqrt(x) }

// dist2 is the squared Euclidean distance summed in column order, the same
// order scikit-learn's trees use. The explicit conversion keeps the compiler
// from fusing the multiply-add, so results do not depend on the platform.
func dist2(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for j, x := range a {
		t := x - b[j]
		s += float64(t * t)
	}
	return s
}
