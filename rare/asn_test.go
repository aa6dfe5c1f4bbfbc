package rare

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// asnStream generates hourly connections of hosts to autonomous systems:
// each host has the same 60 regular ASNs in its own order of preference,
// with Zipf (s = 1) frequencies, connectionsPerHour draws an hour; with
// probability tailRate per hour a host also reaches one of tailPool
// occasional ASNs. emit is called for every connection, in time order.
type asnStream struct {
	hosts, days, connectionsPerHour, tailPool int
	tailRate                                  float64
	seed                                      uint64
}

func (s asnStream) run(emit func(hour int, host, asn string, regular bool) bool) {
	r := rand.New(rand.NewPCG(s.seed, 1))
	const regular = 60
	cdf := make([]float64, regular)
	sum := 0.0
	for k := range regular {
		sum += 1 / float64(k+1)
		cdf[k] = sum
	}
	names := make([][]string, s.hosts)
	hosts := make([]string, s.hosts)
	for h := range names {
		hosts[h] = fmt.Sprintf("host-%02d", h)
		for _, k := range r.Perm(regular) {
			names[h] = append(names[h], fmt.Sprintf("AS%d", 64500+k))
		}
	}
	tail := make([]string, s.tailPool)
	for i := range tail {
		tail[i] = fmt.Sprintf("AS%d", 200000+i)
	}
	for hour := 0; hour < s.days*24; hour++ {
		for h := range s.hosts {
			host := hosts[h]
			for range s.connectionsPerHour {
				u := r.Float64() * sum
				k := 0
				for cdf[k] < u {
					k++
				}
				if !emit(hour, host, names[h][k], true) {
					return
				}
			}
			if r.Float64() < s.tailRate {
				if !emit(hour, host, tail[r.IntN(s.tailPool)], false) {
					return
				}
			}
		}
	}
}

var defaultASN = asnStream{hosts: 20, days: 30, connectionsPerHour: 100, tailPool: 2000, tailRate: 0.1, seed: 1}

// TestASNZipf: over 30 simulated days of hourly buckets (20 hosts, 100
// connections an hour, so that the least used regular ASN shows in about
// 30 % of a host's hours, and 10 % of host-hours reaching one of 2,000
// occasional ASNs), none of the 60 regular ASNs of any host falls below
// p = 0.05 after day 3, and a never-seen ASN on day 25 gets p < 0.01 for
// its host; five seeds.
func TestASNZipf(t *testing.T) {
	seeds := uint64(5)
	if raceEnabled || testing.Short() {
		seeds = 1
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		s := defaultASN
		s.seed = seed
		if raceEnabled {
			s.hosts = 5
		}
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { testASN(t, s) })
	}
}

func testASN(t *testing.T, s asnStream) {
	m, err := New(Config{BucketSpan: time.Hour})
	require.NoError(t, err)
	minRegular := 1.0
	var worst string
	var newASN Result
	target := fmt.Sprintf("host-%02d", 7%s.hosts)
	s.run(func(hour int, host, asn string, regular bool) bool {
		if hour == 24*24+10 && host == target && newASN.Hits == 0 {
			// Day 25, 10:00: a host reaches an ASN nobody has used.
			var err error
			newASN, err = m.Observe(int64(hour), host, "AS999999")
			require.NoError(t, err)
		}
		r, err := m.Observe(int64(hour), host, asn)
		require.NoError(t, err)
		if !r.Repeat && hour >= 3*24 && regular && r.Probability < minRegular {
			minRegular = r.Probability
			worst = fmt.Sprintf("%s %s hour %d share %.4f", host, asn, hour, r.Share)
		}
		return true
	})
	t.Logf("lowest p of a regular ASN after day 3: %.4f (%s)", minRegular, worst)
	t.Logf("never-seen ASN on day 25: p = %.5f, first = %v, population p = %.5f, history %.0f", newASN.Probability, newASN.FirstForEntity, newASN.PopProbability, newASN.History)
	assert.GreaterOrEqual(t, minRegular, 0.05)
	assert.Less(t, newASN.Probability, 0.01)
	assert.True(t, newASN.FirstForEntity)
	assert.True(t, newASN.FirstForPopulation)
	assert.False(t, math.IsNaN(newASN.Typical))
}
