package scale

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFit(t *testing.T) {
	// Columns: 1,2,3,4 (mean 2.5, population sd sqrt(1.25)); constant 7;
	// -2,2,-2,2 (mean 0, sd 2).
	data := []float64{
		1, 7, -2,
		2, 7, 2,
		3, 7, -2,
		4, 7, 2,
	}
	s := Fit(data, 4, 3)
	assert.Equal(t, []float64{2.5, 7, 0}, s.Mean)
	assert.InDelta(t, 1.118033988749895, s.Scale[0], 1e-15)
	assert.Equal(t, 1.0, s.Scale[1], "a constant column keeps scale 1")
	assert.Equal(t, 2.0, s.Scale[2])
	x := []float64{4, 8, 1}
	s.Apply(x, x)
	assert.InDelta(t, 1.5/1.118033988749895, x[0], 1e-15)
	assert.Equal(t, 1.0, x[1])
	assert.Equal(t, 0.5, x[2])
	s.ApplyRows(data, 4)
	assert.Equal(t, []float64{0, 0, 0, 0}, []float64{data[1], data[4], data[7], data[10]})
}

func TestNearConstant(t *testing.T) {
	// Rounding noise around a large constant is treated as constant, as in
	// StandardScaler.
	v := 1e8
	data := []float64{v, math.Nextafter(v, 2*v), v, v}
	s := Fit(data, 4, 1)
	assert.Equal(t, 1.0, s.Scale[0])
}

// Standardised values saturate at ±Limit instead of overflowing: a value of
// 1e150 in a column of spread 1e-160 would otherwise become +Inf.
func TestApplySaturates(t *testing.T) {
	data := []float64{0, 1e-160, 0, 1e-160}
	s := Fit(data, 4, 1)
	// Squares of 5e-161 are subnormal: few digits survive.
	assert.InEpsilon(t, 5e-161, s.Scale[0], 1e-4)
	for _, tc := range []struct{ x, want float64 }{{1e150, Limit}, {-1e150, -Limit}, {1e-160, 1}} {
		z := []float64{tc.x}
		s.Apply(z, z)
		assert.InEpsilon(t, tc.want, z[0], 1e-4, "%v", tc.x)
	}
}

// Squares of deviations near the bound summed over many rows would
// overflow; the scale stays the exact standard deviation.
func TestFitHugeValues(t *testing.T) {
	n := 1000
	data := make([]float64, n)
	for i := range data {
		data[i] = 1e150
		if i%2 == 1 {
			data[i] = -1e150
		}
	}
	s := Fit(data, n, 1)
	assert.Equal(t, 0.0, s.Mean[0])
	assert.InDelta(t, 1e150, s.Scale[0], 1e136)
	assert.NoError(t, s.Validate(1))
}

func TestValidate(t *testing.T) {
	good := &Scaler{Mean: []float64{0, 1}, Scale: []float64{1, 2}}
	assert.NoError(t, good.Validate(2))
	for _, tc := range []struct {
		name string
		s    *Scaler
		d    int
	}{
		{"width", good, 3},
		{"tiny scale", &Scaler{Mean: []float64{0}, Scale: []float64{1e-300}}, 1},
		{"zero scale", &Scaler{Mean: []float64{0}, Scale: []float64{0}}, 1},
		{"huge scale", &Scaler{Mean: []float64{0}, Scale: []float64{1e200}}, 1},
		{"nan mean", &Scaler{Mean: []float64{math.NaN()}, Scale: []float64{1}}, 1},
		{"huge mean", &Scaler{Mean: []float64{1e200}, Scale: []float64{1}}, 1},
	} {
		assert.Error(t, tc.s.Validate(tc.d), tc.name)
	}
}
