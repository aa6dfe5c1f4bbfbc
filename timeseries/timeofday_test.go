package timeseries

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// nightOwl acts around midnight every night for days: a few events within
// ±20 minutes of 00:00 local time.
func nightOwl(loc *time.Location, days int, r *rand.Rand) []*testEvent {
	var evs []*testEvent
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, loc)
	for d := 0; d < days; d++ {
		mid := start.AddDate(0, 0, d)
		for i := 0; i < 4; i++ {
			off := time.Duration(r.IntN(40)-20) * time.Minute
			evs = append(evs, &testEvent{t: mid.Add(off), strs: map[string]string{"user.name": "owl"}})
		}
	}
	sortEvents(evs)
	return evs
}

func TestTimeOfDayMidnight(t *testing.T) {
	cases := []struct {
		name    string
		at      func(day time.Time) time.Time
		anomaly bool
	}{
		{"23:55", func(d time.Time) time.Time { return d.Add(-5 * time.Minute) }, false},
		{"00:05", func(d time.Time) time.Time { return d.Add(5 * time.Minute) }, false},
		{"12:00", func(d time.Time) time.Time { return d.Add(12 * time.Hour) }, true},
		{"03:30", func(d time.Time) time.Time { return d.Add(3*time.Hour + 30*time.Minute) }, true},
	}
	for _, fn := range []string{"time_of_day", "time_of_week"} {
		for _, c := range cases {
			if fn == "time_of_week" && c.name == "03:30" {
				continue
			}
			r := rand.New(rand.NewPCG(3, 3))
			evs := nightOwl(time.UTC, 28, r)
			last := evs[len(evs)-1].t
			day := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2)
			probe := c.at(day)
			evs = append(evs, &testEvent{t: probe, strs: map[string]string{"user.name": "owl"}})
			e, err := New(Job{BucketSpan: 10 * time.Minute, Detectors: []Detector{{Function: fn, ByFieldName: "user.name"}}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := runAll(e, evs)
			if err != nil {
				t.Fatal(err)
			}
			var score float64
			var other float64
			for _, br := range res {
				for _, rec := range br.Records {
					if !br.Timestamp.After(probe.Add(-10*time.Minute)) || br.Timestamp.After(probe) {
						other = max(other, rec.RecordScore)
						continue
					}
					score = max(score, rec.RecordScore)
				}
			}
			t.Logf("%s %s: score %.1f (others %.1f)", fn, c.name, score, other)
			if c.anomaly && score < 75 {
				t.Errorf("%s %s scored %.1f, want ≥ 75", fn, c.name, score)
			}
			if !c.anomaly && score > 0 {
				t.Errorf("%s %s scored %.1f, want no record", fn, c.name, score)
			}
			if other >= 25 {
				t.Errorf("%s: routine nights scored up to %.1f", fn, other)
			}
		}
	}
}

// TestTimeOfDayDST: a month of hourly activity in office hours (local
// time) across a daylight-saving switch produces no record ≥ 50 when the
// job knows the zone.
func TestTimeOfDayDST(t *testing.T) {
	for _, tc := range []struct {
		zone  string
		start time.Time // a Monday two weeks before the switch
	}{
		{"Europe/Berlin", time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)},     // switch 29 March
		{"America/New_York", time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)},  // switch 8 March
		{"Europe/Berlin", time.Date(2026, 10, 12, 0, 0, 0, 0, time.UTC)},    // back 25 October
		{"America/New_York", time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC)}, // back 1 November
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Skipf("no zone data: %v", err)
		}
		r := rand.New(rand.NewPCG(5, 5))
		var evs []*testEvent
		for d := 0; d < 31; d++ {
			y, m, dd := tc.start.AddDate(0, 0, d).Date()
			for _, user := range []string{"alice", "bob", "carol"} {
				for h := 8; h <= 17; h++ { // hourly, in local office hours
					ts := time.Date(y, m, dd, h, r.IntN(60), 0, 0, loc)
					evs = append(evs, &testEvent{t: ts, strs: map[string]string{"user.name": user}})
				}
			}
		}
		sortEvents(evs)
		// The mechanism: 08:30 local a week before and a week after the
		// switch is the same phase in the zone, an hour apart in UTC.
		before := time.Date(tc.start.Year(), tc.start.Month(), tc.start.Day()+3, 8, 30, 0, 0, loc)
		after := before.AddDate(0, 0, 21)
		zoned, _ := New(Job{TimeZone: tc.zone, Detectors: []Detector{{Function: "time_of_day"}}})
		utc, _ := New(Job{Detectors: []Detector{{Function: "time_of_day"}}})
		if pz, pu := zoned.x.dets[0].phase(after)-zoned.x.dets[0].phase(before), utc.x.dets[0].phase(after)-utc.x.dets[0].phase(before); pz != 0 || math.Abs(pu) != 3600 {
			t.Fatalf("%s: phase shift across the switch %v in the zone (want 0), %v in UTC (want ±3600)", tc.zone, pz, pu)
		}
		for _, fn := range []string{"time_of_day", "time_of_week"} {
			e, err := New(Job{BucketSpan: time.Hour, TimeZone: tc.zone, Detectors: []Detector{{Function: fn, ByFieldName: "user.name"}}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := runAll(e, evs)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for _, br := range res {
				for _, rec := range br.Records {
					worst = max(worst, rec.RecordScore)
				}
			}
			t.Logf("%s %s from %s: highest record %.1f", tc.zone, fn, tc.start.Format("2006-01-02"), worst)
			if worst >= 50 {
				t.Errorf("%s %s: a record scored %.1f across the switch, want < 50", tc.zone, fn, worst)
			}
		}
	}
}
