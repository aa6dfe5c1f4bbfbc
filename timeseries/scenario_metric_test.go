package timeseries

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Per-host outbound bytes (sum) and request duration (high_mean),
// partitioned by host.name, with a daily profile; host web-2 sends 50× its
// bytes for an hour on day 11, and web-3's durations go 8× for 40 minutes
// on day 12.
func TestScenarioSumHighMeanByHost(t *testing.T) {
	if raceEnabled {
		t.Skip("a week or more of events: run without -race")
	}
	const job = `{"job_id":"host-bytes","analysis_config":{"bucket_span":"15m",
	 "detectors":[{"function":"sum","field_name":"source.bytes","partition_field_name":"host.name"},
	              {"function":"high_mean","field_name":"event.duration","partition_field_name":"host.name"}],
	 "influencers":["host.name","destination.ip"]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(1, 2))
	var w scnWriter
	days := 14
	spikeFrom := scnStart.Add(11*24*time.Hour + 15*time.Hour)
	spikeTo := spikeFrom.Add(time.Hour)
	durFrom := scnStart.Add(12*24*time.Hour + 10*time.Hour)
	durTo := durFrom.Add(40 * time.Minute)
	hosts := []string{"web-1", "web-2", "web-3"}
	for m := 0; m < days*24*60; m += 1 {
		ts := scnStart.Add(time.Duration(m) * time.Minute)
		for _, h := range hosts {
			n := scnPoisson(r, 2*diurnal(ts, 0.2))
			for i := 0; i < n; i++ {
				bytes := 2000 + 500*r.NormFloat64()
				dur := 2e8 * (1 + 0.2*r.NormFloat64())
				dst := "10.0.0.5"
				if h == "web-2" && !ts.Before(spikeFrom) && ts.Before(spikeTo) {
					bytes *= 50
					dst = "203.0.113.9"
				}
				if h == "web-3" && !ts.Before(durFrom) && ts.Before(durTo) {
					dur *= 8
				}
				if bytes < 10 {
					bytes = 10
				}
				w.add(ts.Add(time.Duration(r.IntN(60))*time.Second), "host.name", h, "source.bytes", int(bytes), "event.duration", dur, "destination.ip", dst)
			}
		}
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "host-bytes", 15*time.Minute)
	s.expectHit(t, "web-2 bytes spike", spikeFrom, spikeTo, func(r *Record) bool {
		return r.DetectorIndex == 0 && r.PartitionFieldValue == "web-2"
	})
	s.expectHit(t, "web-3 duration spike", durFrom, durTo, func(r *Record) bool {
		return r.DetectorIndex == 1 && r.PartitionFieldValue == "web-3"
	})
	s.expectQuiet(t, "hosts", scnStart.Add(3*24*time.Hour), 10, spikeFrom, spikeTo.Add(time.Hour), durFrom, durTo.Add(time.Hour))
	// The spike's records blame web-2 and the foreign address; the bucket
	// result's score is its largest record's, with a bucket_time influencer.
	_, top := s.maxScore(spikeFrom, spikeTo, func(r *Record) bool { return r.DetectorIndex == 0 && r.PartitionFieldValue == "web-2" })
	if top != nil {
		got := map[string]string{}
		for _, in := range top.Influencers {
			if len(in.FieldValues) > 0 {
				got[in.FieldName] = in.FieldValues[0]
			}
		}
		if got["host.name"] != "web-2" || got["destination.ip"] != "203.0.113.9" {
			t.Errorf("spike influencers %+v, want host.name web-2 and destination.ip 203.0.113.9", top.Influencers)
		}
		for _, b := range s.buckets {
			if !b.Timestamp.Equal(top.Timestamp) {
				continue
			}
			best, hasTime := 0.0, false
			for _, r := range b.Records {
				best = max(best, r.RecordScore)
			}
			for _, bi := range b.BucketInfluencers {
				hasTime = hasTime || bi.InfluencerFieldName == "bucket_time"
			}
			if b.AnomalyScore != best || !hasTime || b.InitialAnomalyScore != b.AnomalyScore {
				t.Errorf("bucket %v: anomaly_score %v (records' max %v), bucket_time influencer %v", b.Timestamp, b.AnomalyScore, best, hasTime)
			}
		}
	}
	if sc, _ := s.maxScore(spikeFrom, spikeTo, func(r *Record) bool { return r.PartitionFieldValue != "web-2" && r.DetectorIndex == 0 }); sc >= 50 {
		t.Errorf("the other hosts' bytes score %.1f during web-2's spike", sc)
	}
}

// A service's requests drop to nothing for an hour (low_count by
// service.name); the nightly trough, many times lower than the day, does
// not alarm.
func TestScenarioLowCountOutage(t *testing.T) {
	const job = `{"job_id":"outage","analysis_config":{"bucket_span":"10m",
	 "detectors":[{"function":"low_count","by_field_name":"service.name"}]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(3, 4))
	var w scnWriter
	from := scnStart.Add(8*24*time.Hour + 13*time.Hour)
	to := from.Add(time.Hour)
	for m := 0; m < 10*24*60; m++ {
		ts := scnStart.Add(time.Duration(m) * time.Minute)
		for _, svc := range []string{"api", "auth", "billing"} {
			n := scnPoisson(r, 3*diurnal(ts, 0.1))
			if svc == "api" && !ts.Before(from) && ts.Before(to) {
				n = 0
			}
			for i := 0; i < n; i++ {
				w.add(ts.Add(time.Duration(r.IntN(60))*time.Second), "service.name", svc)
			}
		}
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "outage", 10*time.Minute)
	s.expectQuiet(t, "services", scnStart.Add(3*24*time.Hour), 10, from, to.Add(time.Hour))
	for _, r := range s.recs {
		if r.Actual > r.Typical {
			t.Fatalf("low_count record above typical: %s", descr(&r))
		}
	}
	knownLimit(t, "a 0 against a typical 32 (bounds 21..43) scores 32: the model's tails and calibration cap a one-sided drop far below 75")
	s.expectHit(t, "api outage", from, to, func(r *Record) bool { return r.ByFieldValue == "api" })
}

// Max and min of a latency: a max spike and a min drop are each found by
// their own one-sided detector; the other side is never reported.
func TestScenarioMinMax(t *testing.T) {
	const job = `{"job_id":"minmax","analysis_config":{"bucket_span":"5m",
	 "detectors":[{"function":"max","field_name":"event.duration"},{"function":"min","field_name":"event.duration"}]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(5, 6))
	var w scnWriter
	hi := scnStart.Add(6*24*time.Hour + 9*time.Hour)
	lo := scnStart.Add(6*24*time.Hour + 17*time.Hour)
	for sec := 0; sec < 8*24*3600; sec += 20 {
		ts := scnStart.Add(time.Duration(sec) * time.Second)
		v := 100 + 10*r.NormFloat64()
		if ts.Equal(hi.Add(2 * time.Minute)) {
			v = 400
		}
		if ts.Equal(lo.Add(2 * time.Minute)) {
			v = 2
		}
		w.add(ts, "event.duration", v)
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "minmax", 5*time.Minute)
	s.expectHit(t, "max spike", hi, hi.Add(5*time.Minute), func(r *Record) bool { return r.Function == "max" })
	for _, r := range s.recs {
		if (r.Function == "max" && r.Actual < r.Typical) || (r.Function == "min" && r.Actual > r.Typical) {
			t.Errorf("wrong side: %s", descr(&r))
		}
	}
	s.expectQuiet(t, "minmax", scnStart.Add(2*24*time.Hour), 10, hi, hi.Add(10*time.Minute), lo, lo.Add(10*time.Minute))
	if sc, _ := s.maxScore(lo, lo.Add(5*time.Minute), func(r *Record) bool { return r.Function == "min" }); sc < 50 {
		t.Errorf("min drop from ~80 to 2 scores %.1f, want ≥ 50", sc)
	}
	knownLimit(t, "a single-bucket min of 2 against typical 83 (bounds 72..93) scores 52: heavy model tails")
	s.expectHit(t, "min drop", lo, lo.Add(5*time.Minute), func(r *Record) bool { return r.Function == "min" })
}

// mean over events where some lack the field and some hold a non-numeric
// string: the string lines are counted errors, the missing ones skipped,
// and the mean is of the numbers alone.
func TestScenarioMeanMissingAndBadValues(t *testing.T) {
	const job = `{"job_id":"mean-bad","analysis_config":{"bucket_span":"1h",
	 "detectors":[{"function":"mean","field_name":"http.response.bytes"}]},
	 "data_description":{"time_field":"@timestamp"}}`
	var w scnWriter
	nbad := 0
	for h := 0; h < 48; h++ {
		ts := scnStart.Add(time.Duration(h) * time.Hour)
		w.add(ts, "http.response.bytes", 10)
		w.add(ts.Add(time.Minute), "http.response.bytes", 30)
		w.add(ts.Add(2*time.Minute), "url.path", "/x") // no value: skipped
		if h%4 == 0 {
			w.add(ts.Add(3*time.Minute), "http.response.bytes", "lots") // a string: an error
			nbad++
		}
	}
	w.raw(`{"@timestamp":"2026-03-04T00:10:00Z","http.response.bytes":`) // malformed
	nbad++
	s := runScenario(t, job, w.b.Bytes())
	if s.bad != nbad {
		t.Errorf("bad lines %d, want %d", s.bad, nbad)
	}
	if len(s.buckets) != 48 {
		t.Fatalf("%d buckets, want 48", len(s.buckets))
	}
	for _, b := range s.buckets {
		if b.EventCount != 3 && b.EventCount != 2 {
			// the missing-field event is an event of the bucket or not; the string one never is
			t.Errorf("bucket %v: event_count %d", b.Timestamp, b.EventCount)
		}
	}
	if len(s.recs) != 0 {
		t.Errorf("a constant mean of 20 gave records: %s", descr(&s.recs[0]))
	}
}
