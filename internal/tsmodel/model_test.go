package tsmodel

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/vigil-ml/vigil/internal/check"
)

const hour = 3600

// start is a Monday, 2024-01-01 00:00 UTC.
const start = int64(1704067200)

func mustParams(t testing.TB, span int64) *Params {
	t.Helper()
	p, err := NewParams(span, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func poisson(r *rand.Rand, mu float64) float64 {
	// Knuth for small mu, normal approximation is not needed here.
	l, k, prod := math.Exp(-mu), 0.0, r.Float64()
	for prod > l {
		k++
		prod *= r.Float64()
	}
	return k
}

func TestSize(t *testing.T) {
	if sz := unsafe.Sizeof(Series{}); sz > 700 {
		t.Fatalf("Series is %d bytes, budget 700", sz)
	}
	var s Series
	if got := len(s.AppendBinary(nil)); got != EncodedSize {
		t.Fatalf("AppendBinary wrote %d bytes, EncodedSize %d", got, EncodedSize)
	}
}

func TestNewParamsErrors(t *testing.T) {
	for _, tc := range []struct {
		span        int64
		adapt, sens float64
	}{{0, 1, 1}, {-5, 1, 1}, {300, -1, 1}, {300, math.NaN(), 1}, {300, 1, math.Inf(1)}, {300, 1000, 1}, {300, 1, -2}} {
		if _, err := NewParams(tc.span, tc.adapt, tc.sens); !errors.Is(err, check.ErrConfig) {
			t.Errorf("NewParams(%d, %v, %v) error %v, want ErrConfig", tc.span, tc.adapt, tc.sens, err)
		}
	}
}

// falseAlarms feeds n buckets from gen and returns the fraction of warm
// buckets with probability below 0.01 and the p-values.
func falseAlarms(p *Params, n int, side Side, gen func(i int, t int64) float64) (rate float64, ps []float64) {
	var s Series
	alarms, warm := 0, 0
	for i := 0; i < n; i++ {
		t := start + int64(i)*p.BucketSpan
		v := gen(i, t)
		r := s.Observe(p, t, v, side)
		if !r.Warm {
			continue
		}
		warm++
		ps = append(ps, r.SingleBucketP)
		if r.Probability < 0.01 {
			alarms++
		}
	}
	return float64(alarms) / float64(warm), ps
}

func TestFalseAlarmRate(t *testing.T) {
	p := mustParams(t, 300)
	for _, tc := range []struct {
		name string
		side Side
		gen  func(r *rand.Rand) func(i int, t int64) float64
	}{
		{"poisson-0.3", TwoSided, func(r *rand.Rand) func(int, int64) float64 {
			return func(int, int64) float64 { return poisson(r, 0.3) }
		}},
		{"poisson-4", High, func(r *rand.Rand) func(int, int64) float64 {
			return func(int, int64) float64 { return poisson(r, 4) }
		}},
		{"poisson-50", TwoSided, func(r *rand.Rand) func(int, int64) float64 {
			return func(int, int64) float64 { return poisson(r, 50) }
		}},
		{"gauss", TwoSided, func(r *rand.Rand) func(int, int64) float64 {
			return func(int, int64) float64 { return 100 + 5*r.NormFloat64() }
		}},
		{"student-t3", TwoSided, func(r *rand.Rand) func(int, int64) float64 {
			return func(int, int64) float64 {
				c := r.NormFloat64()*r.NormFloat64() + r.NormFloat64()*r.NormFloat64() + r.NormFloat64()*r.NormFloat64()
				return 10 + r.NormFloat64()/math.Sqrt(c/3)
			}
		}},
		{"daily-poisson", Low, func(r *rand.Rand) func(int, int64) float64 {
			return func(_ int, t int64) float64 {
				return poisson(r, 20+15*math.Sin(2*math.Pi*float64(t%86400)/86400))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const seeds = 4
			var sum float64
			for seed := uint64(0); seed < seeds; seed++ {
				r := rand.New(rand.NewPCG(seed, 7))
				rate, _ := falseAlarms(p, 6000, tc.side, tc.gen(r))
				sum += rate
			}
			rate := sum / seeds
			t.Logf("false-alarm rate at p<0.01: %.4f", rate)
			if rate > 0.015 {
				t.Errorf("false-alarm rate %.4f at p<0.01, want ≤ 0.015", rate)
			}
		})
	}
}

func TestPoissonUniform(t *testing.T) {
	// For Poisson(50) the single-bucket p of a High test is close to
	// uniform: the deciles hold about 10% each.
	p := mustParams(t, 300)
	r := rand.New(rand.NewPCG(3, 3))
	_, ps := falseAlarms(p, 20000, High, func(int, int64) float64 { return poisson(r, 50) })
	var dec [10]int
	for _, x := range ps[2000:] {
		dec[min(int(x*10), 9)]++
	}
	n := float64(len(ps) - 2000)
	for i, c := range dec {
		if f := float64(c) / n; f < 0.06 || f > 0.14 {
			t.Errorf("decile %d holds %.3f of p-values, want ≈0.1 (%v)", i, f, dec)
		}
	}
}

func TestSeasonalCoverage(t *testing.T) {
	p := mustParams(t, 600)
	r := rand.New(rand.NewPCG(11, 1))
	gen := func(t int64) float64 {
		h := float64(t%86400) / 3600
		wd := ((t/86400)+4)%7 == 0 || ((t/86400)+4)%7 == 6
		lvl := 200 + 120*math.Sin(2*math.Pi*(h-8)/24)
		if wd {
			lvl *= 0.5
		}
		return lvl + 10*r.NormFloat64()
	}
	var s Series
	in, tot := 0, 0
	for i := 0; i < 6*7*144; i++ {
		ts := start + int64(i)*600
		v := gen(ts)
		if i > 3*7*144 {
			typ, lo, hi := s.Predict(p, ts)
			_ = typ
			tot++
			if v >= lo && v <= hi {
				in++
			}
		}
		s.Update(p, ts, v)
	}
	cov := float64(in) / float64(tot)
	t.Logf("%v coverage %.3f", &s, cov)
	if s.season != 2 {
		t.Errorf("season model %d, want weekday/weekend (2)", s.season)
	}
	if cov < 0.90 || cov > 0.99 {
		t.Errorf("95%% bounds cover %.3f", cov)
	}
}

func TestShiftAdoptedAttackNot(t *testing.T) {
	p := mustParams(t, 300)
	r := rand.New(rand.NewPCG(5, 5))
	var s Series
	ts := start
	feed := func(n int, mu float64) (minP float64, last Result) {
		minP = 1
		for i := 0; i < n; i++ {
			last = s.Observe(p, ts, mu+3*r.NormFloat64(), High)
			minP = math.Min(minP, last.Probability)
			ts += 300
		}
		return minP, last
	}
	feed(3000, 50)
	// A one-hour attack at 10x is flagged and not learnt.
	minP, _ := feed(12, 500)
	if minP > 1e-6 {
		t.Errorf("attack min p %g", minP)
	}
	_, after := feed(1, 50)
	if typ := after.Typical; math.Abs(typ-50) > 3 {
		t.Errorf("typical after attack %.2f, want ≈50", typ)
	}
	feed(100, 50)
	// A permanent shift to 80 is adopted within a day.
	feed(24*12, 80)
	_, last := feed(12, 80)
	if math.Abs(last.Typical-80) > 5 || last.Probability < 0.01 {
		t.Errorf("after a day at the new level: typical %.2f p %g", last.Typical, last.Probability)
	}
}

func TestSustainedOutscoresSpike(t *testing.T) {
	p := mustParams(t, 300)
	base := func() (*Series, int64) {
		r := rand.New(rand.NewPCG(9, 9))
		var s Series
		ts := start
		for i := 0; i < 3000; i++ {
			s.Update(p, ts, 100+10*r.NormFloat64())
			ts += 300
		}
		return &s, ts
	}
	s1, ts := base()
	spike := s1.Observe(p, ts, 140, High)
	s2, ts := base()
	var sus Result
	for i := 0; i < 6; i++ {
		sus = s2.Observe(p, ts+int64(i)*300, 140, High)
	}
	t.Logf("spike p %.3g, sustained p %.3g (mb %.3g, impact %.2f)", spike.Probability, sus.Probability, sus.MultiBucketP, sus.MultiBucketImpact)
	if !(sus.Probability < spike.Probability/100) {
		t.Errorf("sustained p %g not well below spike p %g", sus.Probability, spike.Probability)
	}
	if sus.MultiBucketImpact <= 0 || spike.MultiBucketImpact >= 0 {
		t.Errorf("multi-bucket impact sustained %.2f spike %.2f", sus.MultiBucketImpact, spike.MultiBucketImpact)
	}
}

func TestSnapshotBitIdentical(t *testing.T) {
	p := mustParams(t, 900)
	r := rand.New(rand.NewPCG(1, 2))
	var a Series
	ts := start
	for i := 0; i < 2000; i++ {
		a.Update(p, ts, poisson(r, 7))
		ts += 900
	}
	blob := a.AppendBinary([]byte("x"))
	var b Series
	rest, err := b.DecodeBinary(blob[1:])
	if err != nil || len(rest) != 0 {
		t.Fatalf("decode: %v, %d left", err, len(rest))
	}
	if a != b {
		t.Fatal("restored state differs")
	}
	for i := 0; i < 1000; i++ {
		v := poisson(r, 7)
		ra, rb := a.Observe(p, ts, v, TwoSided), b.Observe(p, ts, v, TwoSided)
		if ra != rb {
			t.Fatalf("bucket %d: %+v vs %+v", i, ra, rb)
		}
		ts += 900
	}
	if _, err := b.DecodeBinary(blob[1 : len(blob)-1]); !errors.Is(err, check.ErrCorrupt) {
		t.Errorf("truncated state: %v", err)
	}
}

func TestScoreDoesNotMutate(t *testing.T) {
	p := mustParams(t, 60)
	var s Series
	for i := 0; i < 500; i++ {
		s.Update(p, start+int64(i)*60, float64(i%7))
	}
	before := s
	s.Score(p, start+500*60, 1e6, High)
	s.Predict(p, start+500*60)
	if s != before {
		t.Fatal("Score mutated the series")
	}
}

func TestNonFinite(t *testing.T) {
	p := mustParams(t, 60)
	var s Series
	for i := 0; i < 300; i++ {
		s.Update(p, start+int64(i)*60, float64(i%3))
	}
	before := s
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if r := s.Score(p, start, v, TwoSided); r.Probability != 1 {
			t.Errorf("Score(%v) probability %v", v, r.Probability)
		}
		if r := s.Observe(p, start, v, High); r.Probability != 1 {
			t.Errorf("Observe(%v) probability %v", v, r.Probability)
		}
		s.Update(p, start, v)
		s.UpdateWeighted(p, start, v, 0.5)
	}
	if s != before {
		t.Error("non-finite values changed the state")
	}
}

// TestCalibration: in a series with frequent one-bucket bursts of 12 to 20
// deviations (one bucket in 40), the heavy tail and the episode calibration
// learn that bursts are ordinary: far fewer than the 2.5% of buckets that
// are bursts alarm at p < 1e-4, while the same series without bursts keeps
// its sensitivity to one.
func TestCalibration(t *testing.T) {
	p := mustParams(t, 300)
	run := func(bursty bool) (rate float64, probe float64) {
		r := rand.New(rand.NewPCG(21, 4))
		var s Series
		alarms, n := 0, 0
		ts := start
		for i := 0; i < 8000; i++ {
			v := 100 + 5*r.NormFloat64()
			if bursty && r.IntN(40) == 0 {
				v += 60 + 40*r.Float64()
			}
			res := s.Observe(p, ts, v, TwoSided)
			ts += 300
			if i > 4000 && res.Warm {
				n++
				if res.Probability < 1e-4 {
					alarms++
				}
			}
		}
		return float64(alarms) / float64(n), s.Score(p, ts, 180, TwoSided).Probability
	}
	burstRate, burstProbe := run(true)
	_, quietProbe := run(false)
	t.Logf("bursty series: alarm rate %.4f at p<1e-4, probe p %.3g; quiet series probe p %.3g", burstRate, burstProbe, quietProbe)
	if burstRate > 0.005 {
		t.Errorf("bursty series alarms at p<1e-4 in %.3f of buckets, bursts occur in 0.025", burstRate)
	}
	if !(quietProbe < 1e-10 && burstProbe > 100*quietProbe) {
		t.Errorf("probe p: quiet %g, bursty %g", quietProbe, burstProbe)
	}
}

// TestPrecedent: a backup that lifts the 02:00 bucket to 400 every night
// (typical 100, sd 10) has precedent after weeks of nights and scores far
// less than the same value on a series that never saw it; and a sustained
// attack never becomes its own precedent.
func TestPrecedent(t *testing.T) {
	p := mustParams(t, 600)
	feed := func(nightly bool, days int) (*Series, int64) {
		r := rand.New(rand.NewPCG(8, 8))
		var s Series
		ts := start
		for i := 0; i < days*144; i++ {
			v := 100 + 10*r.NormFloat64()
			if nightly && ts%86400 == 2*3600 {
				v = 400
			}
			s.Update(p, ts, v)
			ts += 600
		}
		return &s, ts
	}
	s, ts := feed(true, 28)
	backup := s.Score(p, ts+2*3600, 400, High) // 02:00 of the next day
	q, ts2 := feed(false, 28)
	novel := q.Score(p, ts2+14*3600, 400, High)
	t.Logf("recurring backup p %.3g, novel burst p %.3g", backup.Probability, novel.Probability)
	if backup.Probability < 1e-6 || novel.Probability > 1e-20 {
		t.Errorf("recurring backup p %g (want ≥ 1e-6), novel burst p %g (want ≤ 1e-20)", backup.Probability, novel.Probability)
	}
	// Twelve buckets of 300: every one keeps a tiny probability.
	worst := 0.0
	for i := 0; i < 12; i++ {
		r := q.Observe(p, ts2+int64(i)*600, 300, High)
		worst = math.Max(worst, r.Probability)
	}
	if worst > 1e-8 {
		t.Errorf("sustained attack: largest bucket p %g, want ≤ 1e-8", worst)
	}
}

func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	p := mustParams(t, 300)
	var s Series
	ts := start
	allocs := testing.AllocsPerRun(1000, func() {
		s.Observe(p, ts, float64(ts%13), TwoSided)
		s.Score(p, ts, 3, High)
		s.Update(p, ts, 4)
		ts += 300
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per bucket", allocs)
	}
}

func BenchmarkObserve(b *testing.B) {
	p := mustParams(b, 300)
	r := rand.New(rand.NewPCG(1, 1))
	vals := make([]float64, 4096)
	for i := range vals {
		vals[i] = poisson(r, 30)
	}
	var s Series
	b.ReportAllocs()
	b.ReportMetric(float64(unsafe.Sizeof(s)), "bytes/series")
	for i := 0; b.Loop(); i++ {
		s.Observe(p, start+int64(i)*300, vals[i&4095], TwoSided)
	}
}

func BenchmarkScoreUpdate(b *testing.B) {
	p := mustParams(b, 300)
	r := rand.New(rand.NewPCG(1, 1))
	vals := make([]float64, 4096)
	for i := range vals {
		vals[i] = 100 + 10*r.NormFloat64()
	}
	var s Series
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ts := start + int64(i)*300
		s.Score(p, ts, vals[i&4095], TwoSided)
		s.Update(p, ts, vals[i&4095])
	}
}
