package timeseries

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"
)

func TestLogJointAndExtreme(t *testing.T) {
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		// One probability is its own joint probability.
		{"joint n=1", math.Exp(logJoint([]float64{1e-3})), 1e-3},
		// Two of 0.01: z = 2.5758 each, χ²₂ tail at 13.27 is e^(−6.635).
		{"joint 0.01,0.01", math.Exp(logJoint([]float64{0.01, 0.01})), math.Exp(-2 * 2.5758293035489 * 2.5758293035489 / 2)},
		// Far tail through the asymptote: χ²₂ tail is exactly e^(−x/2).
		{"joint tiny", logJoint([]float64{1e-200, 1e-200}), -2 * math.Pow(math.Sqrt2*math.Erfcinv(1e-200), 2) / 2},
		// m = 1 of n is Šidák: 1 − (1 − p)^n.
		{"erfcInv tiny", math.Erfc(erfcInv(1e-40)), 1e-40},
		{"erfcInv", math.Erfc(erfcInv(0.3)), 0.3},
		{"1 of 10", math.Exp(logMOfN(1e-3, 1, 10)), 1 - math.Pow(1-1e-3, 10)},
		// m = n = 2: both below p, p².
		{"2 of 2", math.Exp(logMOfN(0.1, 2, 2)), 0.01},
		{"1 of 3 tiny", logMOfN(1e-20, 1, 3), math.Log(3e-20)},
	}
	for _, c := range cases {
		if math.Abs(c.got-c.want) > 1e-6*math.Abs(c.want)+1e-12 {
			t.Errorf("%s: %g, want %g", c.name, c.got, c.want)
		}
	}
	// A person with one rare attribute among many common ones stays rare,
	// though less than alone; one with several rare attributes is rarer.
	one := combineAttributes([]float64{1e-8})
	diluted := combineAttributes([]float64{1e-8, 0.5, 0.7, 0.9, 0.3})
	several := combineAttributes([]float64{1e-8, 1e-6, 1e-5})
	if !(diluted > one && diluted < 1e-6 && several < one) {
		t.Errorf("combine: alone %g, among commons %g, with other rare ones %g", one, diluted, several)
	}
}

// portScanStream makes a population of users, each touching a few
// destination ports per 15-minute bucket; scanner touches 30× the typical
// number in bucket scanAt.
func portScanStream(users, buckets, scanAt int, seed uint64) []*testEvent {
	r := rand.New(rand.NewPCG(seed, 7))
	var evs []*testEvent
	span := 15 * time.Minute
	for b := 0; b < buckets; b++ {
		var be []*testEvent
		for u := 0; u < users; u++ {
			if r.Float64() > 0.7 && !(u == 17 && b == scanAt) {
				continue
			}
			name := "10.0." + strconv.Itoa(u/250) + "." + strconv.Itoa(u%250)
			k := 2 + poisson(r, 3)
			if u == 17 && b == scanAt {
				k = 150
			}
			for i := 0; i < k; i++ {
				port := 1 + r.IntN(1024)
				if u == 17 && b == scanAt {
					port = 20000 + i
				}
				// a repeat or two on the same port, as real sessions do
				for rep := 0; rep < 1+r.IntN(2); rep++ {
					be = append(be, &testEvent{t: t0.Add(time.Duration(b)*span + time.Duration(r.Int64N(int64(span)))),
						strs: map[string]string{"source.ip": name, "destination.port": strconv.Itoa(port), "host.name": "h" + strconv.Itoa(u%7)}})
				}
			}
		}
		sort.SliceStable(be, func(i, j int) bool { return be[i].t.Before(be[j].t) })
		evs = append(evs, be...)
	}
	return evs
}

