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
