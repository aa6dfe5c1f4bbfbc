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
		return math.Exp(-k.gamma * (s0 + s1))
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
// row-major x of width d. Four rows at a time share each load of xi.
func dots(xi, x []float64, d, lo, hi int, out []float64) {
	xi = xi[:d]
	out = out[:hi-lo]
	t := 0
	j := lo
	for ; j+3 < hi; j += 4 {
		r0 := x[j*d : j*d+d]
		r1 := x[(j+1)*d : (j+1)*d+d]
		r2 := x[(j+2)*d : (j+2)*d+d]
		r3 := x[(j+3)*d : (j+3)*d+d]
		var s0, s1, s2, s3 float64
		for k, v := range xi {
			s0 += v * r0[k]
			s1 += v * r1[k]
			s2 += v * r2[k]
			s3 += v * r3[k]
		}
		out[t], out[t+1], out[t+2], out[t+3] = s0, s1, s2, s3
		t += 4
	}
	for ; j < hi; j++ {
		r := x[j*d : j*d+d]
		var s float64
		for k, v := range xi {
			s += v * r[k]
		}
		out[t] = s
		t++
	}
}

// rowBlock is the number of kernel values computed per inner pass, sized so
// that the dot products stay in L1.
const rowBlock = 256

// fillRow writes the float32 kernel values K(i, j), j in [lo, hi), of the
// row-major data x (width d, squared norms sq) into dst[lo:hi].
func (k *kernelFunc) fillRow(i int, x, sq []float64, d int, dst []float32, lo, hi int) {
	xi := x[i*d : i*d+d]
	sqi := sq[i]
	var buf [rowBlock]float64
	for b := lo; b < hi; b += rowBlock {
		e := min(b+rowBlock, hi)
		blk := buf[:e-b]
		dots(xi, x, d, b, e, blk)
		out := dst[b:e]
		switch k.kind {
		case RBF:
			g := -k.gamma
			s := sq[b:e]
			for t, v := range blk {
				out[t] = float32(math.Exp(g * (sqi + s[t] - 2*v)))
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
}
