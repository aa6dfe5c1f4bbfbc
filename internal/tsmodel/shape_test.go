package tsmodel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSquareWaveDay: a daily square wave (20 overnight, 75 from 09:00 to
// 18:00) whose working hours one day run at 40, over five seeds. The step
// daily profile predicts the 09:00 edge sharply, so the first hour of that
// day scores p ≤ 2e-3 (3e-4 to 7e-4 here; a profile interpolated between
// slot centres gave 6e-3 to 1e-2, smearing the edge and the spread), while
// the ordinary days before it stay above 1e-3. The fast correction still
// follows the low level within a few buckets, which is why p is not
// smaller.
func TestSquareWaveDay(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		squareWaveDay(t, seed)
	}
}

func squareWaveDay(t *testing.T, seed uint64) {
	p := mustParams(t, 300)
	r := rand.New(rand.NewPCG(seed, 9))
	high := func(ts int64) bool {
		h := (ts % 86400) / 3600
		return h >= 9 && h < 18
	}
	var s Series
	const days = 14
	worstNormal, firstLow := 1.0, 1.0
	for i := 0; i < days*288; i++ {
		ts := start + int64(i)*300
		day := i / 288
		v := 20 + 2*r.NormFloat64()
		if high(ts) {
			v = 75 + 4*r.NormFloat64()
			if day == days-1 {
				v = 40 + 4*r.NormFloat64()
			}
		}
		res := s.Observe(p, ts, v, TwoSided)
		switch {
		case day >= days-4 && day < days-1:
			worstNormal = math.Min(worstNormal, res.Probability)
		case day == days-1 && high(ts) && (ts%86400) < 10*3600:
			firstLow = math.Min(firstLow, res.Probability)
		}
	}
	t.Logf("seed %d: %v: smallest p of three ordinary days %.3g, of the low morning %.3g", seed, &s, worstNormal, firstLow)
	if worstNormal < 1e-3 {
		t.Errorf("seed %d: ordinary days: smallest p %.3g, want ≥ 1e-3", seed, worstNormal)
	}
	if firstLow > 2e-3 {
		t.Errorf("seed %d: working hours at 40 instead of 75: smallest p %.3g in the first hour, want ≤ 2e-3", seed, firstLow)
	}
}

// TestPrecedentMargin: a nightly 5e6 spike in a series of about 100 that
// grows by 0.1% a night is recurring however small the noise: tonight's,
// 2% above the largest, keeps precedent (its p is tempered to p^(1/10));
// a spike twice as large does not.
func TestPrecedentMargin(t *testing.T) {
	p := mustParams(t, 600)
	r := rand.New(rand.NewPCG(5, 5))
	var s Series
	ts := start
	spike := 5e6
	for i := 0; i < 28*144; i++ {
		v := 100 + 10*r.NormFloat64()
		if ts%86400 == 2*3600 {
			spike *= 1.001
			v = spike
		}
		s.Update(p, ts, v)
		ts += 600
	}
	next := ts - ts%86400 + 86400 + 2*3600
	grown := s.Score(p, next, 1.02*spike, High)
	double := s.Score(p, next, 2*spike, High)
	t.Logf("spike +2%% p %.3g, doubled p %.3g (single-bucket %.3g, %.3g)", grown.Probability, double.Probability, grown.SingleBucketP, double.SingleBucketP)
	if grown.Probability < 1e-10 {
		t.Errorf("recurring spike 2%% larger: p %.3g, want ≥ 1e-10", grown.Probability)
	}
	if double.Probability > 1e-20 {
		t.Errorf("doubled spike: p %.3g, want ≤ 1e-20", double.Probability)
	}
}
