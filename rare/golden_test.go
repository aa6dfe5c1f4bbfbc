package rare

import (
	"hash/fnv"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// goldenDigests are FNV-64a digests of every Result of the streams below,
// recorded from the reference implementation: layout and speed work on the
// model must leave its results bit for bit as they were. Streams under
// memory pressure are not included, since the accounted size of the records
// decides when evictions begin.
var goldenDigests = map[string]uint64{
	"default": 0x950d91832ac6a96c,
	"tail":    0xd7f77ead9c70819,
	"renorm":  0x6ec2e84b5206e0a,
}

func digestResult(h interface{ Write([]byte) (int, error) }, r Result) {
	var b [8]byte
	w := func(x uint64) {
		for i := range b {
			b[i] = byte(x >> (8 * i))
		}
		_, _ = h.Write(b[:])
	}
	f := func(x float64) { w(math.Float64bits(x)) }
	bo := func(x bool) {
		if x {
			w(1)
		} else {
			w(0)
		}
	}
	bo(r.Repeat)
	w(uint64(r.Hits))
	f(r.Probability)
	f(r.Share)
	f(r.Typical)
	bo(r.FirstForEntity)
	f(r.History)
	w(uint64(r.Age))
	f(r.PopProbability)
	f(r.PopShare)
	f(r.PopTypical)
	f(r.Users)
	bo(r.FirstForPopulation)
	bo(r.Tail)
	bo(r.Refused)
}

func TestGoldenResults(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		s    asnStream
	}{
		{"default", Config{BucketSpan: time.Hour}, asnStream{hosts: 6, days: 8, connectionsPerHour: 40, tailPool: 500, tailRate: 0.3, seed: 5}},
		{"tail", Config{BucketSpan: time.Hour, MaxValuesPerEntity: 12, HalfLife: 6 * time.Hour}, asnStream{hosts: 5, days: 6, connectionsPerHour: 30, tailPool: 300, tailRate: 0.5, seed: 6}},
		{"renorm", Config{BucketSpan: time.Hour, HalfLife: time.Hour, TieRatio: 1}, asnStream{hosts: 4, days: 5, connectionsPerHour: 20, tailPool: 100, tailRate: 0.2, seed: 7}},
	}
	for _, c := range cases {
		m, err := New(c.cfg)
		require.NoError(t, err)
		h := fnv.New64a()
		c.s.run(func(hour int, host, asn string, _ bool) bool {
			r, err := m.Observe(int64(hour), host, asn)
			require.NoError(t, err)
			digestResult(h, r)
			return true
		})
		st := m.Stats()
		st.Bytes, st.Limit = 0, 0
		t.Logf("%s: digest %#x stats %+v", c.name, h.Sum64(), st)
		if want, ok := goldenDigests[c.name]; ok {
			require.Equal(t, want, h.Sum64(), c.name)
		}
	}
}

// extremeDigest is TestExtremeBuckets' digest from the reference implementation.
const extremeDigest = 0x46444441404e39f1

// TestExtremeBuckets: buckets at both ends of int64, far enough apart that
// every last use would alias a pending hit count if renormalisation did
// not bound the ages (see cell): repeats still count hits from 1, the pair
// is scored as a decayed one, and a snapshot restores.
func TestExtremeBuckets(t *testing.T) {
	m, err := New(Config{})
	require.NoError(t, err)
	h := fnv.New64a()
	defer func() { require.Equal(t, uint64(extremeDigest), h.Sum64(), "results as recorded") }()
	for _, b := range []int64{math.MinInt64 + 1, math.MinInt64 + 2, math.MaxInt64 - 3, math.MaxInt64 - 1} {
		for hit := 1; hit <= 3; hit++ {
			for _, v := range []uint64{7, 8} {
				r, err := m.ObserveHash(b, 1, v)
				require.NoError(t, err)
				require.Equal(t, hit, r.Hits, "bucket %d value %d", b, v)
				require.Equal(t, hit > 1, r.Repeat)
				digestResult(h, r)
				if !r.Repeat {
					require.True(t, r.Probability > 0 && r.Probability <= 1, "%+v", r)
				}
			}
		}
		data, err := m.MarshalBinary()
		require.NoError(t, err)
		var n Model
		require.NoError(t, n.UnmarshalBinary(data), "bucket %d", b)
		again, err := n.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, data, again)
	}
}
