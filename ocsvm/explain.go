package ocsvm

import (
	"math"
	"slices"

	"github.com/vigil-ml/vigil/internal/check"
)

// Explain returns one non-negative contribution per feature to the anomaly
// score of x, larger meaning more responsible, in the units of Score: the
// contribution of feature j is how far Score(x) falls when feature j alone
// is moved to the value the model finds most typical given the other
// features,
//
//	c_j = Score(x) − min_v Score(x with x_j = v)
//
// A row with one corrupted feature is thus explained by that feature: moving
// it back brings the row into the learnt region, while moving any other one
// cannot undo the corruption. This is a per-feature counterfactual rather than
// a gradient attribution on purpose: integrated gradients split Score(x) −
// Score(baseline) along a path, and on correlated features every feature
// that the path moves takes a share, whereas the score of a one-class SVM
// is flat outside its support, so gradients there say little.
//
// The minimum is found exactly enough and fast for each kind of model. With
// the RBF kernel (exact and Nyström models), fixing every feature but j
// leaves a one-dimensional mixture of Gaussians,
// Σ αᵢ·exp(−γ‖x−svᵢ‖²₋ⱼ)·exp(−γ(v − svᵢⱼ)²) − ρ, whose maximum is sought
// from the coordinates of the support vectors (landmarks) that weigh most
// on it, refined by mean-shift steps; the cost is a few dozen passes over
// the support vectors per feature. With the linear, polynomial and sigmoid
// kernels the candidates are x_j and seventeen quantiles of the support
// vectors' values of feature j. Fourier models have no support vectors; v
// is searched on a grid of ±8 kernel length-scales 1/√(2γ) around x_j,
// refined to a quarter length-scale; far from the data a Fourier model's
// decision is the noise of its random features, and so is its explanation.
// With Standardize, v is searched in the standardised space, which changes
// nothing in the result. Explain is deterministic.
//
// When x is so far from every support vector that no single feature can
// bring it back (two features corrupted far away, say), every c_j is 0
// within rounding; Explain then returns γ·(x_j − s_j)², the terms of the
// kernel exponent towards the support vector s nearest x, so that the
// features that keep x away still come first.
func (m *Model) Explain(x []float64) ([]float64, error) {
	if !m.fitted() {
		return nil, check.NotFitted(pkg)
	}
	if err := check.Row(pkg, x, m.dim); err != nil {
		return nil, err
	}
	if err := check.Bounded(pkg, x, len(x)); err != nil {
		return nil, err
	}
	d := m.dim
	xs := make([]float64, d)
	if m.scaler != nil {
		m.scaler.Apply(xs, x)
	} else {
		copy(xs, x)
	}
	var out []float64
	switch {
	case m.fm != nil:
		out = m.explainFourier(xs)
	case m.kern.kind == RBF:
		out = m.explainRBF(xs)
	default:
		out = m.explainDot(xs)
	}
	for j, v := range out {
		if !(v > 0) || math.IsInf(v, 0) {
			out[j] = 0
		}
	}
	return out, nil
}

// explainMeanShift is the number of mean-shift steps from the best candidate
// and explainCandidates the number of support vectors whose coordinate is a
// candidate, per feature.
const (
	explainMeanShift  = 8
	explainCandidates = 8
)

// explainRBF is Explain for a kernel expansion with the RBF kernel, x in
// the model's space.
func (m *Model) explainRBF(x []float64) []float64 {
	d, nsv, g := m.dim, len(m.coef), m.kern.gamma
	// dist[i] = ‖x − svᵢ‖²; the weights of the one-dimensional mixture
	// are kept as logarithms so that a far x does not underflow them all.
	dist := make([]float64, nsv)
	for i := range nsv {
		s := m.sv[i*d : i*d+d]
		var t float64
		for j, v := range x {
			e := v - s[j]
			t += e * e
		}
		dist[i] = t
	}
	logc := make([]float64, nsv)
	for i, c := range m.coef {
		logc[i] = math.Log(math.Abs(c))
	}
	out := make([]float64, d)
	logw := make([]float64, nsv) // log|aᵢⱼ| for the current j
	top := make([]int, 0, explainCandidates)
	act := make([]int, 0, nsv)
	for j := range d {
		for i := range nsv {
			e := x[j] - m.sv[i*d+j]
			logw[i] = logc[i] - g*(dist[i]-e*e)
		}
		// The 1-D decision with feature j at v, shifted by a common
		// factor exp(−shift) so that the largest weight is about 1.
		shift := math.Inf(-1)
		for _, v := range logw {
			shift = math.Max(shift, v)
		}
		if math.IsInf(shift, -1) {
			continue // all coefficients zero
		}
		// Support vectors whose weight is below e⁻³⁵ of the largest change
		// no candidate's value by more than nsv·e⁻³⁵ relative, and they are
		// most of them when x is far from the data in the other features.
		act = act[:0]
		for i, v := range logw {
			if v-shift > -35 {
				act = append(act, i)
			}
		}
		f := func(v float64) float64 {
			var s float64
			for _, i := range act {
				e := v - m.sv[i*d+j]
				s += math.Copysign(fastExp(logw[i]-shift-g*e*e), m.coef[i])
			}
			return s
		}
		base := f(x[j])
		best, bestV := base, x[j]
		top = topWeights(top[:0], logw, explainCandidates)
		for _, i := range top {
			if v := m.sv[i*d+j]; f(v) > best {
				best, bestV = f(v), v
			}
		}
		// Mean-shift climbs the mixture from the best candidate; a step is
		// kept only if it raises the decision (Nyström coefficients may be
		// negative, where mean-shift is not an ascent).
		// The pass that computes a step's weights also gives the decision
		// at the current v (their sum), so each step costs one pass.
		v := bestV
		for it := 0; it <= explainMeanShift; it++ {
			var num, den float64
			for _, i := range act {
				e := v - m.sv[i*d+j]
				w := math.Copysign(fastExp(logw[i]-shift-g*e*e), m.coef[i])
				num += w * m.sv[i*d+j]
				den += w
			}
			if it > 0 {
				if !(den > best) {
					break
				}
				best, bestV = den, v
			}
			if !(den > 0) {
				break
			}
			v = num / den
		}
		out[j] = (best - base) * math.Exp(shift)
	}
	if allZero(out) {
		m.nearestTerms(out, x, dist)
	}
	return out
}

