package timeseries

import (
	"testing"
	"time"
)

// Inputs as real shippers write them: numbers as strings (Elasticsearch
// coerces them, and Elastic's ML reads every value as text), times with
// offsets and fractions, epoch_ms as a string, Java time patterns.
func TestScenarioInputForms(t *testing.T) {
	for _, tc := range []struct {
		name, dd, line string
		want           time.Time
		bytes          float64
	}{
		{"offset", `{"time_field":"@timestamp"}`, `{"@timestamp":"2026-03-02T09:00:00+09:00","source.bytes":7}`, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 7},
		{"nanos", `{}`, `{"@timestamp":"2026-03-02T00:00:00.123456789Z","source.bytes":7}`, time.Date(2026, 3, 2, 0, 0, 0, 123456789, time.UTC), 7},
		{"numeric string", `{}`, `{"@timestamp":"2026-03-02T00:00:00Z","source.bytes":"1234"}`, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 1234},
		{"epoch_ms string", `{"time_field":"ts","time_format":"epoch_ms"}`, `{"ts":"1772409600000","source.bytes":7}`, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 7},
		{"epoch seconds", `{"time_field":"ts","time_format":"epoch"}`, `{"ts":1772409600,"source.bytes":7}`, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 7},
		{"java pattern", `{"time_field":"ts","time_format":"yyyy-MM-dd HH:mm:ss"}`, `{"ts":"2026-03-02 00:00:00","source.bytes":7}`, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 7},
		{"apache pattern", `{"time_field":"ts","time_format":"dd/MMM/yyyy:HH:mm:ss Z"}`, `{"ts":"02/Mar/2026:01:00:00 +0100","source.bytes":7}`, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job := `{"job_id":"in","analysis_config":{"bucket_span":"1h","detectors":[{"function":"sum","field_name":"source.bytes"}]},"data_description":` + tc.dd + `}`
			j, err := ParseElasticJSON(stringsReader(job))
			if err != nil {
				t.Fatalf("job: %v", err)
			}
			e, err := New(j)
			if err != nil {
				t.Fatal(err)
			}
			rd, err := NewNDJSONReader(stringsReader(tc.line+"\n"), e.Job(), e.Fields())
			if err != nil {
				t.Fatal(err)
			}
			ev, err := rd.Next()
			if err != nil {
				t.Fatalf("%s: %v", tc.line, err)
			}
			if !ev.Time().Equal(tc.want) {
				t.Errorf("time %v, want %v", ev.Time(), tc.want)
			}
			if v, ok := ev.Number("source.bytes"); !ok || v != tc.bytes {
				t.Errorf("source.bytes %v %v, want %v", v, ok, tc.bytes)
			}
		})
	}
}
