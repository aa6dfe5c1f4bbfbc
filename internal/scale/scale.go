package scale

import "math"

// Scaler maps a row x to (x − Mean) / Scale column by column.
type Scaler struct {
	Mean, Scale []float64
}

// Fit computes the scaler of the n rows of width d in data (row-major).
func Fit(data []float64, n, d int) *Scaler {
	s := &Scaler{Mean: make([]float64, d), Scale: make([]float64, d)}
	for i := 0; i < n; i++ {
		for j, v := range data[i*d : i*d+d] {
			s.Mean[j] += v
		}
	}
	nf := float64(n)
	for j := range s.Mean {
		s.Mean[j] /= nf
	}
	// Two passes with the rounding correction of the first, the scheme
	// StandardScaler uses.
	corr := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range data[i*d : i*d+d] {
			t := v - s.Mean[j]
			corr[j] += t
			s.Scale[j] += t * t
		}
	}
	for j := range s.Scale {
		v := (s.Scale[j] - corr[j]*corr[j]/nf) / nf
		m := s.Mean[j]
		// StandardScaler's test for a constant column: a variance within
		// the rounding error of the mean and sum.
		bound := nf*eps*v + (nf*m*eps)*(nf*m*eps)
		if v <= bound {
			s.Scale[j] = 1
		} else {
			s.Scale[j] = math.Sqrt(v)
		}
	}
	return s
}

const eps = 0x1p-52

// Apply writes the standardised x into dst (both of width len(s.Mean)).
// dst may be x.
func (s *Scaler) Apply(dst, x []float64) {
	dst = dst[:len(s.Mean)]
	x = x[:len(dst)]
	for j, v := range x {
		dst[j] = (v - s.Mean[j]) / s.Scale[j]
	}
}

// ApplyRows standardises the n rows of data in place.
func (s *Scaler) ApplyRows(data []float64, n int) {
	d := len(s.Mean)
	for i := 0; i < n; i++ {
		s.Apply(data[i*d:(i+1)*d], data[i*d:(i+1)*d])
	}
}
