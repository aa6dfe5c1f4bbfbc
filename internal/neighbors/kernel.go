package neighbors

// dots2x4Go is the portable form of the dot-product kernel: for each of nq
// groups of four rows of b (stride p), the dot products of a0 and a1 with
// them go to o0 and o1. Eight independent sums keep the FPU busy.
func dots2x4Go(a0, a1, b []float64, nq, p int, o0, o1 []float64) {
	a0, a1 = a0[:p], a1[:p]
	for g := 0; g < nq; g++ {
		r := b[4*g*p : 4*(g+1)*p]
		b0, b1, b2, b3 := r[:p], r[p:2*p], r[2*p:3*p], r[3*p:4*p]
		var s00, s01, s02, s03, s10, s11, s12, s13 float64
		for j, x := range a0 {
			y := a1[j]
			s00 += x * b0[j]
			s01 += x * b1[j]
			s02 += x * b2[j]
			s03 += x * b3[j]
			s10 += y * b0[j]
			s11 += y * b1[j]
			s12 += y * b2[j]
			s13 += y * b3[j]
		}
		o := o0[4*g : 4*g+4]
		o[0], o[1], o[2], o[3] = s00, s01, s02, s03
		o = o1[4*g : 4*g+4]
		o[0], o[1], o[2], o[3] = s10, s11, s12, s13
	}
}

// dots writes out[i*ldo+j] = a_i·b_j for na rows of a and nb rows of b,
// both with stride p (a multiple of 4).
func dots(a []float64, na int, b []float64, nb, p int, out []float64, ldo int, spare []float64) {
	nq := nb / 4
	for i := 0; i < na; i += 2 {
		a0 := a[i*p : (i+1)*p]
		o0 := out[i*ldo : i*ldo+nb]
		a1, o1 := a0, spare[:nb]
		if i+1 < na {
			a1 = a[(i+1)*p : (i+2)*p]
			o1 = out[(i+1)*ldo : (i+1)*ldo+nb]
		}
		dots2x4(a0, a1, b, nq, p, o0, o1)
		for j := 4 * nq; j < nb; j++ {
			bj := b[j*p : (j+1)*p]
			var s0, s1 float64
			for t, y := range bj {
				s0 += a0[t] * y
				s1 += a1[t] * y
			}
			o0[j], o1[j] = s0, s1
		}
	}
}

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
