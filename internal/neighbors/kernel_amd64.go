package neighbors

import "golang.org/x/sys/cpu"

// hasFMA reports AVX2 and FMA support with the OS saving YMM state, which
// x/sys/cpu checks; a variable so that tests can force the portable path.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func k6x8(a, b *float64, d, np int, c *float64, ldc int)

// gemm6x8 is k6x8 with the bounds it touches checked first.
func gemm6x8(a, b []float64, d, np int, c []float64, ldc int) {
	if np == 0 {
		return
	}
	if !hasFMA {
		gemm6x8Go(a, b, d, np, c, ldc)
		return
	}
	_ = a[6*d-1]
	_ = b[8*d*np-1]
	_ = c[5*ldc+8*np-1]
	k6x8(&a[0], &b[0], d, np, &c[0], ldc)
}

//go:noescape
func nextRow(g, rn []float64, t float64, start int) int

//go:noescape
func nextCol(g, tc []float64, ni float64, start int) int

// firstRow returns the first j ≥ start with g[j] + rn[j] ≤ t, or len(g).
func firstRow(g, rn []float64, t float64, start int) int {
	if !hasFMA {
		return firstRowGo(g, rn, t, start)
	}
	rn = rn[:len(g)]
	return nextRow(g, rn, t, start)
}

// firstCol returns the first j ≥ start with g[j] + ni ≤ tc[j], or len(g).
func firstCol(g, tc []float64, ni float64, start int) int {
	if !hasFMA {
		return firstColGo(g, tc, ni, start)
	}
	tc = tc[:len(g)]
	return nextCol(g, tc, ni, start)
}

//go:noescape
func k1x8(a, b *float64, d, np int, c *float64)

// gemm1x8 is k1x8 with the bounds it touches checked first.
func gemm1x8(a, b []float64, d, np int, c []float64) {
	if np == 0 {
		return
	}
	if !hasFMA {
		gemm1x8Go(a, b, d, np, c)
		return
	}
	_ = a[d-1]
	_ = b[8*d*np-1]
	_ = c[8*np-1]
	k1x8(&a[0], &b[0], d, np, &c[0])
}
