package timeseries

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// A sparse entity (a service account active in 3 one-hour buckets a day)
// under non_zero_count and high_non_zero_count: empty buckets are not
// zeros, so no record ever has actual 0, and a 12× active bucket alarms.
func TestScenarioSparseNonZeroCount(t *testing.T) {
	const job = `{"job_id":"sparse","analysis_config":{"bucket_span":"1h",
	 "detectors":[{"function":"non_zero_count","by_field_name":"user.name"},
	              {"function":"high_non_zero_count","by_field_name":"user.name"}]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(7, 8))
	var w scnWriter
	spike := scnStart.Add(20*24*time.Hour + 9*time.Hour)
	for d := 0; d < 24; d++ {
		for _, h := range []int{1, 9, 17} {
			ts := scnStart.Add(time.Duration(d*24+h) * time.Hour)
			n := 8 + r.IntN(5)
			if ts.Equal(spike) {
				n = 120
			}
			for i := 0; i < n; i++ {
				w.add(ts.Add(time.Duration(r.IntN(3600))*time.Second), "user.name", "svc-backup")
			}
		}
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "sparse", time.Hour)
	for _, r := range s.recs {
		if r.Actual == 0 {
			t.Fatalf("an empty bucket was scored as a zero: %s", descr(&r))
		}
	}
	s.expectQuiet(t, "sparse", scnStart.Add(4*24*time.Hour), 4, spike, spike.Add(time.Hour))
	if sc, _ := s.maxScore(spike, spike.Add(time.Hour), nil); sc < 50 {
		t.Errorf("a 12x active bucket scores %.1f, want ≥ 50", sc)
	}
	knownLimit(t, "120 events against a typical 10 in one bucket scores 65-69: the model's tails cap a single-bucket count ratio below 75")
	s.expectHit(t, "non_zero_count", spike, spike.Add(time.Hour), func(r *Record) bool { return r.DetectorIndex == 0 })
	s.expectHit(t, "high_non_zero_count", spike, spike.Add(time.Hour), func(r *Record) bool { return r.DetectorIndex == 1 })
}

// A DDoS on one destination: distinct_count(source.ip) partitioned by
// destination.ip goes from ~20 to 3,000 for 30 minutes; the others stay.
func TestScenarioDistinctCountDDoS(t *testing.T) {
	if raceEnabled {
		t.Skip("a week or more of events: run without -race")
	}
	const job = `{"job_id":"ddos","analysis_config":{"bucket_span":"5m",
	 "detectors":[{"function":"distinct_count","field_name":"source.ip","partition_field_name":"destination.ip"}],
	 "influencers":["destination.ip"]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(9, 10))
	var w scnWriter
	from := scnStart.Add(5*24*time.Hour + 20*time.Hour)
	to := from.Add(30 * time.Minute)
	dsts := []string{"192.0.2.10", "192.0.2.11", "192.0.2.12"}
	for m := 0; m < 7*24*60; m++ {
		ts := scnStart.Add(time.Duration(m) * time.Minute)
		for _, d := range dsts {
			n := scnPoisson(r, 6*diurnal(ts, 0.3))
			for i := 0; i < n; i++ {
				w.add(ts.Add(time.Duration(r.IntN(60))*time.Second), "destination.ip", d, "source.ip", fmt.Sprintf("10.1.0.%d", r.IntN(40)))
			}
			if d == dsts[1] && !ts.Before(from) && ts.Before(to) {
				for i := 0; i < 600; i++ {
					w.add(ts.Add(time.Duration(r.IntN(60))*time.Second), "destination.ip", d, "source.ip", fmt.Sprintf("198.51.%d.%d", r.IntN(256), r.IntN(256)))
				}
			}
		}
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "ddos", 5*time.Minute)
	s.expectHit(t, "ddos", from, to, func(r *Record) bool { return r.PartitionFieldValue == dsts[1] })
	if sc, r := s.maxScore(from, to, func(r *Record) bool { return r.PartitionFieldValue != dsts[1] }); sc >= 25 {
		t.Errorf("bystander destinations score %.1f (%s)", sc, descr(r))
	}
	s.expectQuiet(t, "ddos", scnStart.Add(2*24*time.Hour), 10, from, to.Add(time.Hour))
}

// A port scan in a population: high_distinct_count(destination.port)
// over source.ip, 150 sources each touching a few ports per bucket, one
// touching 400.
func TestScenarioPopulationPortScan(t *testing.T) {
	if raceEnabled {
		t.Skip("a week or more of events: run without -race")
	}
	const job = `{"job_id":"portscan","analysis_config":{"bucket_span":"15m",
	 "detectors":[{"function":"high_distinct_count","field_name":"destination.port","over_field_name":"source.ip"}],
	 "influencers":["source.ip"]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(11, 12))
	var w scnWriter
	ports := []int{80, 443, 53, 22, 8080, 3389, 445, 25}
	scan := scnStart.Add(3*24*time.Hour + 2*time.Hour)
	for b := 0; b < 4*96; b++ {
		ts := scnStart.Add(time.Duration(b) * 15 * time.Minute)
		for src := 0; src < 150; src++ {
			n := scnPoisson(r, 4)
			for i := 0; i < n; i++ {
				w.add(ts.Add(time.Duration(r.IntN(900))*time.Second), "source.ip", fmt.Sprintf("10.2.0.%d", src), "destination.port", ports[r.IntN(1+src%len(ports))])
			}
		}
		if ts.Equal(scan) {
			for p := 1; p <= 400; p++ {
				w.add(ts.Add(time.Duration(p)*time.Second), "source.ip", "10.2.0.77", "destination.port", p)
			}
		}
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "portscan", 15*time.Minute)
	s.expectHit(t, "scanner", scan, scan.Add(15*time.Minute), func(r *Record) bool { return r.OverFieldValue == "10.2.0.77" })
	if sc, r := s.maxScore(scan, scan.Add(15*time.Minute), func(r *Record) bool { return r.OverFieldValue != "10.2.0.77" }); sc >= 25 {
		t.Errorf("another source scores %.1f in the scan bucket (%s)", sc, descr(r))
	}
	s.expectQuiet(t, "population", scnStart.Add(24*time.Hour), 10, scan, scan.Add(15*time.Minute))
}

// Pre-aggregated documents (summary_count_field_name doc_count), an epoch_ms
// custom time field: the same counts as one event per document must give
// the same results, and a doc_count burst alarms.
func TestScenarioSummaryCountEpochMs(t *testing.T) {
	const agg = `{"job_id":"agg","analysis_config":{"bucket_span":"30m","summary_count_field_name":"doc_count",
	 "detectors":[{"function":"count","by_field_name":"event.action"}]},
	 "data_description":{"time_field":"event.created","time_format":"epoch_ms"}}`
	const raw = `{"job_id":"agg","analysis_config":{"bucket_span":"30m",
	 "detectors":[{"function":"count","by_field_name":"event.action"}]},
	 "data_description":{"time_field":"event.created","time_format":"epoch_ms"}}`
	r := rand.New(rand.NewPCG(13, 14))
	var wa, wr scnWriter
	burst := scnStart.Add(9*24*time.Hour + 11*time.Hour)
	for b := 0; b < 12*48; b++ {
		ts := scnStart.Add(time.Duration(b) * 30 * time.Minute)
		for _, act := range []string{"login", "logout"} {
			for k := 0; k < 3; k++ { // three pre-aggregated docs per bucket
				t0 := ts.Add(time.Duration(k*10) * time.Minute)
				n := scnPoisson(r, 20*diurnal(t0, 0.2))
				if act == "login" && ts.Equal(burst) {
					n += 400
				}
				if n == 0 {
					continue
				}
				wa.b.WriteString(fmt.Sprintf(`{"event":{"created":%d,"action":%q},"doc_count":%d}`+"\n", t0.UnixMilli(), act, n))
				for i := 0; i < n; i++ {
					wr.b.WriteString(fmt.Sprintf(`{"event.created":%d,"event.action":%q}`+"\n", t0.UnixMilli(), act))
				}
			}
		}
	}
	sa := runScenario(t, agg, wa.b.Bytes())
	sr := runScenario(t, raw, wr.b.Bytes())
	if sa.bad != 0 || sr.bad != 0 {
		t.Fatalf("bad lines: %d aggregated, %d raw", sa.bad, sr.bad)
	}
	if len(sa.recs) != len(sr.recs) {
		t.Fatalf("%d records from aggregated docs, %d from raw events", len(sa.recs), len(sr.recs))
	}
	for i := range sa.recs {
		a, b := sa.recs[i], sr.recs[i]
		if !a.Timestamp.Equal(b.Timestamp) || a.ByFieldValue != b.ByFieldValue || a.Actual != b.Actual || a.RecordScore != b.RecordScore {
			t.Fatalf("record %d: aggregated %s, raw %s", i, descr(&a), descr(&b))
		}
	}
	if len(sa.buckets) != len(sr.buckets) {
		t.Fatalf("%d buckets aggregated, %d raw", len(sa.buckets), len(sr.buckets))
	}
	sa.expectShape(t, "agg", 30*time.Minute)
	sa.expectHit(t, "login burst", burst, burst.Add(30*time.Minute), func(r *Record) bool { return r.ByFieldValue == "login" })
	sa.expectQuiet(t, "agg", scnStart.Add(3*24*time.Hour), 6, burst, burst.Add(time.Hour))
}

// Shuffled events within the job's latency give the results of ordered
// ones; events later than the latency are counted and dropped.
func TestScenarioLatencyShuffled(t *testing.T) {
	const job = `{"job_id":"late","analysis_config":{"bucket_span":"5m","latency":"2m",
	 "detectors":[{"function":"high_sum","field_name":"source.bytes","by_field_name":"host.name"}]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(15, 16))
	type ev struct {
		ts   time.Time
		host string
		b    int
	}
	var evs []ev
	spike := scnStart.Add(3*24*time.Hour + 7*time.Hour)
	for sec := 0; sec < 4*24*3600; sec += 15 {
		ts := scnStart.Add(time.Duration(sec) * time.Second)
		for _, h := range []string{"a", "b"} {
			b := 1000 + r.IntN(200)
			if h == "a" && !ts.Before(spike) && ts.Before(spike.Add(5*time.Minute)) {
				b *= 30
			}
			evs = append(evs, ev{ts.Add(time.Duration(r.IntN(15000)) * time.Millisecond), h, b})
		}
	}
	write := func(evs []ev) []byte {
		var w scnWriter
		for _, e := range evs {
			w.add(e.ts, "host.name", e.host, "source.bytes", e.b)
		}
		return w.b.Bytes()
	}
	// ordered by time
	sorted := append([]ev(nil), evs...)
	for i := 1; i < len(sorted); i++ { // insertion sort: nearly sorted already
		for k := i; k > 0 && sorted[k].ts.Before(sorted[k-1].ts); k-- {
			sorted[k], sorted[k-1] = sorted[k-1], sorted[k]
		}
	}
	// shuffled within 100 s windows (the latency is 120 s)
	shuf := append([]ev(nil), sorted...)
	for i := 0; i < len(shuf); {
		j := i
		for j < len(shuf) && shuf[j].ts.Sub(shuf[i].ts) < 100*time.Second {
			j++
		}
		r.Shuffle(j-i, func(a, b int) { shuf[i+a], shuf[i+b] = shuf[i+b], shuf[i+a] })
		i = j
	}
	so := runScenario(t, job, write(sorted))
	ss := runScenario(t, job, write(append(shuf, ev{scnStart.Add(time.Hour), "a", 5}))) // plus one far too late
	if ss.late != 1 || so.late != 0 {
		t.Errorf("late events: %d shuffled (want 1), %d ordered (want 0)", ss.late, so.late)
	}
	if len(so.recs) != len(ss.recs) {
		t.Fatalf("%d records ordered, %d shuffled", len(so.recs), len(ss.recs))
	}
	for i := range so.recs {
		a, b := so.recs[i], ss.recs[i]
		if !a.Timestamp.Equal(b.Timestamp) || a.Actual != b.Actual || a.RecordScore != b.RecordScore {
			t.Fatalf("record %d: ordered %s, shuffled %s", i, descr(&a), descr(&b))
		}
	}
	so.expectHit(t, "spike", spike, spike.Add(5*time.Minute), func(r *Record) bool { return r.ByFieldValue == "a" })
	so.expectQuiet(t, "late", scnStart.Add(24*time.Hour), 5, spike, spike.Add(10*time.Minute))
}

// Bucket spans of 1h and 1m: a burst is found at both resolutions and the
// records carry the span.
func TestScenarioBucketSpans(t *testing.T) {
	for _, tc := range []struct {
		span    string
		d       time.Duration
		days    int
		perMin  float64
		burstAt time.Duration
		burstN  int
	}{
		{"1h", time.Hour, 14, 1, 10*24*time.Hour + 15*time.Hour, 900},
		{"1m", time.Minute, 3, 3, 2*24*time.Hour + 15*time.Hour + 17*time.Minute, 60},
	} {
		t.Run(tc.span, func(t *testing.T) {
			job := `{"job_id":"span","analysis_config":{"bucket_span":"` + tc.span + `",
			 "detectors":[{"function":"high_count"}]},"data_description":{}}`
			r := rand.New(rand.NewPCG(17, 18))
			var w scnWriter
			burst := scnStart.Add(tc.burstAt)
			for m := 0; m < tc.days*24*60; m++ {
				ts := scnStart.Add(time.Duration(m) * time.Minute)
				n := scnPoisson(r, tc.perMin*diurnal(ts, 0.3))
				if ts.Truncate(tc.d).Equal(burst) && ts.Equal(burst) {
					n += tc.burstN
				}
				for i := 0; i < n; i++ {
					w.add(ts.Add(time.Duration(r.IntN(60))*time.Second), "event.kind", "event")
				}
			}
			s := runScenario(t, job, w.b.Bytes())
			s.expectShape(t, "span", tc.d)
			s.expectQuiet(t, "span", scnStart.Add(24*time.Hour), 10, burst, burst.Add(2*tc.d))
			if sc, _ := s.maxScore(burst, burst.Add(tc.d), nil); sc < 50 {
				t.Errorf("burst scores %.1f, want ≥ 50", sc)
			}
			if tc.span == "1h" {
				knownLimit(t, "955 events against a typical 49 in one 1h bucket scores 73: the model's tails cap a single-bucket count ratio")
			}
			s.expectHit(t, "burst", burst, burst.Add(tc.d), nil)
		})
	}
}
