package ocsvm

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The portable kernels (used where AVX2/FMA is missing) reach the same
// answers as scikit-learn too.
func TestPortableKernels(t *testing.T) {
	if !hasFMA {
		t.Skip("the portable kernels are already the ones in use")
	}
	hasFMA = false
	defer func() { hasFMA = true }()
	for _, c := range loadSmall(t) {
		m, err := Fit(context.Background(), dense(c.X), c.config(t))
		require.NoError(t, err, c.Name)
		assert.Equal(t, c.Support, m.SupportIndices(), c.Name)
		assert.Equal(t, c.NIter, m.Iterations(), c.Name)
		for i, q := range c.Q {
			v, err := m.Decision(q)
			require.NoError(t, err)
			assert.InDelta(t, c.QueryDecision[i], v, 1e-6*math.Max(1, math.Abs(c.Rho)), "%s query %d", c.Name, i)
		}
	}
	// And the vector kernels agree with them to rounding.
	hasFMA = true
	X := gaussian(257, 13, 5)
	data := X.RawMatrix().Data
	p := 16
	xp := make([]float64, 257*p)
	for i := 0; i < 257; i++ {
		copy(xp[i*p:i*p+13], data[i*13:i*13+13])
	}
	got := make([]float64, 256)
	want := make([]float64, 256)
	quads1(xp[:p], xp, 64, p, got)
	quads1Go(xp[:p], xp, 64, p, want)
	for i := range got {
		assert.InDelta(t, want[i], got[i], 1e-12*math.Max(1, math.Abs(want[i])))
	}
	g0, g1, w0, w1 := make([]float64, 256), make([]float64, 256), make([]float64, 256), make([]float64, 256)
	quads2(xp[:p], xp[p:2*p], xp, 64, p, g0, g1)
	quads2Go(xp[:p], xp[p:2*p], xp, 64, p, w0, w1)
	assert.Equal(t, got, g0, "dot2x4 and dot1x4 round alike")
	for i := range g1 {
		assert.InDelta(t, w1[i], g1[i], 1e-12*math.Max(1, math.Abs(w1[i])))
	}
	quadsSq(xp[:p], xp, 64, p, got)
	quadsSqGo(xp[:p], xp, 64, p, want)
	for i := range got {
		assert.InDelta(t, want[i], got[i], 1e-12*math.Max(1, math.Abs(want[i])))
	}
}
