package rare

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// floodRun describes the flood experiment: entities regular entities use
// 20 values each (Zipf, 10 draws an hour) out of 500 for 14 days; then for
// 2 days a flood of flood distinct, never repeated values arrives, nine
// tenths from 100,000 new entities and one tenth from regular entity 0;
// then one more hour of regular traffic is scored.
type floodRun struct {
	entities, flood int
	limit           int64
}

type pairResult struct {
	prob, pop float64
	tail      bool
}

// run feeds the stream (with or without the flood) and returns the results
// of the last hour, the model's stats and the peak heap growth seen.
func (f floodRun) run(t *testing.T, withFlood bool) (map[[2]uint64]pairResult, Stats, uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	m, err := New(Config{BucketSpan: time.Hour, MemoryLimit: f.limit})
	require.NoError(t, err)
	ents := make([]uint64, f.entities)
	for i := range ents {
		ents[i] = m.HashString(fmt.Sprintf("ent-%04d", i))
	}
	vals := make([]uint64, 500)
	for i := range vals {
		vals[i] = m.HashString(fmt.Sprintf("val-%03d", i))
	}
	var cdf [20]float64
	sum := 0.0
	for k := range cdf {
		sum += 1 / float64(k+1)
		cdf[k] = sum
	}
	r := rand.New(rand.NewPCG(7, 7))
	var peak uint64
	sample := func() {
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > base && ms.HeapAlloc-base > peak {
			peak = ms.HeapAlloc - base
		}
	}
	const warm, floodHours = 14 * 24, 48
	out := map[[2]uint64]pairResult{}
	floodNext := 0
	for hour := 0; hour <= warm+floodHours; hour++ {
		last := hour == warm+floodHours
		for i, e := range ents {
			for range 10 {
				u := r.Float64() * sum
				k := 0
				for cdf[k] < u {
					k++
				}
				v := vals[(i*7+k*13)%500]
				res, err := m.ObserveHash(int64(hour), e, v)
				require.NoError(t, err)
				if last && !res.Repeat {
					out[[2]uint64{e, v}] = pairResult{res.Probability, res.PopProbability, res.Tail}
				}
			}
		}
		if withFlood && hour >= warm && hour < warm+floodHours {
			end := f.flood * (hour - warm + 1) / floodHours
			for ; floodNext < end; floodNext++ {
				e := mix64(uint64(floodNext%100_000) ^ 0xf100d)
				if floodNext%10 == 0 {
					e = ents[0]
				}
				if _, err := m.ObserveHash(int64(hour), e, mix64(uint64(floodNext)^0xbad)); err != nil {
					t.Fatal(err)
				}
				if floodNext%50_000 == 0 {
					sample()
				}
			}
		}
		sample()
	}
	runtime.KeepAlive(m)
	return out, m.Stats(), peak
}

// TestFlood: a flood of distinct never-repeated values through a model with
// a memory budget keeps the heap under the budget, counts its evictions,
// and leaves the regular entities' probabilities within 0.01 of a model
// that never saw it; entity 0, which took part of the flood itself, keeps
// exact counts for its regular values and none of them looks rarer. The
// full figure (10,000,000 values, 64 MiB, 1,000 entities) runs with
// VIGIL_HEAVY=1; otherwise 300,000 values through 16 MiB with 200 entities
// (below about 8 MiB the Go runtime's 4 MiB minimum heap goal dominates).
func TestFlood(t *testing.T) {
	f := floodRun{entities: 200, flood: 300_000, limit: 16 << 20}
	if os.Getenv("VIGIL_HEAVY") != "" {
		f = floodRun{entities: 1000, flood: 10_000_000, limit: 64 << 20}
	} else if raceEnabled {
		f = floodRun{entities: 50, flood: 50_000, limit: 16 << 20}
	}
	t0 := time.Now()
	control, cstats, _ := f.run(t, false)
	flooded, fstats, peak := f.run(t, true)
	t.Logf("flood of %d values through %d MiB: peak heap growth %.1f MiB, %v", f.flood, f.limit>>20, float64(peak)/(1<<20), time.Since(t0))
	t.Logf("control stats %+v", cstats)
	t.Logf("flooded stats %+v", fstats)
	assert.Less(t, peak, uint64(f.limit), "peak heap under the budget")
	assert.LessOrEqual(t, fstats.Bytes, fstats.Limit)
	assert.Positive(t, fstats.EvictedCells+fstats.EvictedValues+fstats.EvictedEntities, "evictions are counted")

	require.Equal(t, len(control), len(flooded))
	worst, worstPop := 0.0, 0.0
	e0 := (&Model{basis: mix64(fnvOffset)}).HashString("ent-0000")
	for k, c := range control {
		fl := flooded[k]
		if k[0] == e0 {
			assert.False(t, fl.tail, "entity 0 keeps exact counts for its regular values")
			assert.GreaterOrEqual(t, fl.prob, c.prob-0.01, "entity 0's regular values do not look rarer")
		} else {
			worst = max(worst, math.Abs(fl.prob-c.prob))
		}
		worstPop = max(worstPop, c.pop-fl.pop)
	}
	t.Logf("largest change of a regular value's probability: %.2g (entity view), largest drop %.2g (population view)", worst, worstPop)
	assert.LessOrEqual(t, worst, 0.01)
	assert.LessOrEqual(t, worstPop, 0.01, "the flood does not make regular values look rare to the population")
}
