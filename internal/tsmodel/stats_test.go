package tsmodel

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestTTailAccuracy checks Wallace's approximation against gonum's exact
// Student-t survival function: within 15% where p ≥ 0.01, and in the far
// tails never below 0.8 of the exact value (it errs conservative) and
// within 10% on the log scale, for every ν the model uses.
func TestTTailAccuracy(t *testing.T) {
	for _, nu := range []float64{3, 4, 6, 10, 30, 100} {
		scale := math.Sqrt((nu - 2) / nu)
		d := distuv.StudentsT{Mu: 0, Sigma: scale, Nu: nu}
		for _, z := range []float64{0.1, 0.5, 1, 2, 3, 5, 8, 15, 30, 100, 1000} {
			exact := d.Survival(z)
			if exact < 1e-300 {
				continue
			}
			got := tTail(z, nu)
			if exact >= 1e-2 {
				if math.Abs(got/exact-1) > 0.15 {
					t.Errorf("ν=%v z=%v: tail %.4g, exact %.4g", nu, z, got, exact)
				}
				continue
			}
			if got < 0.8*exact || math.Abs(math.Log(got)-math.Log(exact)) > 0.1*math.Abs(math.Log(exact)) {
				t.Errorf("ν=%v z=%v: tail %.4g, exact %.4g", nu, z, got, exact)
			}
		}
	}
}

func TestTQuantile975(t *testing.T) {
	for _, nu := range []float64{3, 3.3, 5, 12.7, 60, 129} {
		want := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Quantile(0.975)
		if got := tQuantile975(nu); math.Abs(got-want) > 2e-3*want {
			t.Errorf("ν=%v: %v, want %v", nu, got, want)
		}
	}
	if got := tQuantile975(1e9); math.Abs(got-1.96) > 1e-3 {
		t.Errorf("ν→∞: %v", got)
	}
}

// TestCountTail checks the Poisson and negative-binomial tails against
// gonum's distributions.
func TestCountTail(t *testing.T) {
	for _, mu := range []float64{0.05, 0.7, 4, 25} {
		po := distuv.Poisson{Lambda: mu}
		for _, k := range []float64{0, 1, 2, 5, 10, 40} {
			wantHi := 1 - po.CDF(k-1)
			if k == 0 {
				wantHi = 1
			}
			if got := countTail(mu, mu, k, true); math.Abs(got-wantHi) > 1e-9+1e-6*wantHi {
				t.Errorf("Poisson(%v) P(X≥%v) = %v, want %v", mu, k, got, wantHi)
			}
			if got, want := countTail(mu, mu, k, false), po.CDF(k); math.Abs(got-want) > 1e-9 {
				t.Errorf("Poisson(%v) P(X≤%v) = %v, want %v", mu, k, got, want)
			}
		}
		// Negative binomial with variance 3·mu by direct summation of the pmf.
		v := 3 * mu
		r := mu * mu / (v - mu)
		pr := r / (r + mu)
		pmf := func(k int) float64 {
			lg := func(x float64) float64 { l, _ := math.Lgamma(x); return l }
			return math.Exp(lg(float64(k)+r) - lg(r) - lg(float64(k)+1) + r*math.Log(pr) + float64(k)*math.Log1p(-pr))
		}
		cdf := 0.0
		for k := 0; k <= 20; k++ {
			cdf += pmf(k)
			if got := countTail(mu, v, float64(k), false); math.Abs(got-cdf) > 1e-9 {
				t.Errorf("NB(mu=%v) P(X≤%d) = %v, want %v", mu, k, got, cdf)
			}
			if got, want := countTail(mu, v, float64(k+1), true), 1-cdf; math.Abs(got-want) > 1e-9 {
				t.Errorf("NB(mu=%v) P(X≥%d) = %v, want %v", mu, k+1, got, want)
			}
		}
	}
}
