//go:build !amd64

package neighbors

const hasFMA = false

func dots2x4(a0, a1, b []float64, nq, p int, o0, o1 []float64) {
	dots2x4Go(a0, a1, b, nq, p, o0, o1)
}

func gemm6x8(a, b []float64, d, np int, c []float64, ldc int) {
	gemm6x8Go(a, b, d, np, c, ldc)
}

func firstRow(g, rn []float64, t float64, start int) int { return firstRowGo(g, rn, t, start) }

func firstCol(g, tc []float64, ni float64, start int) int { return firstColGo(g, tc, ni, start) }

func gemm1x8(a, b []float64, d, np int, c []float64) { gemm1x8Go(a, b, d, np, c) }
