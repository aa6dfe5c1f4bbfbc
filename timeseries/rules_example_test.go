package timeseries_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ml/vigil/timeseries"
)

// Custom rules, filters and calendars come in Elastic's JSON: the filters
// and calendars, which Elastic stores apart from jobs, as top-level arrays.
func ExampleParseElasticJSON_rules() {
	job, err := timeseries.ParseElasticJSON(strings.NewReader(`{
	  "analysis_config": {"bucket_span": "1h", "detectors": [{
	    "function": "high_count", "by_field_name": "user.name",
	    "custom_rules": [{"actions": ["skip_result", "skip_model_update"],
	      "scope": {"user.name": {"filter_id": "service_accounts", "filter_type": "include"}}},
	      {"conditions": [{"applies_to": "actual", "operator": "lt", "value": 10}]}]}]},
	  "filters": [{"filter_id": "service_accounts", "items": ["svc-*"]}],
	  "calendars": [{"calendar_id": "month-end", "events": [
	    {"description": "close", "start_time": 1772265600000, "end_time": 1772287200000}]}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := job.Detectors[0].Rules
	fmt.Println(r[0].Actions, r[0].Scope[0].FieldName, r[0].Scope[0].FilterID)
	fmt.Println(r[1].Conditions[0].AppliesTo, r[1].Conditions[0].Operator, r[1].Conditions[0].Value)
	ev := job.Calendars[0].Events[0]
	fmt.Println(ev.Description, ev.Start.Format(time.RFC3339), ev.End.Sub(ev.Start))
	// Output:
	// [skip_result skip_model_update] user.name service_accounts
	// actual lt 10
	// close 2026-02-28T08:00:00Z 6h0m0s
}

// Forecast a day ahead of the last closed bucket.
func ExampleEngine_Forecast() {
	e, _ := timeseries.New(timeseries.Job{BucketSpan: time.Hour, Detectors: []timeseries.Detector{{Function: "count"}}})
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for h := 0; h < 7*24; h++ {
		for k := 0; k < 10+h%24; k++ { // a daily ramp from 10 to 33 events an hour
			e.Observe(&timeseries.MapEvent{Timestamp: t0.Add(time.Duration(h)*time.Hour + time.Duration(k)*time.Minute)})
		}
	}
	e.Flush()
	fc, err := e.Forecast(24 * time.Hour)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(fc), fc[0].Timestamp.Format(time.RFC3339))
	_, err = e.Forecast(8 * 24 * time.Hour)
	fmt.Println(err)
	// Output:
	// 24 2026-03-09T00:00:00Z
	// timeseries: duration 192h0m0s is longer than the job's history of 168h0m0s: forecasts reach at most as far ahead as the data behind them
}
