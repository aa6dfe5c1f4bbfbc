package rare

import (
	"fmt"
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

// TestPopulationHand checks the population view by hand: a value's mass is
// the number of distinct entities that used it, each weighted by the decay
// since its last use, whatever the number of buckets it used it in.
func TestPopulationHand(t *testing.T) {
	m, err := New(Config{BucketSpan: time.Minute, HalfLife: time.Minute, TieRatio: 1})
	require.NoError(t, err)
	obs := func(b int64, e, v string) Result {
		r, err := m.Observe(b, e, v)
		require.NoError(t, err)
		return r
	}
	// "x": e1 at 0, 1, 2 (last use 2), e2 at 2; "y": e3 at 1.
	obs(0, "e1", "x")
	obs(1, "e1", "x")
	obs(1, "e3", "y")
	obs(2, "e1", "x")
	obs(2, "e2", "x")
	// At bucket 3, half-life one bucket: x = 2·0.5 = 1, y = 0.25.
	r := obs(3, "e4", "y")
	total := 1 + 0.25 + 1 // plus one user of pseudo-mass
	assert.InDelta(t, 0.25, r.Users, 1e-12)
	// y: bound 0.25 + max(1, 0.5) = 1.25 takes in x (1) and y.
	assert.InDelta(t, 1.0, r.PopProbability, 1e-12)
	assert.InDelta(t, 0.25/total, r.PopShare, 1e-12)
	r = obs(3, "e4", "z")
	assert.True(t, r.FirstForPopulation)
	assert.InDelta(t, 1.0, r.PopProbability, 1e-12, "bound 1 takes in everything")
	r = obs(3, "e1", "x")
	assert.InDelta(t, 1.0, r.Users, 1e-12)
	assert.False(t, r.FirstForPopulation)
}

// TestRenormalization runs through hundreds of half-lives (the decay scale
// is reset every 40) and checks a probability against the closed form.
func TestRenormalization(t *testing.T) {
	m, err := New(Config{BucketSpan: time.Minute, HalfLife: time.Minute, TieRatio: 1})
	require.NoError(t, err)
	// "a" every bucket, "b" every third bucket, up to bucket 299.
	for b := int64(0); b < 300; b++ {
		_, err := m.Observe(b, "h", "a")
		require.NoError(t, err)
		if b%3 == 0 {
			_, err = m.Observe(b, "h", "b")
			require.NoError(t, err)
		}
	}
	// At bucket 300 a use k buckets ago weighs 2^−k: a = Σ_{k≥1} 2^−k = 1
	// (to double precision), b = Σ_{j≥0} 2^−(3j+3) = 1/7.
	r, err := m.Observe(300, "h", "b")
	require.NoError(t, err)
	a, bb := 1.0, 1.0/7
	assert.InDelta(t, bb/(a+bb+1), r.Share, 1e-12)
	// b's bound 1/7 + 1 takes in a too.
	assert.InDelta(t, 1.0, r.Probability, 1e-12)
	assert.InDelta(t, a+bb, r.History, 1e-12)
}

// TestFloodCannotEvict: an entity's established values keep their exact
// counts through a flood of unique values into the same entity, and the
// evictions are counted.
func TestFloodCannotEvict(t *testing.T) {
	m, err := New(Config{BucketSpan: time.Minute, MaxValuesPerEntity: 8})
	require.NoError(t, err)
	regular := []string{"r1", "r2", "r3", "r4"}
	for b := int64(0); b < 50; b++ {
		for i, v := range regular {
			if b%int64(i+1) == 0 {
				_, err := m.Observe(b, "h", v)
				require.NoError(t, err)
			}
		}
	}
	before := map[string]Result{}
	for _, v := range regular {
		before[v], _ = m.Observe(50, "h", v)
	}
	for b := int64(51); b < 60; b++ {
		for i := range 1000 {
			_, err := m.Observe(b, "h", fmt.Sprintf("flood-%d-%d", b, i))
			require.NoError(t, err)
		}
	}
	st := m.Stats()
	assert.Positive(t, st.EvictedCells+st.TailPairs)
	for _, v := range regular {
		r, err := m.Observe(60, "h", v)
		require.NoError(t, err)
		assert.False(t, r.Tail, v)
		assert.False(t, r.FirstForEntity, v)
		assert.GreaterOrEqual(t, r.Probability, before[v].Probability-1e-9, "%s looks no rarer", v)
	}
	t.Logf("%+v", st)
}
