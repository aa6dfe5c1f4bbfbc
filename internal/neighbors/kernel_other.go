//go:build !amd64

package neighbors

const hasFMA = false

func gemm6x8(a, b []float64, d, np int, c []float64, ldc int) {
	gemm6x8Go(a, b, d, np, c, ldc)
}

func firstRow(g, rn []float64, t float64, start int) int { return firstRowGo(g, rn, t, start) }

func firstCol(g, tc []float64, ni float64, start int) int { return firstColGo(g, tc, ni, start) }

func gemm1x8(a, b []float64, d, np int, c []float64) { gemm1x8Go(a, b, d, np, c) }
