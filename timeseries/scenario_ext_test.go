package timeseries

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// rare by process.name partitioned by host.name: five hosts run their
// usual processes; host-3 runs mimikatz.exe once on day 10.
func TestScenarioRareProcessByHost(t *testing.T) {
	if raceEnabled {
		t.Skip("a week or more of events: run without -race")
	}
	const job = `{"job_id":"rare-proc","analysis_config":{"bucket_span":"15m",
	 "latency":"3m","detectors":[{"function":"rare","by_field_name":"process.name","partition_field_name":"host.name"}],
	 "influencers":["host.name","process.name","user.name"]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(21, 22))
	var w scnWriter
	procs := []string{"svchost.exe", "explorer.exe", "chrome.exe", "outlook.exe", "teams.exe", "powershell.exe", "cmd.exe", "notepad.exe"}
	at := scnStart.Add(10*24*time.Hour + 14*time.Hour + 20*time.Minute)
	for m := 0; m < 12*24*60; m += 2 {
		ts := scnStart.Add(time.Duration(m) * time.Minute)
		for h := 1; h <= 5; h++ {
			n := scnPoisson(r, 3*diurnal(ts, 0.3))
			for i := 0; i < n; i++ {
				// a skewed mix: the tail processes still run every day
				p := procs[min(len(procs)-1, int(math.Floor(-math.Log(r.Float64())*2)))]
				w.add(ts.Add(time.Duration(r.IntN(120))*time.Second), "host.name", fmt.Sprintf("host-%d", h), "process.name", p, "user.name", "u"+fmt.Sprint(h))
			}
		}
		if ts.Equal(at) {
			w.add(ts.Add(time.Second), "host.name", "host-3", "process.name", "mimikatz.exe", "user.name", "u3")
		}
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "rare-proc", 15*time.Minute)
	b := at.Truncate(15 * time.Minute)
	s.expectQuiet(t, "rare-proc", scnStart.Add(3*24*time.Hour), 10, b, b.Add(15*time.Minute))
	if sc, _ := s.maxScore(b, b.Add(15*time.Minute), func(r *Record) bool { return r.ByFieldValue == "mimikatz.exe" }); sc < 60 {
		t.Errorf("mimikatz.exe, new to host-3 and to the fleet, scores %.1f, want ≥ 60", sc)
	}
	knownLimit(t, "a process new to a 10-day-old host and to the fleet scores 74.3 (p 8.9e-5; RarityScore reaches 75 at 8.4e-5)")
	s.expectHit(t, "mimikatz", b, b.Add(15*time.Minute), func(r *Record) bool {
		return r.ByFieldValue == "mimikatz.exe" && r.PartitionFieldValue == "host-3"
	})
}

// freq_rare by url.path over source.ip: 80 clients browse common pages; one
// client hammers a path nobody requests, hundreds of times.
func TestScenarioFreqRare(t *testing.T) {
	if raceEnabled {
		t.Skip("a week or more of events: run without -race")
	}
	t.Run("known client", func(t *testing.T) { scenarioFreqRare(t, "10.3.0.5") })
	t.Run("new client", func(t *testing.T) {
		knownLimit(t, "a brand-new client's first bucket scores 0 (entity rarity^(age/20), population rarity included), even for 300 hits on a path no client ever requested")
		scenarioFreqRare(t, "10.3.0.200")
	})
}

func scenarioFreqRare(t *testing.T, client string) {
	const job = `{"job_id":"freq-rare","analysis_config":{"bucket_span":"15m",
	 "detectors":[{"function":"freq_rare","by_field_name":"url.path","over_field_name":"source.ip"}],
	 "influencers":["source.ip"]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(23, 24))
	var w scnWriter
	paths := []string{"/", "/login", "/search", "/cart", "/help", "/api/items"}
	at := scnStart.Add(6*24*time.Hour + 11*time.Hour)
	for b := 0; b < 7*96; b++ {
		ts := scnStart.Add(time.Duration(b) * 15 * time.Minute)
		for c := 0; c < 80; c++ {
			n := scnPoisson(r, 2*diurnal(ts, 0.2))
			for i := 0; i < n; i++ {
				w.add(ts.Add(time.Duration(r.IntN(900))*time.Second), "source.ip", fmt.Sprintf("10.3.0.%d", c), "url.path", paths[r.IntN(len(paths))])
			}
		}
		if ts.Equal(at) {
			for i := 0; i < 300; i++ {
				w.add(ts.Add(time.Duration(i)*time.Second), "source.ip", client, "url.path", "/admin/backup.zip")
			}
		}
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "freq-rare", 15*time.Minute)
	s.expectHit(t, "freq_rare", at, at.Add(15*time.Minute), func(r *Record) bool { return r.OverFieldValue == client })
	s.expectQuiet(t, "freq-rare", scnStart.Add(24*time.Hour), 10, at, at.Add(15*time.Minute))
}

// time_of_day by user.name in America/New_York across the US switch to
// daylight saving (2026-03-08): a user who logs in around 09:00 local every
// day is quiet through the switch and alarms at 03:10 local.
func TestScenarioTimeOfDayNewYork(t *testing.T) {
	const job = `{"job_id":"tod","analysis_config":{"bucket_span":"1h","time_zone":"America/New_York",
	 "detectors":[{"function":"time_of_day","by_field_name":"user.name"}]},
	 "data_description":{"time_field":"@timestamp"}}`
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	r := rand.New(rand.NewPCG(25, 26))
	var w scnWriter
	odd := time.Date(2026, 3, 19, 3, 10, 0, 0, ny)
	for d := 0; d < 21; d++ {
		day := time.Date(2026, 3, 2+d, 0, 0, 0, 0, ny)
		for _, u := range []string{"alice", "bob"} {
			base := 9.0
			if u == "bob" {
				base = 13.5
			}
			for k := 0; k < 3; k++ {
				h := base + 0.4*r.NormFloat64()
				w.add(day.Add(time.Duration(h*float64(time.Hour))), "user.name", u)
			}
		}
		if day.Day() == odd.Day() {
			w.add(odd, "user.name", "alice")
		}
	}
	// events are written day by day, but within a day not in time order
	lines := strings.Split(strings.TrimSpace(w.b.String()), "\n")
	sortNDJSONByTime(t, lines)
	var sorted scnWriter
	for _, l := range lines {
		sorted.raw(l)
	}
	s := runScenario(t, job, sorted.b.Bytes())
	s.expectShape(t, "tod", time.Hour)
	b := odd.UTC().Truncate(time.Hour)
	s.expectHit(t, "03:10 login", b, b.Add(time.Hour), func(r *Record) bool { return r.ByFieldValue == "alice" })
	s.expectQuiet(t, "tod", scnStart.Add(4*24*time.Hour), 3, b, b.Add(time.Hour))
}

func sortNDJSONByTime(t *testing.T, lines []string) {
	key := func(l string) string { return l[strings.Index(l, `"@timestamp":"`)+14:][:20] }
	for i := 1; i < len(lines); i++ {
		for k := i; k > 0 && key(lines[k]) < key(lines[k-1]); k-- {
			lines[k], lines[k-1] = lines[k-1], lines[k]
		}
	}
}

// A datafeed query with bool should / must_not / range on @timestamp /
// terms / exists: the events analysed are exactly those an independent
// evaluation of the query keeps.
func TestScenarioDatafeedQuery(t *testing.T) {
	const q = `{"bool":{
	   "filter":[{"range":{"event.risk_score":{"gte":20,"lt":90}}},
	             {"terms":{"event.category":["authentication","network"]}},
	             {"exists":{"field":"user.name"}}],
	   "must_not":[{"term":{"event.outcome":"success"}}],
	   "should":[{"term":{"source.geo.country_iso_code":"RU"}},{"term":{"source.geo.country_iso_code":"KP"}}],
	   "minimum_should_match":1}}`
	const qTime = `{"bool":{"must":[{"range":{"@timestamp":{"gte":"2026-03-02T06:00:00Z","lt":"2026-03-03T18:00:00Z"}}}],"must_not":[{"exists":{"field":"user.name"}}]}}`
	const q2 = `{"bool":{"should":[{"term":{"event.category":"network"}},{"range":{"event.risk_score":{"gt":70}}}]}}`
	r := rand.New(rand.NewPCG(27, 28))
	type ev struct {
		ts               time.Time
		cat, out, cc     string
		user             bool
		risk             int
		keep, keepShould bool
	}
	cats := []string{"authentication", "network", "process", "file"}
	outs := []string{"success", "failure", "unknown"}
	ccs := []string{"RU", "KP", "US", "DE"}
	var evs []ev
	from, to := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC)
	for sec := 0; sec < 3*24*3600; sec += 30 {
		e := ev{ts: scnStart.Add(time.Duration(sec) * time.Second), cat: cats[r.IntN(4)], out: outs[r.IntN(3)], cc: ccs[r.IntN(4)], user: r.IntN(5) != 0, risk: r.IntN(100)}
		e.keep = e.risk >= 20 && e.risk < 90 && (e.cat == "authentication" || e.cat == "network") && e.user && e.out != "success" && (e.cc == "RU" || e.cc == "KP")
		// no must/filter clause: at least one should clause must match
		e.keepShould = e.cat == "network" || e.risk > 70
		evs = append(evs, e)
	}
	var w scnWriter
	want, want2, wantTime := 0, 0, 0
	for _, e := range evs {
		kv := []any{"event.category", e.cat, "event.outcome", e.out, "source.geo.country_iso_code", e.cc, "event.risk_score", e.risk}
		if e.user {
			kv = append(kv, "user.name", "u")
		}
		w.add(e.ts, kv...)
		if e.keep {
			want++
		}
		if e.keepShould {
			want2++
		}
		if !e.ts.Before(from) && e.ts.Before(to) && !e.user {
			wantTime++
		}
	}
	for _, tc := range []struct {
		q    string
		want int
	}{{q, want}, {q2, want2}, {qTime, wantTime}} {
		job := `{"job_id":"dfq","analysis_config":{"bucket_span":"1h","detectors":[{"function":"count"}]},
		 "data_description":{"time_field":"@timestamp"},
		 "datafeed_config":{"query":` + tc.q + `}}`
		if tc.q == qTime {
			// Vigil may refuse a range on the time field (a datafeed's
			// start and end bound the times): then with an error naming it.
			if _, err := ParseElasticJSON(stringsReader(job)); err != nil {
				if !strings.Contains(err.Error(), "@timestamp") {
					t.Errorf("range on @timestamp refused with an error not naming the field: %v", err)
				}
				continue
			}
		}
		s := runScenario(t, job, w.b.Bytes())
		st := s.eng.Stats()
		if int(st.Events) != tc.want || int(st.Filtered) != len(evs)-tc.want {
			t.Errorf("query %.40s...: %d events analysed, %d filtered; want %d and %d", tc.q, st.Events, st.Filtered, tc.want, len(evs)-tc.want)
		}
		var sum int64
		for _, b := range s.buckets {
			sum += b.EventCount
		}
		if int(sum) != tc.want {
			t.Errorf("query %.40s...: buckets hold %d events, want %d", tc.q, sum, tc.want)
		}
	}
}

