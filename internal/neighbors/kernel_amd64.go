package neighbors

//go:noescape
func dot2x4(a0, a1, b *float64, nq, p int, o0, o1 *float64)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// hasFMA reports AVX2 and FMA support, with the OS saving YMM state.
var hasFMA = func() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, c1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if c1&fma == 0 || c1&osxsave == 0 || c1&avx == 0 {
		return false
	}
	if lo, _ := xgetbv(); lo&6 != 6 {
		return false
	}
	_, b7, _, _ := cpuid(7, 0)
	return b7&(1<<5) != 0
}()

func dots2x4(a0, a1, b []float64, nq, p int, o0, o1 []float64) {
	if nq == 0 {
		return
	}
	if !hasFMA {
		dots2x4Go(a0, a1, b, nq, p, o0, o1)
		return
	}
	// The bounds the assembly will touch.
	_ = a0[p-1]
	_ = a1[p-1]
	_ = b[4*nq*p-1]
	_ = o0[4*nq-1]
	_ = o1[4*nq-1]
	dot2x4(&a0[0], &a1[0], &b[0], nq, p, &o0[0], &o1[0])
}

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