// nearestTerms writes γ·(x_j − s_j)² for the support vector s nearest x
// among those with a positive coefficient.
func (m *Model) nearestTerms(out, x, dist []float64) {
	d := m.dim
	best := -1
	for i, t := range dist {
		if m.coef[i] > 0 && (best < 0 || t < dist[best]) {
			best = i
		}
	}
	if best < 0 {
		return
	}
	for j, v := range x {
		e := v - m.sv[best*d+j]
		out[j] = m.kern.gamma * e * e
	}
}

// topWeights appends to dst the indices of the k largest values of w,
// largest first (ties by index).
func topWeights(dst []int, w []float64, k int) []int {
	for i, v := range w {
		if len(dst) < k {
			dst = append(dst, i)
		} else if v <= w[dst[k-1]] {
			continue
		} else {
			dst[k-1] = i
		}
		for p := len(dst) - 1; p > 0 && w[dst[p]] > w[dst[p-1]]; p-- {
			dst[p], dst[p-1] = dst[p-1], dst[p]
		}
	}
	return dst
}

func allZero(v []float64) bool {
	for _, e := range v {
		if e > 0 {
			return false
		}
	}
	return true
}

// explainQuantiles is the number of quantiles of the support vectors'
// values tried for each feature with a dot-product kernel.
const explainQuantiles = 17

// explainDot is Explain for the linear, polynomial and sigmoid kernels:
// K depends on x only through ⟨x, svᵢ⟩, which moves by (v − x_j)·svᵢⱼ.
func (m *Model) explainDot(x []float64) []float64 {
	d, nsv := m.dim, len(m.coef)
	dots := make([]float64, nsv)
	for i := range nsv {
		dots[i] = dot(x, m.sv[i*d:i*d+d])
	}
	col := make([]float64, nsv)
	out := make([]float64, d)
	for j := range d {
		f := func(v float64) float64 {
			var s float64
			for i := range nsv {
				s += m.coef[i] * m.kern.fromDot(dots[i]+(v-x[j])*m.sv[i*d+j], 0, 0)
			}
			return s
		}
		for i := range nsv {
			col[i] = m.sv[i*d+j]
		}
		slices.Sort(col)
		base := f(x[j])
		best := base
		for q := range explainQuantiles {
			v := col[q*(nsv-1)/(explainQuantiles-1)]
			best = math.Max(best, f(v))
		}
		out[j] = best - base
	}
	return out
}

// explainFourier is Explain for random Fourier features: ω·x moves by
// (v − x_j)·ω_j, searched on a grid of ±8 length-scales 1/√(2γ) around x_j
// refined to a quarter length-scale.
func (m *Model) explainFourier(x []float64) []float64 {
	d, fm := m.dim, m.fm
	theta := make([]float64, len(fm.w))
	for l := range fm.w {
		theta[l] = dot(x, fm.omega[l*d:l*d+d]) + fm.phase[l]
	}
	ell := 1 / math.Sqrt(2*m.kern.gamma)
	out := make([]float64, d)
	grid := make([]float64, 17) // t = −8 … 8 length-scales
	for j := range d {
		f := func(delta float64) float64 {
			var s float64
			for l, w := range fm.w {
				s += w * math.Cos(theta[l]+delta*fm.omega[l*d+j])
			}
			return s
		}
		// A grid of whole length-scales, then two halvings around its best.
		// The grid's cosines come from one rotation per component:
		// cos(θ + (t+1)δ) and sin(θ + (t+1)δ) from those at t.
		clear(grid)
		for l, w := range fm.w {
			step := ell * fm.omega[l*d+j]
			c, sn := math.Cos(theta[l]-8*step), math.Sin(theta[l]-8*step)
			cd, sd := math.Cos(step), math.Sin(step)
			for t := range grid {
				grid[t] += w * c
				c, sn = c*cd-sn*sd, sn*cd+c*sd
			}
		}
		base := f(0)
		best, at := base, 0.0
		for t, v := range grid {
			if t != 8 && v > best {
				best, at = v, float64(t-8)*ell
			}
		}
		for _, h := range []float64{ell / 2, ell / 4} {
			c := at
			for _, v := range []float64{c - h, c + h} {
				if fv := f(v); fv > best {
					best, at = fv, v
				}
			}
		}
		out[j] = best - base
	}
	return out
}