// Weekday/weekend over 5 weeks: weekends are a tenth of weekdays, which must
// not alarm once learnt; a Saturday afternoon at weekday level must.
func TestScenarioWeeklySaturdaySpike(t *testing.T) {
	if raceEnabled {
		t.Skip("5 weeks of minutes: too slow under -race")
	}
	const job = `{"job_id":"weekly","analysis_config":{"bucket_span":"1h",
	 "detectors":[{"function":"count","partition_field_name":"service.name"}]},
	 "data_description":{"time_field":"@timestamp"}}`
	r := rand.New(rand.NewPCG(29, 30))
	var w scnWriter
	sat := scnStart.Add((4*7+5)*24*time.Hour + 13*time.Hour) // Saturday of week 5, 13:00
	for h := 0; h < 5*7*24; h++ {
		ts := scnStart.Add(time.Duration(h) * time.Hour)
		wd := ts.Weekday()
		lam := 200 * diurnal(ts, 0.1)
		if wd == time.Saturday || wd == time.Sunday {
			lam /= 10
		}
		if !ts.Before(sat) && ts.Before(sat.Add(2*time.Hour)) {
			lam = 200 * diurnal(ts, 0.1)
		}
		n := scnPoisson(r, lam)
		for i := 0; i < n; i++ {
			w.add(ts.Add(time.Duration(r.IntN(3600))*time.Second), "service.name", "vpn")
		}
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "weekly", time.Hour)
	s.expectQuiet(t, "weekly", scnStart.Add(14*24*time.Hour), 6, sat, sat.Add(3*time.Hour))
	if sc, _ := s.maxScore(sat, sat.Add(2*time.Hour), nil); sc < 50 {
		t.Errorf("a Saturday at weekday level scores %.1f, want ≥ 50", sc)
	}
	knownLimit(t, "168 against a weekend typical of 18.5 for two hours scores 65: the count model's Student-t tails (see the level shift)")
	s.expectHit(t, "saturday", sat, sat.Add(2*time.Hour), nil)
}

