package timeseries_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ml/vigil/timeseries"
)

// An Elastic job ported unchanged: failed logins per user, one burst.
func Example() {
	job, err := timeseries.FromElasticJSON(strings.NewReader(`{
	  "job_id": "failed-logins",
	  "analysis_config": {"bucket_span": "5m",
	    "detectors": [{"function": "high_count", "by_field_name": "user.name"}],
	    "influencers": ["source.ip"]},
	  "datafeed_config": {"query": {"term": {"event.outcome": "failure"}}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	ev := &timeseries.MapEvent{Strings: map[string]string{"user.name": "alice", "event.outcome": "failure"}}
	show := func(res []timeseries.BucketResult) {
		for _, b := range res {
			for _, r := range b.Records {
				if r.RecordScore >= 75 {
					fmt.Printf("%s %s=%s actual %.0f typical %.1f score %.0f (%s) source.ip %v\n",
						r.Timestamp.Format("Jan 2 15:04"), r.ByFieldName, r.ByFieldValue, r.Actual, r.Typical,
						r.RecordScore, r.Severity, r.Influencers[0].FieldValues)
				}
			}
		}
	}
	for k := 0; k < 3*288; k++ { // three days of 5-minute buckets
		n := 5 + k%3
		if k == 2*288+120 {
			n = 120 // a password-spraying burst
		}
		for i := 0; i < n; i++ {
			ev.Timestamp = start.Add(time.Duration(k)*5*time.Minute + time.Duration(i)*time.Second)
			ev.Strings["source.ip"] = fmt.Sprintf("10.0.0.%d", i%4)
			if n == 120 {
				ev.Strings["source.ip"] = "203.0.113.9"
			}
			res, err := job.Observe(ev)
			if err != nil {
				fmt.Println(err)
				return
			}
			show(res)
		}
	}
	res, _ := job.Flush()
	show(res)
	// Output:
	// Mar 4 10:00 user.name=alice actual 120 typical 6.0 score 100 (critical) source.ip [203.0.113.9]
}

func ExampleProbabilityScore() {
	for _, p := range []float64{0.05, 1e-3, 1e-5, 4.7e-7, 1e-8} {
		s := timeseries.ProbabilityScore(p)
		fmt.Printf("p=%g score=%.1f %s\n", p, s, timeseries.SeverityOf(s))
	}
	// Output:
	// p=0.05 score=0.0 warning
	// p=0.001 score=25.4 minor
	// p=1e-05 score=55.2 major
	// p=4.7e-07 score=75.0 critical
	// p=1e-08 score=100.0 critical
}
