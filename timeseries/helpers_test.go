package timeseries

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

// testEvent is a small accessor event for tests.
type testEvent struct {
	t    time.Time
	strs map[string]string
	nums map[string]float64
}

func (e *testEvent) Time() time.Time { return e.t }
func (e *testEvent) Text(f string) (string, bool) {
	s, ok := e.strs[f]
	return s, ok
}
func (e *testEvent) Number(f string) (float64, bool) {
	v, ok := e.nums[f]
	return v, ok
}

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday

// poisson draws a Poisson variate.
func poisson(r *rand.Rand, mu float64) int {
	if mu > 50 {
		return max(0, int(math.Round(mu+math.Sqrt(mu)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mu), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// countStream makes events of entities "a".."e" for days of 5m buckets with
// a daily cycle; spike multiplies entity "c"'s rate in bucket spikeAt.
func countStream(days int, seed uint64, spikeAt int, spike float64) []*testEvent {
	return countStreamFn(days, seed, func(b int, ent string) float64 {
		if ent == "c" && b == spikeAt {
			return spike
		}
		return 1
	})
}

// countStreamFn is countStream with entity rates multiplied by mult.
func countStreamFn(days int, seed uint64, mult func(b int, ent string) float64) []*testEvent {
	r := rand.New(rand.NewPCG(seed, 1))
	var evs []*testEvent
	n := days * 288
	ents := []string{"a", "b", "c", "d", "e"}
	for b := 0; b < n; b++ {
		hour := float64(b%288) / 12
		base := 10 + 6*math.Sin(2*math.Pi*hour/24)
		for _, ent := range ents {
			mu := base * mult(b, ent)
			k := poisson(r, mu)
			for i := 0; i < k; i++ {
				ts := t0.Add(time.Duration(b)*5*time.Minute + time.Duration(r.Int64N(int64(5*time.Minute))))
				evs = append(evs, &testEvent{t: ts, strs: map[string]string{"host": ent, "user": "u" + string(rune('0'+r.IntN(3)))},
					nums: map[string]float64{"bytes": float64(100 + r.IntN(50))}})
			}
		}
	}
	// within a bucket events are sorted by time
	sortEvents(evs)
	return evs
}

func sortEvents(evs []*testEvent) {
	// insertion-friendly: events are nearly sorted
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].t.Before(evs[j-1].t); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}

func runAll(e *Engine, evs []*testEvent) ([]BucketResult, error) {
	var all []BucketResult
	for _, ev := range evs {
		res, err := e.Observe(ev)
		if err != nil {
			return nil, err
		}
		all = append(all, res...)
	}
	res, err := e.Flush()
	return append(all, res...), err
}

func lookupEnvInt(name string, def int) int {
	v, err := strconv.Atoi(os.Getenv(name))
	if err != nil {
		return def
	}
	return v
}