// A level shift that persists: alarms at first, adopted within a day and a
// half, not an alarm for ever.
func TestScenarioLevelShift(t *testing.T) {
	const job = `{"job_id":"shift","analysis_config":{"bucket_span":"10m",
	 "detectors":[{"function":"count"}]},"data_description":{}}`
	r := rand.New(rand.NewPCG(31, 32))
	var w scnWriter
	shift := scnStart.Add(7*24*time.Hour + 10*time.Hour)
	for b := 0; b < 11*144; b++ {
		ts := scnStart.Add(time.Duration(b) * 10 * time.Minute)
		lam := 50.0
		if !ts.Before(shift) {
			lam = 150
		}
		n := scnPoisson(r, lam)
		for i := 0; i < n; i++ {
			w.add(ts.Add(time.Duration(r.IntN(600))*time.Second), "event.kind", "event")
		}
	}
	s := runScenario(t, job, w.b.Bytes())
	s.expectShape(t, "shift", 10*time.Minute)
	s.expectQuiet(t, "shift adopted", scnStart.Add(24*time.Hour), 3, shift, shift.Add(36*time.Hour))
	var alarms int
	for _, r := range s.recs {
		if !r.Timestamp.Before(shift) && r.RecordScore >= 50 {
			alarms++
		}
	}
	if alarms == 0 || alarms > 36 {
		t.Errorf("%d buckets ≥ 50 after the shift, want 1..36 (alarm, then adopt within 6 h)", alarms)
	}
	knownLimit(t, "Poisson 50 -> 160 (15 sd) scores 55: single-bucket p 5e-6 from a Student-t with ν fitted to the residuals' kurtosis")
	s.expectHit(t, "shift onset", shift, shift.Add(2*time.Hour), nil)
}
