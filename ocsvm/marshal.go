package ocsvm

import (
	"math"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/internal/parallel"
	"github.com/vigil-ml/vigil/internal/scale"
)

const (
	magic   = "VSVM"
	version = 1
)

// MarshalBinary encodes the model in Vigil's versioned binary format: the
// resolved configuration, the scaler, the support vectors (or landmarks, or
// Fourier features) with their coefficients, ρ and the fit's figures.
func (m *Model) MarshalBinary() ([]byte, error) {
	if !m.fitted() {
		return nil, check.NotFitted(pkg)
	}
	c := m.cfg
	e := codec.NewEncoder(magic, version)
	e.Int(m.dim)
	e.Int(m.n)
	e.Int(int(c.Kernel))
	e.Float64(m.kern.gamma)
	e.Float64(c.Coef0)
	e.Int(c.Degree)
	e.Float64(c.Nu)
	e.Float64(c.Tol)
	e.Int(c.CacheMiB)
	e.Int(c.MaxIter)
	e.Int(c.Workers)
	e.Int(int(c.Approximation))
	e.Int(c.Components)
	e.Int(c.Epochs)
	e.Int(c.TrainRows)
	e.Uint64(c.Seed)
	var mean, sc []float64
	if m.scaler != nil {
		mean, sc = m.scaler.Mean, m.scaler.Scale
	}
	e.Float64s(mean)
	e.Float64s(sc)
	idx := make([]int32, len(m.svIndex))
	for i, v := range m.svIndex {
		idx[i] = int32(v)
	}
	e.Int32s(idx)
	e.Float64s(m.sv)
	e.Float64s(m.coef)
	e.Float64(m.rho)
	e.Int(m.iter)
	e.Float64(m.gap)
	e.Float64(m.obj)
	e.Bool(m.stopped)
	var om, ph, w []float64
	if m.fm != nil {
		om, ph, w = m.fm.omega, m.fm.phase, m.fm.w
	}
	e.Float64s(om)
	e.Float64s(ph)
	e.Float64s(w)
	return e.Bytes(), nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// allFinite returns the index of the first non-finite value, or −1.
func allFinite(v []float64) int {
	for i, x := range v {
		if !finite(x) {
			return i
		}
	}
	return -1
}

// UnmarshalBinary decodes a model written by MarshalBinary. It checks every
// invariant Fit guarantees (parameters in range, support vectors finite,
// coefficients in (0, 1] summing to ν·n, indices ascending within the
// training rows, consistent sizes), so that a decoded model scores like the
// fitted one or the bytes are refused with ErrCorrupt; the model is left
// unchanged then. Workers 0 in the bytes means runtime.GOMAXPROCS(0).
func (m *Model) UnmarshalBinary(data []byte) error {
	dec, _, err := codec.NewDecoder(pkg, magic, version, data)
	if err != nil {
		return err
	}
	var out Model
	var c Config
	out.dim = dec.IntIn("feature count", 1, math.MaxInt32)
	out.n = dec.IntIn("training rows", 1, math.MaxInt32)
	c.Kernel = Kernel(dec.IntIn("kernel", int(RBF), int(Sigmoid)))
	gamma := dec.Float64()
	c.Coef0 = dec.Float64()
	c.Degree = dec.IntIn("degree", 1, maxDegree)
	c.Nu = dec.Float64()
	c.Tol = dec.Float64()
	c.CacheMiB = dec.IntIn("cache size", 1, 1<<30)
	c.MaxIter = dec.IntIn("iteration limit", 0, math.MaxInt)
	c.Workers = dec.IntIn("workers", 0, math.MaxInt32)
	c.Approximation = Approximation(dec.IntIn("approximation", int(Exact), int(Fourier)))
	c.Components = dec.IntIn("components", 0, 1<<16)
	c.Epochs = dec.IntIn("epochs", 0, 1<<20)
	c.TrainRows = dec.IntIn("train rows", 0, math.MaxInt32)
	c.Seed = dec.Uint64()
	mean := dec.Float64s()
	sc := dec.Float64s()
	idx := dec.Int32s()
	out.sv = dec.Float64s()
	out.coef = dec.Float64s()
	out.rho = dec.Float64()
	out.iter = dec.IntIn("iterations", 0, math.MaxInt)
	out.gap = dec.Float64()
	out.obj = dec.Float64()
	out.stopped = dec.Bool()
	om := dec.Float64s()
	ph := dec.Float64s()
	w := dec.Float64s()
	if err := dec.Err(); err != nil {
		return err
	}
	fail := func(format string, args ...any) error {
		return check.Errorf(pkg, ErrCorrupt, format, args...)
	}
	d := out.dim
	switch {
	case !(c.Nu > 0 && c.Nu <= 1):
		return fail("nu is %v, want (0, 1]", c.Nu)
	case !finite(c.Tol) || c.Tol <= 0:
		return fail("tolerance is %v", c.Tol)
	case !finite(c.Coef0):
		return fail("coef0 is %v", c.Coef0)
	case c.Kernel == Linear && gamma != 0:
		return fail("linear kernel with gamma %v", gamma)
	case c.Kernel != Linear && !(finite(gamma) && gamma > 0):
		return fail("gamma is %v", gamma)
	case !finite(out.rho):
		return fail("rho is %v", out.rho)
	case len(mean) != len(sc) || (len(mean) != 0 && len(mean) != d):
		return fail("scaler has %d means and %d scales for %d features", len(mean), len(sc), d)
	case len(idx) != len(out.coef) || len(out.sv) != len(out.coef)*d:
		return fail("%d support indices, %d coefficients and %d support values for %d features", len(idx), len(out.coef), len(out.sv), d)
	}
	if i := allFinite(mean); i >= 0 {
		return fail("scaler mean %d is %v", i, mean[i])
	}
	for j, v := range sc {
		if !finite(v) || v <= 0 {
			return fail("scaler scale %d is %v", j, v)
		}
	}
	if i := allFinite(out.sv); i >= 0 {
		return fail("support vector value %d is %v", i, out.sv[i])
	}
	for _, v := range out.sv {
		if math.Abs(v) > check.MaxDistanceValue {
			return fail("support vector value %g is beyond ±%g", v, check.MaxDistanceValue)
		}
	}
	if i := allFinite(out.coef); i >= 0 {
		return fail("coefficient %d is %v", i, out.coef[i])
	}
	out.svIndex = make([]int, len(idx))
	for i, v := range idx {
		if v < 0 || int(v) >= out.n || (i > 0 && v <= idx[i-1]) {
			return fail("support index %d is %d: indices must ascend within %d training rows", i, v, out.n)
		}
		out.svIndex[i] = int(v)
	}
	switch c.Approximation {
	case Exact:
		if c.Components != 0 || c.Epochs != 0 || c.TrainRows != 0 || len(om)+len(ph)+len(w) != 0 {
			return fail("exact model with approximation fields")
		}
		if len(out.coef) == 0 {
			return fail("exact model without support vectors")
		}
		var sum float64
		for i, a := range out.coef {
			if !(a > 0 && a <= 1) {
				return fail("coefficient %d is %v, want (0, 1]", i, a)
			}
			sum += a
		}
		// Σα = ν·n up to the rounding of the solver's updates.
		if want := c.Nu * float64(out.n); math.Abs(sum-want) > 1e-6*math.Max(1, want) {
			return fail("coefficients sum to %v, want ν·n = %v", sum, want)
		}
		if math.IsNaN(out.gap) {
			return fail("gap is NaN")
		}
	default:
		if c.Kernel != RBF || c.Components < 1 || c.Epochs < 1 || c.TrainRows < 1 {
			return fail("approximation with kernel %v, %d components, %d epochs, %d train rows", c.Kernel, c.Components, c.Epochs, c.TrainRows)
		}
		if out.stopped {
			return fail("approximation marked as stopped by MaxIter")
		}
	}
	switch c.Approximation {
	case Nystroem:
		if len(out.coef) != min(c.Components, out.n) || len(om)+len(ph)+len(w) != 0 {
			return fail("Nyström model with %d landmarks for %d components", len(out.coef), c.Components)
		}
	case Fourier:
		D := c.Components
		if len(out.coef) != 0 || len(w) != D || len(ph) != D || len(om) != D*d {
			return fail("Fourier model with %d weights, %d phases, %d frequencies for %d components of %d features", len(w), len(ph), len(om), D, d)
		}
		for _, v := range [][]float64{om, ph, w} {
			if i := allFinite(v); i >= 0 {
				return fail("Fourier feature value %d is %v", i, v[i])
			}
		}
		for _, v := range om {
			if math.Abs(v) > check.MaxDistanceValue {
				return fail("Fourier frequency %g is beyond ±%g", v, check.MaxDistanceValue)
			}
		}
		out.fm = &featureModel{omega: om, phase: ph, w: w}
	}
	if len(mean) > 0 {
		out.scaler = &scale.Scaler{Mean: mean, Scale: sc}
		// The bounds Fit's scalers keep: a scale of 1e-300 would blow
		// every sample up to the saturation bound.
		if err := out.scaler.Validate(d); err != nil {
			return fail("%v", err)
		}
	}
	c.Gamma = gamma
	c.Standardize = out.scaler != nil
	c.Workers = parallel.Workers(c.Workers)
	out.cfg = c
	out.kern = kernelFunc{kind: c.Kernel, gamma: gamma, coef0: c.Coef0, degree: c.Degree}
	*m = Model{}
	m.cfg, m.dim, m.n, m.kern, m.scaler = out.cfg, out.dim, out.n, out.kern, out.scaler
	m.sv, m.svIndex, m.coef, m.rho = out.sv, out.svIndex, out.coef, out.rho
	m.iter, m.gap, m.obj, m.stopped, m.fm = out.iter, out.gap, out.obj, out.stopped, out.fm
	m.initPool()
	return nil
}