func TestPopulationDistinctCount(t *testing.T) {
	users, buckets, scanAt := 1000, 60, 50
	if raceEnabled {
		users, buckets, scanAt = 300, 30, 25
	}
	evs := portScanStream(users, buckets, scanAt, 1)
	e, err := New(Job{BucketSpan: 15 * time.Minute, Detectors: []Detector{{Function: "distinct_count", FieldName: "destination.port", OverFieldName: "source.ip"}},
		Influencers: []string{"source.ip", "host.name"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(e, evs)
	if err != nil {
		t.Fatal(err)
	}
	var scanner float64
	var worstOther float64
	var worstWho string
	for _, br := range res {
		for _, r := range br.Records {
			if r.OverFieldName != "source.ip" || r.OverFieldValue == "" {
				t.Fatalf("record without over field: %+v", r)
			}
			if r.OverFieldValue == "10.0.0.17" && br.Timestamp.Equal(t0.Add(time.Duration(scanAt)*15*time.Minute)) {
				scanner = r.RecordScore
				if r.Actual != 150 || r.Typical < 3 || r.Typical > 7 {
					t.Errorf("scanner actual %v typical %v, want 150 and about 5", r.Actual, r.Typical)
				}
				if len(r.Influencers) == 0 || r.Influencers[0].FieldName != "source.ip" {
					t.Errorf("scanner influencers %+v", r.Influencers)
				}
				continue
			}
			if r.RecordScore > worstOther {
				worstOther, worstWho = r.RecordScore, r.OverFieldValue+" at "+br.Timestamp.Format(time.RFC3339)
			}
		}
	}
	t.Logf("scanner %.1f, highest other %.1f (%s), %d users, %d buckets", scanner, worstOther, worstWho, users, buckets)
	if scanner < 75 {
		t.Errorf("scanner scored %.1f, want ≥ 75", scanner)
	}
	if worstOther >= 25 {
		t.Errorf("another user scored %.1f (%s), want < 25", worstOther, worstWho)
	}
}

// TestPopulationExcludeFrequent: a scanner present in most buckets is a
// frequent over value; exclude_frequent over (or all) drops its record,
// none keeps it.
func TestPopulationExcludeFrequent(t *testing.T) {
	evs := portScanStream(200, 30, 25, 3)
	for _, c := range []struct {
		excl string
		want bool
	}{{"none", true}, {"by", true}, {"over", false}, {"all", false}} {
		e, err := New(Job{BucketSpan: 15 * time.Minute, Detectors: []Detector{{Function: "high_distinct_count", FieldName: "destination.port",
			OverFieldName: "source.ip", ExcludeFrequent: c.excl}}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := runAll(e, evs)
		if err != nil {
			t.Fatal(err)
		}
		got := false
		for _, br := range res {
			for _, r := range br.Records {
				got = got || r.OverFieldValue == "10.0.0.17" && r.RecordScore >= 75
			}
		}
		if got != c.want {
			t.Errorf("exclude_frequent %s: scanner reported %v, want %v", c.excl, got, c.want)
		}
	}
}

// TestPopulationFunctions: for each population function, 300 hosts whose
// bucket values vary around the same level, one host far out on the tested
// side in the last bucket: it is the critical record, the others stay
// below minor.
func TestPopulationFunctions(t *testing.T) {
	cases := []struct {
		fn, field string
		// per-event value and events per bucket of a normal host, and of
		// the anomalous one
		normal, odd func(r *rand.Rand) (float64, int)
		quiet       bool // the odd host is on the untested side
	}{
		{"high_count", "", func(r *rand.Rand) (float64, int) { return 0, 3 + r.IntN(4) }, func(*rand.Rand) (float64, int) { return 0, 200 }, false},
		{"count", "", func(r *rand.Rand) (float64, int) { return 0, 3 + r.IntN(4) }, func(*rand.Rand) (float64, int) { return 0, 200 }, false},
		{"high_sum", "bytes", func(r *rand.Rand) (float64, int) { return 1000 * (0.5 + r.Float64()), 3 + r.IntN(3) }, func(*rand.Rand) (float64, int) { return 1e6, 4 }, false},
		{"sum", "bytes", func(r *rand.Rand) (float64, int) { return 1000 * (0.5 + r.Float64()), 3 + r.IntN(3) }, func(*rand.Rand) (float64, int) { return 1e6, 4 }, false},
		{"high_mean", "bytes", func(r *rand.Rand) (float64, int) { return 1000 * (0.5 + r.Float64()), 3 + r.IntN(3) }, func(*rand.Rand) (float64, int) { return 1e6, 4 }, false},
		{"low_mean", "bytes", func(r *rand.Rand) (float64, int) { return 1000 * (0.5 + r.Float64()), 3 + r.IntN(3) }, func(*rand.Rand) (float64, int) { return 1, 4 }, false},
		{"max", "bytes", func(r *rand.Rand) (float64, int) { return 1000 * (0.5 + r.Float64()), 3 + r.IntN(3) }, func(*rand.Rand) (float64, int) { return 1e6, 4 }, false},
		{"min", "bytes", func(r *rand.Rand) (float64, int) { return 1000 * (0.5 + r.Float64()), 3 + r.IntN(3) }, func(*rand.Rand) (float64, int) { return 1, 4 }, false},
		{"high_mean", "bytes", func(r *rand.Rand) (float64, int) { return 1000 * (0.5 + r.Float64()), 3 + r.IntN(3) }, func(*rand.Rand) (float64, int) { return 1, 4 }, true},
		{"max", "bytes", func(r *rand.Rand) (float64, int) { return 1000 * (0.5 + r.Float64()), 3 + r.IntN(3) }, func(*rand.Rand) (float64, int) { return 1, 4 }, true},
		{"low_count", "", func(r *rand.Rand) (float64, int) { return 0, 3 + r.IntN(4) }, func(*rand.Rand) (float64, int) { return 0, 200 }, true},
	}
	hosts, buckets := 300, 24
	for _, c := range cases {
		r := rand.New(rand.NewPCG(4, 4))
		var evs []*testEvent
		for b := 0; b < buckets; b++ {
			for h := 0; h < hosts; h++ {
				gen := c.normal
				if h == 5 && b == buckets-1 {
					gen = c.odd
				}
				v, n := gen(r)
				for i := 0; i < n; i++ {
					evs = append(evs, &testEvent{t: t0.Add(time.Duration(b)*time.Hour + time.Duration(h*10+i)*time.Second),
						strs: map[string]string{"host": "h" + strconv.Itoa(h)}, nums: map[string]float64{"bytes": math.Round(v)}})
				}
			}
		}
		e, err := New(Job{BucketSpan: time.Hour, Detectors: []Detector{{Function: c.fn, FieldName: c.field, OverFieldName: "host"}}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := runAll(e, evs)
		if err != nil {
			t.Fatal(err)
		}
		odd, other := 0.0, 0.0
		for _, br := range res {
			for _, rec := range br.Records {
				if rec.OverFieldValue == "h5" && br.Timestamp.Equal(t0.Add(time.Duration(buckets-1)*time.Hour)) {
					odd = rec.RecordScore
				} else {
					other = max(other, rec.RecordScore)
				}
			}
		}
		t.Logf("%s over host: odd host %.1f, others ≤ %.1f", c.fn, odd, other)
		if c.quiet {
			if odd > 0 || other >= 25 {
				t.Errorf("%s over host: a value on the untested side scored %.1f, others up to %.1f", c.fn, odd, other)
			}
			continue
		}
		if odd < 75 || other >= 25 {
			t.Errorf("%s over host: odd host %.1f (want ≥ 75), others up to %.1f (want < 25)", c.fn, odd, other)
		}
	}
}
