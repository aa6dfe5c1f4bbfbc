package demo

import (
	"math"
	"math/rand/v2"
)

// Poisson draws a Poisson count of mean mu: Knuth's product of uniforms,
// or the rounded normal approximation above normalAbove (math.Inf(1):
// never), where the product would take mu steps.
func Poisson(r *rand.Rand, mu, normalAbove float64) int {
	if mu > normalAbove {
		return max(0, int(math.Round(mu+math.Sqrt(mu)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mu), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
