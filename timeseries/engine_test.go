package timeseries

import (
	"testing"
	"time"
)

func TestCountSpike(t *testing.T) {
	spikeAt := 10*288 + 100
	evs := countStream(12, 1, spikeAt, 11)
	e, err := New(Job{ID: "t", Detectors: []Detector{{Function: "count", ByFieldName: "host"}}, Influencers: []string{"host", "user"}})
	if err != nil {
		t.Fatal(err)
	}
	all, err := runAll(e, evs)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 12*288 {
		t.Fatalf("%d buckets", len(all))
	}
	spikeT := t0.Add(time.Duration(spikeAt) * 5 * time.Minute)
	var top float64
	n50 := 0
	for _, b := range all {
		for _, r := range b.Records {
			if b.Timestamp.Equal(spikeT) && r.ByFieldValue == "c" {
				top = r.RecordScore
				t.Logf("spike record: %+v", r)
			} else if r.RecordScore >= 50 {
				n50++
				t.Logf("other: %s %s %.1f actual %v typ %v", b.Timestamp, r.ByFieldValue, r.RecordScore, r.Actual, r.Typical)
			}
		}
	}
	if top < 75 {
		t.Errorf("spike scored %v, want ≥ 75", top)
	}
	if n50 > 0 {
		t.Errorf("%d other records ≥ 50", n50)
	}
	t.Logf("stats %+v", e.Stats())
}
