package neighbors

// gemm6x8Go is the portable form of the packed 6×8 kernel (see k6x8).
func gemm6x8Go(a, b []float64, d, np int, c []float64, ldc int) {
	a = a[:6*d]
	var acc [6][8]float64
	for q := 0; q < np; q++ {
		acc = [6][8]float64{}
		p := b[8*d*q : 8*d*(q+1)]
		for j := 0; j < d; j++ {
			bj := p[8*j : 8*j+8]
			aj := a[6*j : 6*j+6]
			for i, x := range aj {
				row := &acc[i]
				for r, y := range bj {
					row[r] += x * y
				}
			}
		}
		for i := range acc {
			copy(c[i*ldc+8*q:i*ldc+8*q+8], acc[i][:])
		}
	}
}

func firstRowGo(g, rn []float64, t float64, start int) int {
	rn = rn[:len(g)]
	for j := start; j < len(g); j++ {
		if g[j]+rn[j] <= t {
			return j
		}
	}
	return len(g)
}

func firstColGo(g, tc []float64, ni float64, start int) int {
	tc = tc[:len(g)]
	for j := start; j < len(g); j++ {
		if g[j]+ni <= tc[j] {
			return j
		}
	}
	return len(g)
}

// gemm1x8Go is the portable form of k1x8.
func gemm1x8Go(a, b []float64, d, np int, c []float64) {
	a = a[:d]
	for q := 0; q < np; q++ {
		var acc [8]float64
		p := b[8*d*q : 8*d*(q+1)]
		for j, x := range a {
			bj := p[8*j : 8*j+8]
			for r, y := range bj {
				acc[r] += x * y
			}
		}
		copy(c[8*q:8*q+8], acc[:])
	}
}
