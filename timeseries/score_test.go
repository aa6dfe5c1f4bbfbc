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

func TestSensitivityRaisesScores(t *testing.T) {
	at := 8*288 + 150
	evs := countStream(9, 11, at, 3)
	var prev float64
	for _, s := range []float64{0.5, 1, 2} {
		job := Job{Sensitivity: s, Detectors: []Detector{{Function: "high_count", ByFieldName: "host"}}}
		in, _ := topScore(t, job, evs, at, at+1)
		t.Logf("sensitivity %v: spike scores %.1f", s, in)
		if in <= prev && prev < 100 {
			t.Errorf("sensitivity %v scored %.1f, not above %.1f at the lower sensitivity", s, in, prev)
		}
		prev = in
	}
}

// A sustained rise outscores a one-bucket blip of the same size (the
// multi-bucket feature), and a high_count job ignores a drop.
func TestSustainedOutscoresBlip(t *testing.T) {
	at := 8*288 + 150
	blip := countStream(9, 12, at, 1.8)
	long := countStream(9, 12, -1, 1)
	// Rebuild the stream with 12 raised buckets for entity c.
	long = append(long, extra(at, 12, 0.8*13)...)
	sortEvents(long)
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
	if d, _ := topScore(t, low, drop, at, at+12); d < 25 {
		t.Errorf("low_count scored an hour's outage only %.1f", d)
	}
}

// extra adds about mu events per bucket to entity c for n buckets from at.
func extra(at, n int, mu float64) []*testEvent {
	var evs []*testEvent
	for b := at; b < at+n; b++ {
		for i := 0; i < int(mu); i++ {
			evs = append(evs, &testEvent{t: t0.Add(time.Duration(b)*5*time.Minute + time.Duration(i)*time.Second),
				strs: map[string]string{"host": "c", "user": "u9"}, nums: map[string]float64{"bytes": 1}})
		}
	}
	return evs
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
