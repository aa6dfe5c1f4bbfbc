package ocsvm

import "math"

// kernelFunc is a kernel with its parameters resolved.
type kernelFunc struct {
	kind   Kernel
	gamma  float64
	coef0  float64
	degree int
}

// fromDot is the kernel as the solver computes it, from the dot product of
// two rows and, for RBF, their squared norms: exp(−γ(‖x‖² + ‖y‖² − 2⟨x,y⟩)),
// the expansion libsvm also uses while training.
func (k *kernelFunc) fromDot(dot, sqi, sqj float64) float64 {
	switch k.kind {
	case Linear:
		return dot
	case Poly:
		return powi(k.gamma*dot+k.coef0, k.degree)
	case Sigmoid:
		return math.Tanh(k.gamma*dot + k.coef0)
	}
	return math.Exp(-k.gamma * (sqi + sqj - 2*dot))
}

// eval is the kernel of two rows in full double precision, with the RBF
// distance summed from differences: the form used to score new points.
func (k *kernelFunc) eval(x, y []float64) float64 {
	y = y[:len(x)]
	if k.kind == RBF {
		var s0, s1 float64
		j := 0
		for ; j+1 < len(x); j += 2 {
			a := x[j] - y[j]
			b := x[j+1] - y[j+1]
			s0 += a * a
			s1 += b * b
		}
		if j < len(x) {
			a := x[j] - y[j]
			s0 += a * a
		}
		return fastExp(-k.gamma * (s0 + s1))
	}
	return k.fromDot(dot(x, y), 0, 0)
}

// powi is base^n for n ≥ 0 by binary exponentiation.
func powi(base float64, n int) float64 {
	r := 1.0
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r *= base
		}
		base *= base
	}
	return r
}

func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+3 < len(x); j += 4 {
		s0 += x[j] * y[j]
		s1 += x[j+1] * y[j+1]
		s2 += x[j+2] * y[j+2]
		s3 += x[j+3] * y[j+3]
	}
	for ; j < len(x); j++ {
		s0 += x[j] * y[j]
	}
	return (s0 + s1) + (s2 + s3)
}

// dots writes out[t] = ⟨xi, row lo+t of x⟩ for the rows [lo, hi) of the
// row-major x of stride p (a multiple of 4, zero-padded). Groups of four
// rows go to the vector kernel; the last hi−lo mod 4 rows are summed here.
func dots(xi, x []float64, p, lo, hi int, out []float64) {
	nq := (hi - lo) / 4
	quads1(xi, x[lo*p:], nq, p, out)
	for j := lo + 4*nq; j < hi; j++ {
		out[j-lo] = dot(xi, x[j*p:j*p+p])
	}
}

// dots2 is dots for two rows xa and xb at once, sharing the loads of x;
// every value equals the one dots computes.
func dots2(xa, xb, x []float64, p, lo, hi int, oa, ob []float64) {
	nq := (hi - lo) / 4
	quads2(xa, xb, x[lo*p:], nq, p, oa, ob)
	for j := lo + 4*nq; j < hi; j++ {
		r := x[j*p : j*p+p]
		oa[j-lo], ob[j-lo] = dot(xa, r), dot(xb, r)
	}
}

// quads1Go and quads2Go are the portable kernels: each dot product is one
// sum in order, so quads1Go and quads2Go agree.
func quads1Go(a, b []float64, nq, p int, o []float64) {
	a = a[:p]
	for g := 0; g < nq; g++ {
		r := b[4*g*p : 4*(g+1)*p]
		r0, r1, r2, r3 := r[:p], r[p:2*p], r[2*p:3*p], r[3*p:4*p]
		var s0, s1, s2, s3 float64
		for k, v := range a {
			s0 += v * r0[k]
			s1 += v * r1[k]
			s2 += v * r2[k]
			s3 += v * r3[k]
		}
		o[4*g], o[4*g+1], o[4*g+2], o[4*g+3] = s0, s1, s2, s3
	}
}

