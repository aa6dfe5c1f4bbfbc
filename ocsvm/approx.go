package ocsvm

import (
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/parallel"
	"github.com/vigil-ml/vigil/internal/rng"
)

// featureModel is the random Fourier feature map and the weights of the
// linear one-class SVM on it: decision(x) = Σ w_l·cos(ω_l·x + b_l) − ρ,
// with √(2/D) folded into w. (A Nyström model needs none of this: its
// decision function is Σ u_l·K(landmark_l, x) − ρ, the form of the exact
// model, so it is stored as one.)
type featureModel struct {
	omega []float64 // D×d frequencies
	phase []float64 // D phases in [0, 2π)
	w     []float64 // D weights
}

func (f *featureModel) width() int { return 0 }

func (f *featureModel) decision(x, _ []float64) float64 {
	d := len(x)
	var s float64
	for l, w := range f.w {
		s += w * math.Cos(dot(x, f.omega[l*d:l*d+d])+f.phase[l])
	}
	return s
}

// Random streams of an approximation, derived from Config.Seed.
const (
	streamLandmarks = iota
	streamSample
	streamShuffle
	streamFourier
)

// fitApprox maps the (standardised) rows and trains the linear one-class
// SVM by SGD.
func (m *Model) fitApprox(ctx context.Context, data []float64, n, d int) error {
	// The landmark kernel and its eigendecomposition take a while and do
	// not poll ctx, so a context cancelled before Fit must stop here.
	if err := ctx.Err(); err != nil {
		return err
	}
	cfg := m.cfg
	// What the map will hold, checked before anything is allocated: the
	// mapped sample (float32) and, for Nyström, the landmark kernel matrix,
	// its eigenvectors and the projection (float64 each).
	ns, c := int64(min(n, cfg.TrainRows)), int64(cfg.Components)
	need := ns*c*4 + c*int64(d)*8
	if cfg.Approximation == Nystroem {
		c = min(c, int64(n))
		need = ns*c*4 + 3*c*c*8
	}
	if lim := check.MemoryLimit(); need > lim {
		return check.Errorf(pkg, ErrConfig, "Components %d with TrainRows %d need %d bytes, more than the %d bytes this process can hold", cfg.Components, cfg.TrainRows, need, lim)
	}
	// The training sample: every row, or TrainRows drawn at random.
	sample := make([]int, n)
	for i := range sample {
		sample[i] = i
	}
	if n > cfg.TrainRows {
		r := rng.New(cfg.Seed, streamSample)
		for i := 0; i < cfg.TrainRows; i++ {
			j := i + r.IntN(n-i)
			sample[i], sample[j] = sample[j], sample[i]
		}
		sample = sample[:cfg.TrainRows]
		slices.Sort(sample)
	}
	var (
		z     []float32 // len(sample)×r mapped rows
		r     int
		build func(w []float64)
		err   error
	)
	switch cfg.Approximation {
	case Nystroem:
		z, r, build, err = m.nystroem(ctx, data, n, d, sample)
	default:
		z, r, build, err = m.fourier(ctx, data, d, sample)
	}
	if err != nil {
		return err
	}
	w, rho, steps, obj, err := sgd(ctx, z, len(sample), r, cfg)
	if err != nil {
		return err
	}
	build(w)
	m.rho, m.iter, m.obj, m.gap = rho, steps, obj, math.NaN()
	return nil
}

