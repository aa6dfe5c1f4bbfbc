package timeseries

import (
	"fmt"
	"testing"
	"time"
)

// benchRulesEngine runs two days of a count job by 1,000 users (one event
// per user and 5-minute bucket), with or without a scoped rule and a
// calendar, and returns it with the next bucket's time.
func benchRulesEngine(b *testing.B, rules bool) (*Engine, []*flatEvent) {
	job := Job{Detectors: []Detector{{Function: "count", ByFieldName: "host"}}}
	if rules {
		job.Filters = []Filter{{ID: "svc", Items: []string{"host-00*", "*-999"}}}
		job.Detectors[0].Rules = []Rule{
			{Actions: []string{"skip_result", "skip_model_update"}, Scope: []RuleScope{{FieldName: "host", FilterID: "svc"}}},
			{Conditions: []RuleCondition{{"actual", "lt", 2}, {"diff_from_typical", "lt", 1}}},
		}
		job.Calendars = []Calendar{{ID: "c", Events: []ScheduledEvent{{Start: t0.Add(-48 * time.Hour), End: t0.Add(-47 * time.Hour)}}}}
	}
	e, err := New(job)
	if err != nil {
		b.Fatal(err)
	}
	evs := make([]*flatEvent, 1000)
	for i := range evs {
		evs[i] = &flatEvent{host: fmt.Sprintf("host-%04d", i)}
	}
	return e, evs
}

// BenchmarkCloseRules and BenchmarkCloseNoRules: the cost of rules and
// calendars on bucket closes (a scoped rule and a conditional rule on every
// series; a calendar the stream never meets), per bucket of 1,000 series.
// Compare the two in one run.
func BenchmarkCloseRules(b *testing.B)   { benchClose(b, true) }
func BenchmarkCloseNoRules(b *testing.B) { benchClose(b, false) }

func benchClose(b *testing.B, rules bool) {
	e, evs := benchRulesEngine(b, rules)
	bucket := 0
	feed := func() {
		ts := t0.Add(time.Duration(bucket) * 5 * time.Minute)
		for _, ev := range evs {
			ev.t = ts
			if _, err := e.Observe(ev); err != nil {
				b.Fatal(err)
			}
		}
		bucket++
	}
	for bucket < 576 { // two days of warm-up
		feed()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		feed()
	}
}

// BenchmarkForecast: a one-day forecast (288 buckets) of 1,000 series
// with daily seasonality.
func BenchmarkForecast(b *testing.B) {
	e, evs := benchRulesEngine(b, false)
	for bucket := 0; bucket < 7*288; bucket++ {
		ts := t0.Add(time.Duration(bucket) * 5 * time.Minute)
		for k, ev := range evs {
			if (bucket/12+k)%3 == 0 { // a daily on/off pattern per host
				continue
			}
			ev.t = ts
			e.Observe(ev)
		}
	}
	e.Flush()
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		fc, err := e.Forecast(24 * time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		n = len(fc)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}
