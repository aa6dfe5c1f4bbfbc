package tsmodel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// learnWeekly feeds weeks of 15-minute buckets of a daily cycle with quiet
// weekends and returns the series and the time of the next bucket.
func learnWeekly(t *testing.T, weeks int, noise float64) (*Series, *Params, int64, func(int64) float64) {
	t.Helper()
	const span = 900
	p := mustParams(t, span)
	truth := func(ts int64) float64 {
		mid := ts + span/2
		h := float64(mid%86400) / 3600
		v := 100 + 30*math.Sin(2*math.Pi*(h-6)/24)
		if wd := (mid/86400 + 4) % 7; wd == 0 || wd == 6 {
			v -= 25
		}
		return v
	}
	r := rand.New(rand.NewPCG(3, 4))
	var s Series
	ts := start
	for ; ts < start+int64(weeks)*7*86400; ts += span {
		s.Observe(p, ts, truth(ts)+noise*r.NormFloat64(), TwoSided)
	}
	return &s, p, ts, truth
}

func TestForecastProperties(t *testing.T) {
	s, p, next, truth := learnWeekly(t, 4, 5)
	before := *s
	// The first bucket ahead is Predict's.
	a, b, c := s.Forecast(p, next)
	x, y, z := s.Predict(p, next)
	if a != x || b != y || c != z {
		t.Errorf("next bucket: Forecast (%v %v %v), Predict (%v %v %v)", a, b, c, x, y, z)
	}
	// A Forecaster gives Forecast's numbers; neither changes the series.
	var f Forecaster
	f.Reset(s, p)
	var bias, n float64
	for ts := next; ts < next+7*86400; ts += 900 {
		a, b, c := s.Forecast(p, ts)
		x, y, z := f.At(ts)
		if a != x || b != y || c != z {
			t.Fatalf("Forecaster differs from Forecast at %d", ts)
		}
		if !(b < a && a < c) {
			t.Fatalf("bounds %v %v %v not around the prediction", b, a, c)
		}
		bias += a - truth(ts)
		n++
	}
	if *s != before {
		t.Error("Forecast changed the series")
	}
	// The series ends on a Sunday night, when the base sits low: the
	// rebuilt level keeps the week ahead nearly unbiased (the one-step
	// model's base+season alone is off by about 11 on weekdays).
	if m := bias / n; math.Abs(m) > 3 {
		t.Errorf("mean forecast bias over the week ahead %.2f, want |bias| ≤ 3", m)
	}
}
