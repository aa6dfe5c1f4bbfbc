package rare

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHandComputed checks probabilities, shares and the typical share
// against numbers worked out by hand (see the comments).
func TestHandComputed(t *testing.T) {
	// Half-life of two buckets: a use at bucket b weighs 2^(−(4−b)/2) at
	// bucket 4. "a" used at 0..3: 2^-2 + 2^-1.5 + 2^-1 + 2^-0.5 = 1.81066;
	// "b" at 0: 0.25. History C = 2.06066, plus one observation of
	// pseudo-mass for unseen values: 3.06066.
	m, err := New(Config{BucketSpan: time.Minute, HalfLife: 2 * time.Minute, TieRatio: 1})
	require.NoError(t, err)
	for b := int64(0); b < 4; b++ {
		_, err := m.Observe(b, "h", "a")
		require.NoError(t, err)
		if b == 0 {
			_, err = m.Observe(b, "h", "b")
			require.NoError(t, err)
		}
	}
	a := 0.25 + math.Pow(2, -1.5) + 0.5 + math.Pow(2, -0.5)
	total := a + 0.25 + 1
	for _, tc := range []struct {
		value       string
		prob, share float64
		first       bool
	}{
		// b: bound 0.25 + max(1, √0.25) = 1.25 takes in b alone.
		{"b", (0.25 + 1) / total, 0.25 / total, false},
		// a: bound 1.81 + √1.81 takes in everything.
		{"a", 1, a / total, false},
		// never seen: bound 0 + 1 takes in b.
		{"new", (0.25 + 1) / total, 0, true},
	} {
		r, err := m.Observe(4, "h", tc.value)
		require.NoError(t, err)
		assert.InDelta(t, tc.prob, r.Probability, 1e-12, tc.value)
		assert.InDelta(t, tc.share, r.Share, 1e-12, tc.value)
		assert.InDelta(t, a/total, r.Typical, 1e-12, tc.value)
		assert.Equal(t, tc.first, r.FirstForEntity, tc.value)
		assert.InDelta(t, a+0.25, r.History, 1e-12)
		assert.Equal(t, int64(4), r.Age)
	}
}
