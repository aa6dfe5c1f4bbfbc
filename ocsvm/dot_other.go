//go:build !amd64

package ocsvm

const hasFMA = false

func quads2(a0, a1, b []float64, nq, p int, o0, o1 []float64) {
	quads2Go(a0, a1, b, nq, p, o0, o1)
}

func quads1(a, b []float64, nq, p int, o []float64) { quads1Go(a, b, nq, p, o) }

func quadsSq(a, b []float64, nq, p int, o []float64) { quadsSqGo(a, b, nq, p, o) }
