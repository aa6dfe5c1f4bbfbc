package timeseries

import (
	"math"
	"testing"
	"time"
)

func TestProbabilityScoreAndSeverity(t *testing.T) {
	// Hand-computed from the stated formula 100·ln(0.05/p)/ln(0.05/1e-8).
	for _, c := range []struct{ p, want float64 }{
		{1, 0}, {0.05, 0}, {0.01, 100 * math.Log(5) / math.Log(5e6)}, {1e-4, 100 * math.Log(500) / math.Log(5e6)},
		{1e-8, 100}, {1e-300, 100}, {math.NaN(), 0},
	} {
		if got := ProbabilityScore(c.p); math.Abs(got-c.want) > 1e-4 {
			t.Errorf("ProbabilityScore(%g) = %v, want %v", c.p, got, c.want)
		}
	}
	for _, c := range []struct {
		s    float64
		want Severity
	}{{0, Warning}, {24.99, Warning}, {25, Minor}, {49.9, Minor}, {50, Major}, {74.9, Major}, {75, Critical}, {100, Critical}} {
		if got := SeverityOf(c.s); got != c.want {
			t.Errorf("SeverityOf(%v) = %v, want %v", c.s, got, c.want)
		}
	}
	// Elastic's raw score examples (reference §3.9): p=1e-3 → 0.098, 1e-10 → 7.4.
	if r := rawScore(1e-3); math.Abs(r-0.098) > 0.001 {
		t.Errorf("rawScore(1e-3) = %v", r)
	}
	if r := rawScore(1e-10); math.Abs(r-7.4) > 0.05 {
		t.Errorf("rawScore(1e-10) = %v", r)
	}
}

// topScore runs a count job over the stream and returns the largest record
// score of entity c in the given buckets, and the largest elsewhere.
func topScore(t *testing.T, job Job, evs []*testEvent, from, to int) (in, out float64) {
	t.Helper()
	e, err := New(job)
	if err != nil {
		t.Fatal(err)
	}
	all, err := runAll(e, evs)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := t0.Add(time.Duration(from)*5*time.Minute), t0.Add(time.Duration(to)*5*time.Minute)
	for _, b := range all {
		for _, r := range b.Records {
			if r.InitialRecordScore != r.RecordScore {
				t.Fatalf("initial_record_score %v != record_score %v", r.InitialRecordScore, r.RecordScore)
			}
			if r.ByFieldValue == "c" && !b.Timestamp.Before(lo) && b.Timestamp.Before(hi) {
				in = math.Max(in, r.RecordScore)
			} else {
				out = math.Max(out, r.RecordScore)
			}
		}
	}
	return in, out
}

// Sensitivity s reports p^s: the spike's probability at s = 2 is the square
// of that at s = 1, its score higher, and at s = 0.5 lower.
func TestSensitivity(t *testing.T) {
	at := 8*288 + 150
	evs := countStream(9, 11, at, 3.5)
	spikeP := func(s float64) (float64, float64) {
		e, _ := New(Job{Sensitivity: s, Detectors: []Detector{{Function: "high_count", ByFieldName: "host"}}})
		all, err := runAll(e, evs)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range all {
			for _, r := range b.Records {
				if r.ByFieldValue == "c" && b.Timestamp.Equal(t0.Add(time.Duration(at)*5*time.Minute)) {
					return r.Probability, r.RecordScore
				}
			}
		}
		return 1, 0
	}
	p1, s1 := spikeP(1)
	p2, s2 := spikeP(2)
	ph, sh := spikeP(0.5)
	t.Logf("spike: s=0.5 p=%.3g score %.1f; s=1 p=%.3g score %.1f; s=2 p=%.3g score %.1f", ph, sh, p1, s1, p2, s2)
	if !(p1 < 0.05) || !(p1 > 1e-150) {
		t.Fatalf("spike probability %g at sensitivity 1: the test needs one in (1e-150, 0.05)", p1)
	}
	if math.Abs(math.Log(p2)/math.Log(p1)-2) > 1e-6 {
		t.Errorf("p at s=2 is %g, want p² = %g", p2, p1*p1)
	}
	if s2 < s1 || (s1 > 0 && sh >= s1 && s1 < 100) || (s1 < 100 && s2 == s1) {
		t.Errorf("scores %.1f, %.1f, %.1f at s = 0.5, 1, 2 are not increasing", sh, s1, s2)
	}
}

// A sustained rise outscores a one-bucket blip of the same size (the
// multi-bucket feature), and a high_count job ignores a drop.
func TestSustainedOutscoresBlip(t *testing.T) {
	at := 8*288 + 150
	blip := countStream(9, 12, at, 2.5)
	long := countStreamFn(9, 12, func(b int, ent string) float64 {
		if ent == "c" && b >= at && b < at+12 {
			return 2.5
		}
		return 1
	})
	job := Job{Detectors: []Detector{{Function: "high_count", ByFieldName: "host"}}}
	b, _ := topScore(t, job, blip, at, at+1)
	s, _ := topScore(t, job, long, at, at+12)
	t.Logf("one-bucket blip %.1f, sustained %.1f", b, s)
	if s <= b {
		t.Errorf("sustained rise scored %.1f, not above the blip's %.1f", s, b)
	}
	// An outage of entity c for an hour: invisible to high_count, a
	// low_count anomaly.
	drop := countStreamFn(9, 13, func(b int, ent string) float64 {
		if ent == "c" && b >= at && b < at+12 {
			return 0
		}
		return 1
	})
	if d, _ := topScore(t, job, drop, at, at+12); d > 0 {
		t.Errorf("high_count scored a drop %.1f", d)
	}
	low := Job{Detectors: []Detector{{Function: "low_count", ByFieldName: "host"}}}
	if d, _ := topScore(t, low, drop, at, at+12); d < 10 {
		t.Errorf("low_count scored an hour's outage only %.1f", d)
	}
}

func TestExcludeFrequent(t *testing.T) {
	at := 8*288 + 150
	evs := countStream(9, 14, at, 11)
	in, _ := topScore(t, Job{Detectors: []Detector{{Function: "count", ByFieldName: "host"}}}, evs, at, at+1)
	ex, out := topScore(t, Job{Detectors: []Detector{{Function: "count", ByFieldName: "host", ExcludeFrequent: "by"}}}, evs, at, at+1)
	if in < 75 || ex != 0 || out != 0 {
		t.Errorf("spike %.1f without and %.1f with exclude_frequent (others %.1f): hosts present in every bucket are frequent", in, ex, out)
	}
}

func TestNoAllocHotPath(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	e, _ := New(Job{Detectors: []Detector{{Function: "count", PartitionFieldName: "host"}, {Function: "mean", FieldName: "bytes", ByFieldName: "host"}},
		Influencers: []string{"host"}})
	ev := &MapEvent{Timestamp: t0, Strings: map[string]string{"host": "a"}, Numbers: map[string]float64{"bytes": 3}}
	hosts := []string{"a", "b", "c", "d"}
	for _, h := range hosts {
		ev.Strings["host"] = h
		e.Observe(ev)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		ev.Strings["host"] = hosts[i%4]
		ev.Timestamp = t0.Add(time.Duration(i) * time.Millisecond)
		i++
		if _, err := e.Observe(ev); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Observe allocates %v times per event", allocs)
	}
}