func quads2Go(a0, a1, b []float64, nq, p int, o0, o1 []float64) {
	a0, a1 = a0[:p], a1[:p]
	for g := 0; g < nq; g++ {
		r := b[4*g*p : 4*(g+1)*p]
		r0, r1, r2, r3 := r[:p], r[p:2*p], r[2*p:3*p], r[3*p:4*p]
		var a00, a01, a02, a03, a10, a11, a12, a13 float64
		for k, u := range a0 {
			v := a1[k]
			y0, y1, y2, y3 := r0[k], r1[k], r2[k], r3[k]
			a00 += u * y0
			a01 += u * y1
			a02 += u * y2
			a03 += u * y3
			a10 += v * y0
			a11 += v * y1
			a12 += v * y2
			a13 += v * y3
		}
		o0[4*g], o0[4*g+1], o0[4*g+2], o0[4*g+3] = a00, a01, a02, a03
		o1[4*g], o1[4*g+1], o1[4*g+2], o1[4*g+3] = a10, a11, a12, a13
	}
}

// rowBlock is the number of kernel values computed per inner pass, sized so
// that the dot products stay in L1.
const rowBlock = 256

// fillRow writes the float32 kernel values K(i, j), j in [lo, hi), of the
// row-major data x (width d, squared norms sq) into dst[lo:hi].
func (k *kernelFunc) fillRow(i int, x, sq []float64, d int, dst []float32, lo, hi int) {
	xi := x[i*d : i*d+d]
	var buf [rowBlock]float64
	for b := lo; b < hi; b += rowBlock {
		e := min(b+rowBlock, hi)
		blk := buf[:e-b]
		dots(xi, x, d, b, e, blk)
		k.transform(i, sq, blk, dst[b:e], b)
	}
}

// fillRow2 is fillRow for rows i0 and i1 over the same range; each value
// is computed exactly as fillRow computes it.
func (k *kernelFunc) fillRow2(i0, i1 int, x, sq []float64, d int, dst0, dst1 []float32, lo, hi int) {
	x0, x1 := x[i0*d:i0*d+d], x[i1*d:i1*d+d]
	var buf0, buf1 [rowBlock]float64
	for b := lo; b < hi; b += rowBlock {
		e := min(b+rowBlock, hi)
		dots2(x0, x1, x, d, b, e, buf0[:e-b], buf1[:e-b])
		k.transform(i0, sq, buf0[:e-b], dst0[b:e], b)
		k.transform(i1, sq, buf1[:e-b], dst1[b:e], b)
	}
}

// transform turns the dot products blk of row i with rows b.. into kernel
// values.
func (k *kernelFunc) transform(i int, sq, blk []float64, out []float32, b int) {
	out = out[:len(blk)]
	switch k.kind {
	case RBF:
		g, sqi := -k.gamma, sq[i]
		s := sq[b : b+len(blk)]
		for t, v := range blk {
			out[t] = float32(fastExp(g * (sqi + s[t] - 2*v)))
		}
	case Linear:
		for t, v := range blk {
			out[t] = float32(v)
		}
	default:
		for t, v := range blk {
			out[t] = float32(k.fromDot(v, 0, 0))
		}
	}
}

func quadsSqGo(a, b []float64, nq, p int, o []float64) {
	a = a[:p]
	for g := 0; g < nq; g++ {
		r := b[4*g*p : 4*(g+1)*p]
		r0, r1, r2, r3 := r[:p], r[p:2*p], r[2*p:3*p], r[3*p:4*p]
		var s0, s1, s2, s3 float64
		for k, v := range a {
			d0, d1, d2, d3 := v-r0[k], v-r1[k], v-r2[k], v-r3[k]
			s0 += d0 * d0
			s1 += d1 * d1
			s2 += d2 * d2
			s3 += d3 * d3
		}
		o[4*g], o[4*g+1], o[4*g+2], o[4*g+3] = s0, s1, s2, s3
	}
}
