package neighbors

import "math"

var inf = math.Inf(1)

func sqrt(x float64) float64 { return math.Sqrt(x) }

// dist2 is the squared Euclidean distance. Below wideDim columns it sums in
// column order, the order scikit-learn's trees use; from wideDim up it keeps
// four partial sums, which breaks the chain of dependent additions that
// otherwise bounds its speed. Every search path uses this one function, so
// the methods agree bit for bit. The explicit conversions keep the compiler
// from fusing multiply-adds, so results do not depend on the platform.
func dist2(a, b []float64) float64 {
	b = b[:len(a)]
	if len(a) >= wideDim {
		var s0, s1, s2, s3 float64
		j := 0
		for ; j+4 <= len(a); j += 4 {
			t0 := a[j] - b[j]
			t1 := a[j+1] - b[j+1]
			t2 := a[j+2] - b[j+2]
			t3 := a[j+3] - b[j+3]
			s0 += float64(t0 * t0)
			s1 += float64(t1 * t1)
			s2 += float64(t2 * t2)
			s3 += float64(t3 * t3)
		}
		for ; j < len(a); j++ {
			t := a[j] - b[j]
			s0 += float64(t * t)
		}
		return (s0 + s1) + (s2 + s3)
	}
	var s float64
	for j, x := range a {
		t := x - b[j]
		s += float64(t * t)
	}
	return s
}

const wideDim = 16

// dist2x4 is dist2 of q against four consecutive rows of width d in r. Each
// sum keeps dist2's order, so the results are bit-identical to four dist2
// calls; the four independent chains just run in parallel.
func dist2x4(q, r []float64) (s0, s1, s2, s3 float64) {
	d := len(q)
	if d >= wideDim {
		return dist2(q, r[:d]), dist2(q, r[d:2*d]), dist2(q, r[2*d:3*d]), dist2(q, r[3*d:4*d])
	}
	r = r[:4*d]
	r0, r1, r2, r3 := r[:d], r[d:2*d], r[2*d:3*d], r[3*d:4*d]
	for j, x := range q {
		t0 := x - r0[j]
		t1 := x - r1[j]
		t2 := x - r2[j]
		t3 := x - r3[j]
		s0 += float64(t0 * t0)
		s1 += float64(t1 * t1)
		s2 += float64(t2 * t2)
		s3 += float64(t3 * t3)
	}
	return
}
