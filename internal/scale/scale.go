package scale

import (
	"fmt"
	"math"

	"github.com/vigil-ml/vigil/internal/check"
)

// Scaler maps a row x to (x − Mean) / Scale column by column, saturating at
// ±Limit.
type Scaler struct {
	Mean, Scale []float64
}

// Limit is the magnitude at which standardised values saturate: the bound
// the distance detectors accept on raw values, so that whatever reaches a
// neighbour search, scaled or not, has squared differences that cannot
// overflow.
const Limit = check.MaxDistanceValue

// MinScale and MaxScale bound the scales Fit can return for values within
// ±Limit: the square root of the smallest positive variance (2^-1074) and
// twice the largest possible standard deviation. A decoded scaler outside
// them was not made by Fit.
const (
	MinScale = 0x1p-537
	MaxScale = 2 * Limit
)

// Fit computes the scaler of the n rows of width d in data (row-major),
// whose values must be finite and within ±Limit.
func Fit(data []float64, n, d int) *Scaler {
	s := &Scaler{Mean: make([]float64, d), Scale: make([]float64, d)}
	peak := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range data[i*d : i*d+d] {
			s.Mean[j] += v
			peak[j] = max(peak[j], math.Abs(v))
		}
	}
	nf := float64(n)
	for j := range s.Mean {
		s.Mean[j] /= nf
	}
	// Squares of deviations near Limit summed over many rows overflow:
	// such columns are summed in units of 2^200, which is exact and loses
	// only deviations far below the ones that set the variance.
	unit := peak
	for j, p := range peak {
		unit[j] = 1
		if p > 1e100 {
			unit[j] = 0x1p-200
		}
	}
	// Two passes with the rounding correction of the first, the scheme
	// StandardScaler uses.
	corr := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range data[i*d : i*d+d] {
			t := (v - s.Mean[j]) * unit[j]
			corr[j] += t
			s.Scale[j] += t * t
		}
	}
	for j := range s.Scale {
		v := (s.Scale[j] - corr[j]*corr[j]/nf) / nf
		m := s.Mean[j] * unit[j]
		// StandardScaler's test for a constant column: a variance within
		// the rounding error of the mean and sum.
		bound := nf*eps*v + (nf*m*eps)*(nf*m*eps)
		if v <= bound {
			s.Scale[j] = 1
		} else {
			s.Scale[j] = math.Sqrt(v) / unit[j]
		}
	}
	return s
}

const eps = 0x1p-52

// Apply writes the standardised x into dst (both of width len(s.Mean)).
// dst may be x. A value more than Limit scales from the mean (possible only
// in a column of tiny spread) saturates at ±Limit: its row is then about
// Limit away from every training row, far beyond any training distance, so
// the detectors still rank it above all of them, with finite arithmetic.
func (s *Scaler) Apply(dst, x []float64) {
	dst = dst[:len(s.Mean)]
	x = x[:len(dst)]
	for j, v := range x {
		z := (v - s.Mean[j]) / s.Scale[j]
		if z > Limit {
			z = Limit
		} else if z < -Limit {
			z = -Limit
		}
		dst[j] = z
	}
}

// ApplyRows standardises the n rows of data in place.
func (s *Scaler) ApplyRows(data []float64, n int) {
	d := len(s.Mean)
	for i := 0; i < n; i++ {
		s.Apply(data[i*d:(i+1)*d], data[i*d:(i+1)*d])
	}
}

// Validate checks that s could have come from Fit on d columns: one mean and
// one scale per column, means within ±Limit, scales within [MinScale,
// MaxScale]. Decoders call it so that a crafted scaler cannot blow values up.
func (s *Scaler) Validate(d int) error {
	if len(s.Mean) != d || len(s.Scale) != d {
		return fmt.Errorf("scaler has %d means and %d scales for %d columns", len(s.Mean), len(s.Scale), d)
	}
	for j, m := range s.Mean {
		if !(m >= -Limit && m <= Limit) {
			return fmt.Errorf("scaler column %d has mean %v, outside ±%g", j, m, Limit)
		}
		if sc := s.Scale[j]; !(sc >= MinScale && sc <= MaxScale) {
			return fmt.Errorf("scaler column %d has scale %v, outside [%g, %g]", j, sc, MinScale, MaxScale)
		}
	}
	return nil
}
