package rare

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBadInput(t *testing.T) {
	m, err := New(Config{})
	require.NoError(t, err)
	huge := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name          string
		bucket        int64
		entity, value string
		want          error
	}{
		{"empty value", 10, "host", "", ErrEmpty},
		{"1 MB value", 10, "host", huge, ErrTooLong},
		{"1 MB entity", 10, huge, "AS1", ErrTooLong},
		{"first observation", 10, "host", "AS1", nil},
		{"empty entity is the job-wide series", 10, "", "AS1", nil},
		{"value at the length limit", 10, "host", strings.Repeat("y", DefaultMaxValueBytes), nil},
		{"time going backwards", 9, "host", "AS1", ErrTimeOrder},
		{"same bucket again", 10, "host", "AS2", nil},
		{"a later bucket", 11, "host", "AS1", nil},
	} {
		_, err := m.Observe(tc.bucket, tc.entity, tc.value)
		if tc.want == nil {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorIs(t, err, tc.want, tc.name)
			assert.Contains(t, err.Error(), "rare: ", tc.name)
		}
	}
	// Refused observations leave no trace.
	b, ok := m.Bucket()
	assert.True(t, ok)
	assert.Equal(t, int64(11), b)

	for _, sec := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := m.BucketOfSeconds(sec)
		assert.ErrorIs(t, err, ErrNonFinite)
	}
	_, err = m.BucketOfSeconds(1e300)
	assert.Error(t, err)
	got, err := m.BucketOfSeconds(1_700_000_123.5)
	require.NoError(t, err)
	assert.Equal(t, int64(1_700_000_123/300), got)
	assert.Equal(t, int64(-1), m.BucketOf(time.Unix(-1, 0)), "buckets floor before the epoch")
	assert.Equal(t, got, m.BucketOf(time.Unix(1_700_000_123, 0)))

	// A jump of many half-lives forgets the past without overflow.
	_, err = m.Observe(11+1e12, "host", "AS1")
	require.NoError(t, err)
	r, err := m.Observe(11+1e12, "host", "AS9")
	require.NoError(t, err)
	assert.Equal(t, 1.0, r.Probability, "after an eternity nothing is known")
	assert.False(t, math.IsNaN(r.Share+r.Typical+r.PopProbability))

	for name, cfg := range map[string]Config{
		"negative span":        {BucketSpan: -time.Minute},
		"half-life below span": {BucketSpan: time.Hour, HalfLife: time.Minute},
		"tiny memory":          {MemoryLimit: 1000},
		"tie ratio below 1":    {TieRatio: 0.5},
		"NaN tie ratio":        {TieRatio: math.NaN()},
		"values per entity":    {MaxValuesPerEntity: -1},
		"value bytes":          {MaxValueBytes: -3},
	} {
		_, err := New(cfg)
		assert.ErrorIs(t, err, ErrConfig, name)
	}
}

// TestHashBytes: the byte path hashes as the string path, and the seed
// changes the keys.
func TestHashBytes(t *testing.T) {
	m, _ := New(Config{})
	m2, _ := New(Config{Seed: 99})
	for _, s := range []string{"", "a", "AS64500", strings.Repeat("z", 1000)} {
		assert.Equal(t, m.HashString(s), m.HashBytes([]byte(s)))
		assert.NotEqual(t, m.HashString(s), m2.HashString(s))
	}
	// Pinned: snapshots depend on the hash never changing.
	assert.Equal(t, uint64(0xaffb2d67110dfb8d), m.HashString("AS64500"))
}

// TestObserveNoAlloc: the hashed path does not allocate once the model's
// entities and values are established.
func TestObserveNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	m, _ := New(Config{})
	ents := []uint64{m.HashString("a"), m.HashString("b"), m.HashString("c")}
	vals := []uint64{m.HashString("x"), m.HashString("y")}
	b := int64(0)
	for ; b < 5; b++ {
		for _, e := range ents {
			for _, v := range vals {
				_, _ = m.ObserveHash(b, e, v)
			}
		}
	}
	allocs := testing.AllocsPerRun(200, func() {
		b++
		for _, e := range ents {
			for _, v := range vals {
				if _, err := m.ObserveHash(b, e, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
	assert.Zero(t, allocs)
}

// TestFullModelStillScores: when memory is full of established state, new
// entities are refused and, once the bucket's tail set is full, not learned
// at all; their observations are still scored, never reported as zero
// probabilities.
func TestFullModelStillScores(t *testing.T) {
	m, err := New(Config{MemoryLimit: 1 << 20, BucketSpan: time.Minute})
	require.NoError(t, err)
	// Establish entities until the budget refuses more.
	for b := int64(0); b < 3; b++ {
		for i := range 6000 {
			_, err := m.ObserveHash(b, uint64(i), 7)
			require.NoError(t, err)
		}
	}
	st := m.Stats()
	require.Positive(t, st.RefusedEntities, "the budget is full")
	for i := range 40_000 {
		r, err := m.ObserveHash(3, uint64(1_000_000+i), uint64(i))
		require.NoError(t, err)
		require.True(t, r.Refused)
		require.Greater(t, r.PopProbability, 0.0, "observation %d", i)
		require.Equal(t, 1.0, r.Probability)
	}
	st = m.Stats()
	assert.Positive(t, st.Dropped)
	assert.LessOrEqual(t, st.Bytes, st.Limit)
	t.Logf("%+v", st)
}