// nystroem draws Components landmarks, maps the sample rows to
// z = Λ^(−1/2)·Uᵀ·k(x), where K(landmarks) = UΛUᵀ and k(x) holds the
// kernel values of x with the landmarks, and returns a builder that turns
// the weights w into the landmark coefficients u = U·Λ^(−1/2)·w.
func (m *Model) nystroem(ctx context.Context, data []float64, n, d int, sample []int) ([]float32, int, func([]float64), error) {
	nl := min(m.cfg.Components, n)
	rs := rng.New(m.cfg.Seed, streamLandmarks)
	perm := rs.Perm(n)[:nl]
	slices.Sort(perm)
	land := make([]float64, nl*d)
	for l, i := range perm {
		copy(land[l*d:l*d+d], data[i*d:i*d+d])
	}
	kll := mat.NewSymDense(nl, nil)
	for a := 0; a < nl; a++ {
		for b := a; b < nl; b++ {
			kll.SetSym(a, b, m.kern.eval(land[a*d:a*d+d], land[b*d:b*d+d]))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(kll, true) {
		return nil, 0, nil, check.Errorf(pkg, ErrConfig, "the landmark kernel matrix has no eigendecomposition")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	// Directions with eigenvalues at rounding level carry no kernel
	// information, only noise amplified by Λ^(−1/2): they are left out.
	top := vals[len(vals)-1]
	var keep []int
	for c, v := range vals {
		if v > 1e-10*top && v > 0 {
			keep = append(keep, c)
		}
	}
	r := len(keep)
	if r == 0 {
		return nil, 0, nil, check.Errorf(pkg, ErrConfig, "the landmark kernel matrix is zero")
	}
	// P = Λ^(−1/2)Uᵀ, r×nl, rows padded to a multiple of 4 for the kernels.
	pl := (nl + 3) &^ 3
	P := make([]float64, r*pl)
	for q, c := range keep {
		s := 1 / math.Sqrt(vals[c])
		for l := 0; l < nl; l++ {
			P[q*pl+l] = vecs.At(l, c) * s
		}
	}
	ns := len(sample)
	z := make([]float32, ns*r)
	// Two rows at a time share the loads of P; blocks hold an even number
	// of rows, so every value is computed the same way for any Workers.
	err := parallel.For(ctx, ns, 64, m.cfg.Workers, func(lo, hi int) {
		k0, k1 := make([]float64, pl), make([]float64, pl)
		z0, z1 := make([]float64, r), make([]float64, r)
		kern := func(t int, k []float64) {
			x := data[sample[t]*d : sample[t]*d+d]
			for l := 0; l < nl; l++ {
				k[l] = m.kern.eval(x, land[l*d:l*d+d])
			}
		}
		put := func(t int, zr []float64) {
			for q, v := range zr {
				z[t*r+q] = float32(v)
			}
		}
		t := lo
		for ; t+1 < hi; t += 2 {
			kern(t, k0)
			kern(t+1, k1)
			dots2(k0, k1, P, pl, 0, r, z0, z1)
			put(t, z0)
			put(t+1, z1)
		}
		if t < hi {
			kern(t, k0)
			dots(k0, P, pl, 0, r, z0)
			put(t, z0)
		}
	})
	if err != nil {
		return nil, 0, nil, err
	}
	build := func(w []float64) {
		u := make([]float64, nl)
		for q := range r {
			for l := 0; l < nl; l++ {
				u[l] += P[q*pl+l] * w[q]
			}
		}
		m.sv, m.coef, m.svIndex = land, u, perm
	}
	return z, r, build, nil
}

// fourier draws Components random Fourier features of the RBF kernel,
// ω ~ N(0, 2γI) and b ~ U(0, 2π), and maps the sample rows to
// √(2/D)·cos(ωx + b).
func (m *Model) fourier(ctx context.Context, data []float64, d int, sample []int) ([]float32, int, func([]float64), error) {
	D := m.cfg.Components
	rs := rng.New(m.cfg.Seed, streamFourier)
	f := &featureModel{omega: make([]float64, D*d), phase: make([]float64, D), w: make([]float64, D)}
	sd := math.Sqrt(2 * m.kern.gamma)
	for i := range f.omega {
		f.omega[i] = rs.NormFloat64() * sd
	}
	for i := range f.phase {
		f.phase[i] = rs.Float64() * 2 * math.Pi
	}
	scale := math.Sqrt(2 / float64(D))
	ns := len(sample)
	z := make([]float32, ns*D)
	err := parallel.For(ctx, ns, 64, m.cfg.Workers, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			x := data[sample[t]*d : sample[t]*d+d]
			for l := 0; l < D; l++ {
				z[t*D+l] = float32(scale * math.Cos(dot(x, f.omega[l*d:l*d+d])+f.phase[l]))
			}
		}
	})
	if err != nil {
		return nil, 0, nil, err
	}
	build := func(w []float64) {
		for l := range f.w {
			f.w[l] = w[l] * scale
		}
		m.fm = f
	}
	return z, D, build, nil
}

// sgd minimises the linear one-class SVM primal, scaled by ν as
// scikit-learn's SGDOneClassSVM,
//
//	J(w, ρ) = ν/2·‖w‖² − ν·ρ + (1/n)·Σ max(0, ρ − w·zᵢ),
//
// by stochastic subgradient steps of size 1/(ν(t + t₀)) over Epochs
// shuffled passes, and returns the average of the iterates of the second
// half of the passes (Polyak–Ruppert averaging, taken every avgEvery
// steps), which removes most of the noise of the last steps. w is kept as
// a·v so that the shrinking of every step costs O(1).
func sgd(ctx context.Context, z []float32, n, r int, cfg Config) (w []float64, rho float64, steps int, obj float64, err error) {
	const avgEvery = 8
	nu := cfg.Nu
	v := make([]float64, r)
	a := 1.0
	avgW := make([]float64, r)
	var avgRho float64
	navg := 0
	// t₀ makes the first step 1, the scale of the features (‖z‖² ≈ K(x,x)
	// = 1 for the RBF kernel).
	t0 := 1 / nu
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rs := rng.New(cfg.Seed, streamShuffle)
	startAvg := cfg.Epochs / 2
	t := 0
	cur := func() []float64 {
		out := make([]float64, r)
		for q := range v {
			out[q] = a * v[q]
		}
		return out
	}
	for e := 0; e < cfg.Epochs; e++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, 0, 0, err
		}
		rs.Shuffle(n, func(x, y int) { order[x], order[y] = order[y], order[x] })
		for _, i := range order {
			zi := z[i*r : i*r+r]
			eta := 1 / (nu * (float64(t) + t0))
			var s float64
			for q, x := range zi {
				s += v[q] * float64(x)
			}
			s *= a
			a *= 1 - eta*nu
			if rho-s > 0 {
				c := eta / a
				for q, x := range zi {
					v[q] += c * float64(x)
				}
				rho -= eta * (1 - nu)
			} else {
				rho += eta * nu
			}
			if a < 1e-6 {
				for q := range v {
					v[q] *= a
				}
				a = 1
			}
			t++
			if e >= startAvg && t%avgEvery == 0 {
				navg++
				f := 1 / float64(navg)
				for q := range v {
					avgW[q] += (a*v[q] - avgW[q]) * f
				}
				avgRho += (rho - avgRho) * f
			}
		}
		if cfg.Progress != nil {
			cfg.Progress(Progress{Iteration: e + 1, Objective: primal(z, n, r, cur(), rho, nu), Gap: math.NaN()})
		}
	}
	if navg == 0 {
		// Too few steps to average: the last iterate.
		avgW, avgRho = cur(), rho
	}
	return avgW, avgRho, t, primal(z, n, r, avgW, avgRho, nu), nil
}

// primal is J(w, ρ) over the n mapped rows.
func primal(z []float32, n, r int, w []float64, rho, nu float64) float64 {
	var hinge, ww float64
	for i := 0; i < n; i++ {
		var s float64
		for q, v := range z[i*r : i*r+r] {
			s += w[q] * float64(v)
		}
		hinge += max(0, rho-s)
	}
	for _, v := range w {
		ww += v * v
	}
	return nu/2*ww - nu*rho + hinge/float64(n)
}
