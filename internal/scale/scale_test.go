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
