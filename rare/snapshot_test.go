package rare

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSnapshotDay15: a model snapshotted in the middle of day 15 (inside an
// open bucket), restored and fed the rest of the 30 days gives the same
// results, bit for bit, as the model that ran straight through, and the
// same final snapshot. A small memory limit makes evictions and the tail
// part of what must survive.
func TestSnapshotDay15(t *testing.T) {
	for _, limit := range []int64{0, 1 << 20} {
		s := defaultASN
		s.hosts, s.days = 8, 30
		if raceEnabled || testing.Short() {
			s.hosts, s.connectionsPerHour = 3, 30
		}
		cfg := Config{BucketSpan: time.Hour, MemoryLimit: limit, MaxValuesPerEntity: 40, HalfLife: 72 * time.Hour}
		straight, err := New(cfg)
		require.NoError(t, err)
		var results []Result
		s.run(func(hour int, host, asn string, _ bool) bool {
			r, err := straight.Observe(int64(hour), host, asn)
			require.NoError(t, err)
			results = append(results, r)
			return true
		})

		first, err := New(cfg)
		require.NoError(t, err)
		var restored *Model
		i, cut := 0, 15*24*s.hosts*s.connectionsPerHour+1234
		s.run(func(hour int, host, asn string, _ bool) bool {
			if i == cut {
				b, err := first.MarshalBinary()
				require.NoError(t, err)
				restored = &Model{}
				require.NoError(t, restored.UnmarshalBinary(b))
				b2, err := restored.MarshalBinary()
				require.NoError(t, err)
				require.Equal(t, b, b2, "a restored model encodes as the original")
				first = nil
			}
			mm := first
			if mm == nil {
				mm = restored
			}
			r, err := mm.Observe(int64(hour), host, asn)
			require.NoError(t, err)
			if r != results[i] {
				t.Fatalf("limit %d: observation %d differs after restore: %+v vs %+v", limit, i, r, results[i])
			}
			i++
			return true
		})
		require.NotNil(t, restored)
		a, _ := straight.MarshalBinary()
		b, _ := restored.MarshalBinary()
		assert.Equal(t, a, b)
		t.Logf("limit %d: %d observations, stats %+v", limit, i, straight.Stats())
	}
}

// TestObserveBatchSame: ObserveBatch gives the results and the final model
// of ObserveHash called pair by pair.
func TestObserveBatchSame(t *testing.T) {
	cfg := Config{BucketSpan: time.Hour, MemoryLimit: 1 << 20, MaxValuesPerEntity: 30}
	one, err := New(cfg)
	require.NoError(t, err)
	batch, err := New(cfg)
	require.NoError(t, err)
	s := defaultASN
	s.hosts, s.days = 6, 4
	var ents, vals []uint64
	hourNow := 0
	flush := func() {
		out := make([]Result, len(ents))
		require.NoError(t, batch.ObserveBatch(int64(hourNow), ents, vals, out))
		for i := range ents {
			r, err := one.ObserveHash(int64(hourNow), ents[i], vals[i])
			require.NoError(t, err)
			require.Equal(t, r, out[i])
		}
		ents, vals = ents[:0], vals[:0]
	}
	s.run(func(hour int, host, asn string, _ bool) bool {
		if hour != hourNow {
			flush()
			hourNow = hour
		}
		ents = append(ents, one.HashString(host))
		vals = append(vals, one.HashString(asn))
		return true
	})
	flush()
	a, _ := one.MarshalBinary()
	b, _ := batch.MarshalBinary()
	assert.Equal(t, a, b)
	assert.ErrorIs(t, batch.ObserveBatch(int64(hourNow), []uint64{1, 2}, []uint64{3}, make([]Result, 2)), ErrDimension)
}
