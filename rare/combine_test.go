package rare

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCombiner(t *testing.T) {
	var c Combiner
	assert.Equal(t, 1.0, c.Rare(), "nothing added")

	c.Add(0.003, 1)
	assert.InDelta(t, 0.003, c.Rare(), 1e-15, "one value: its own probability")
	c.Reset()
	c.Add(0.01, 20)
	assert.InDelta(t, math.Pow(0.01, 1+math.Log(20)), c.FreqRare(), 1e-15, "one value used 20 times")
	assert.InDelta(t, 0.01, c.Rare(), 1e-15, "rare ignores hits")

	// Two values, p = 0.01 and 0.5, one use each. Threshold 0.01: k = 1 of
	// m = 2, P(K ≥ 1) = 1 − 0.99² = 0.0199. Threshold 0.5: k = m = 2,
	// P = 0.25. Smallest 0.0199, times H_2 = 1.5: 0.02985.
	c.Reset()
	c.Add(0.5, 1)
	c.Add(0.01, 1)
	assert.InDelta(t, 1.5*(1-0.99*0.99), c.Rare(), 1e-12)

	// Three values all at 0.1 (one threshold): 0.1³.
	c.Reset()
	for range 3 {
		c.Add(0.1, 1)
	}
	assert.InDelta(t, 1e-3, c.Rare(), 1e-15)

	// More rare values make the entity more anomalous; many common ones
	// dilute a single rare one.
	c.Reset()
	c.Add(0.001, 1)
	one := c.Rare()
	c.Add(0.002, 1)
	assert.Less(t, c.Rare(), one)
	c.Reset()
	c.Add(0.001, 1)
	for range 50 {
		c.Add(0.9, 1)
	}
	assert.Greater(t, c.Rare(), one)

	// Frequent use of rare values outweighs occasional use.
	c.Reset()
	c.Add(0.01, 2)
	c.Add(0.8, 30)
	occasional := c.FreqRare()
	c.Reset()
	c.Add(0.01, 30)
	c.Add(0.8, 2)
	assert.Less(t, c.FreqRare(), occasional)

	// Bad arguments are clamped, never NaN.
	c.Reset()
	c.Add(math.NaN(), 0)
	c.Add(-1, -5)
	p := c.FreqRare()
	assert.False(t, math.IsNaN(p))
	assert.True(t, p >= 0 && p <= 1)
}

func TestCombinerNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	var c Combiner
	for range 8 {
		c.Add(0.5, 1)
	}
	allocs := testing.AllocsPerRun(100, func() {
		c.Reset()
		for i := range 8 {
			c.Add(float64(i+1)/10, i+1)
		}
		_ = c.Rare() + c.FreqRare()
	})
	assert.Zero(t, allocs)
}
