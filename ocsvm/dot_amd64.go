package ocsvm

import "golang.org/x/sys/cpu"

//go:noescape
func dot2x4(a0, a1, b *float64, nq, p int, o0, o1 *float64)

//go:noescape
func dot1x4(a, b *float64, nq, p int, o *float64)

// hasFMA selects the AVX2/FMA kernels.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// quads2 writes the dot products of a0 and a1 (length p, a multiple of 4)
// with the nq·4 rows of b (stride p) to o0 and o1.
func quads2(a0, a1, b []float64, nq, p int, o0, o1 []float64) {
	if nq == 0 {
		return
	}
	if !hasFMA {
		quads2Go(a0, a1, b, nq, p, o0, o1)
		return
	}
	_ = a0[p-1]
	_ = a1[p-1]
	_ = b[4*nq*p-1]
	_ = o0[4*nq-1]
	_ = o1[4*nq-1]
	dot2x4(&a0[0], &a1[0], &b[0], nq, p, &o0[0], &o1[0])
}

// quads1 is quads2 for one row.
func quads1(a, b []float64, nq, p int, o []float64) {
	if nq == 0 {
		return
	}
	if !hasFMA {
		quads1Go(a, b, nq, p, o)
		return
	}
	_ = a[p-1]
	_ = b[4*nq*p-1]
	_ = o[4*nq-1]
	dot1x4(&a[0], &b[0], nq, p, &o[0])
}

//go:noescape
func sqd1x4(a, b *float64, nq, p int, o *float64)

// quadsSq writes the squared distances of a (length p, a multiple of 4) to
// the nq·4 rows of b (stride p) to o.
func quadsSq(a, b []float64, nq, p int, o []float64) {
	if nq == 0 {
		return
	}
	if !hasFMA {
		quadsSqGo(a, b, nq, p, o)
		return
	}
	_ = a[p-1]
	_ = b[4*nq*p-1]
	_ = o[4*nq-1]
	sqd1x4(&a[0], &b[0], nq, p, &o[0])
}
