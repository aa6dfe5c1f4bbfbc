package timeseries_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ml/vigil/timeseries"
)

// Population analysis: each source address against all addresses; one
// address sweeps 40 ports where the others touch two or three.
func Example_population() {
	job, err := timeseries.FromElasticJSON(strings.NewReader(`{
	  "job_id": "port-scan",
	  "analysis_config": {"bucket_span": "15m",
	    "detectors": [{"function": "high_distinct_count", "field_name": "destination.port", "over_field_name": "source.ip"}]}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	ev := &timeseries.MapEvent{Strings: map[string]string{}}
	var recs []timeseries.Record
	feed := func(t time.Time, ip, port string) {
		ev.Timestamp, ev.Strings["source.ip"], ev.Strings["destination.port"] = t, ip, port
		res, _ := job.Observe(ev)
		for _, b := range res {
			recs = append(recs, b.Records...)
		}
	}
	for b := 0; b < 20; b++ {
		t := start.Add(time.Duration(b) * 15 * time.Minute)
		for h := 0; h < 100; h++ {
			for p := 0; p < 2+(h+b)%2; p++ {
				feed(t.Add(time.Duration(h)*time.Second), fmt.Sprintf("10.0.0.%d", h), fmt.Sprint(443+p))
			}
		}
		if b == 19 {
			for p := 0; p < 40; p++ { // on top of its usual three
				feed(t.Add(time.Duration(100+p)*time.Second), "10.0.0.66", fmt.Sprint(20+p))
			}
		}
	}
	res, _ := job.Flush()
	for _, b := range res {
		recs = append(recs, b.Records...)
	}
	for _, r := range recs {
		if r.RecordScore >= 75 {
			fmt.Printf("%s %s=%s: %.0f distinct ports, population typical %.1f, score %.0f (%s)\n",
				r.Timestamp.Format("15:04"), r.OverFieldName, r.OverFieldValue, r.Actual, r.Typical, r.RecordScore, r.Severity)
		}
	}
	// Output:
	// 04:45 source.ip=10.0.0.66: 43 distinct ports, population typical 2.5, score 100 (critical)
}

// time_of_day on the circle, in the user's time zone: a user who works
// around midnight Berlin time is not anomalous at 00:05 or 23:55, and is
// at noon.
func Example_timeOfDay() {
	job, err := timeseries.New(timeseries.Job{BucketSpan: 10 * time.Minute, TimeZone: "Europe/Berlin",
		Detectors: []timeseries.Detector{{Function: "time_of_day", ByFieldName: "user.name"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ev := &timeseries.MapEvent{Strings: map[string]string{"user.name": "owl"}}
	show := func(res []timeseries.BucketResult) {
		for _, b := range res {
			for _, r := range b.Records {
				fmt.Printf("%s local: score %.0f, typical %02.0f:%02.0f\n", b.Timestamp.In(berlin).Format("Jan 2 15:04"),
					r.RecordScore, float64(int(r.Typical)/3600), float64(int(r.Typical)%3600/60))
			}
		}
	}
	for d := 0; d < 21; d++ {
		for _, m := range []int{-15, -5, 5, 15} {
			ev.Timestamp = time.Date(2026, 3, 2+d, 0, m, 0, 0, berlin)
			res, _ := job.Observe(ev)
			show(res)
		}
	}
	for _, t := range []time.Time{
		time.Date(2026, 3, 24, 0, 5, 0, 0, berlin),
		time.Date(2026, 3, 24, 23, 55, 0, 0, berlin),
		time.Date(2026, 3, 26, 12, 0, 0, 0, berlin),
	} {
		ev.Timestamp = t
		res, _ := job.Observe(ev)
		show(res)
	}
	res, _ := job.Flush()
	show(res)
	// Output:
	// Mar 26 12:00 local: score 100, typical 23:52
}
