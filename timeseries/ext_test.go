package timeseries

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// TestExtSnapshot: jobs with population, rare and time-of detectors
// snapshotted mid-stream (with open buckets under Latency) continue
// bit-identically, and shuffled events within Latency give the same
// results as ordered ones.
func TestExtSnapshot(t *testing.T) {
	job := Job{ID: "ext", Latency: 10 * time.Minute, TimeZone: "Europe/Berlin",
		Detectors: []Detector{
			{Function: "high_count", OverFieldName: "host"},
			{Function: "distinct_count", FieldName: "user", OverFieldName: "host", ExcludeFrequent: "none"},
			{Function: "mean", FieldName: "bytes", ByFieldName: "user", OverFieldName: "host"},
			{Function: "rare", ByFieldName: "user", PartitionFieldName: "host"},
			{Function: "freq_rare", ByFieldName: "user", OverFieldName: "host"},
			{Function: "time_of_day", ByFieldName: "host"},
			{Function: "time_of_week", OverFieldName: "host", TimeZone: "America/New_York"},
		},
		Influencers: []string{"user", "host"}, ExactDistinct: 2}
	testSnapshot(t, job)
}

func TestExtElasticJSON(t *testing.T) {
	src := `{"job_id":"pop","analysis_config":{"bucket_span":"15m","time_zone":"Europe/Berlin",
		"detectors":[{"function":"high_distinct_count","field_name":"destination.port","over_field_name":"source.ip"},
		{"function":"time_of_day","by_field_name":"user.name","time_zone":"Asia/Seoul"},
		{"function":"freq_rare","by_field_name":"url.path","over_field_name":"source.ip"}],
		"influencers":["source.ip"]}}`
	job, err := ParseElasticJSON(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if job.TimeZone != "Europe/Berlin" || job.Detectors[1].TimeZone != "Asia/Seoul" || job.Detectors[0].OverFieldName != "source.ip" {
		t.Fatalf("parsed %+v", job)
	}
	// Without time_zone the job is Elastic's: UTC.
	job, err = ParseElasticJSON(strings.NewReader(`{"analysis_config":{"detectors":[{"function":"time_of_week","by_field_name":"u"}]}}`))
	if err != nil || job.TimeZone != "" {
		t.Fatalf("job %+v, err %v", job, err)
	}
	e, _ := New(job)
	if loc := e.x.dets[0].loc; loc.String() != "UTC" {
		t.Errorf("default zone %v", loc)
	}
}

// TestPopulationRecordJSON checks a population record's document: over
// fields, causes and Elastic's shapes.
func TestPopulationRecordJSON(t *testing.T) {
	e, err := New(Job{ID: "p", BucketSpan: 15 * time.Minute, Detectors: []Detector{{Function: "high_count", ByFieldName: "destination.port", OverFieldName: "source.ip"}}})
	if err != nil {
		t.Fatal(err)
	}
	var evs []*testEvent
	for b := 0; b < 30; b++ {
		for u := 0; u < 50; u++ {
			n := 3 + (u+b)%3
			if u == 7 && b == 29 {
				n = 300
			}
			for i := 0; i < n; i++ {
				evs = append(evs, &testEvent{t: t0.Add(time.Duration(b)*15*time.Minute + time.Duration(i)*time.Second),
					strs: map[string]string{"source.ip": "10.0.0." + string(rune('a'+u%26)) + string(rune('a'+u/26)), "destination.port": []string{"22", "443"}[i%2]}})
			}
		}
	}
	sortEvents(evs)
	res, err := runAll(e, evs)
	if err != nil {
		t.Fatal(err)
	}
	var found *Record
	for i := range res {
		for j := range res[i].Records {
			if res[i].Records[j].OverFieldValue == "10.0.0.ha" {
				found = &res[i].Records[j]
			}
		}
	}
	if found == nil {
		t.Fatal("no record for the burst")
	}
	var doc map[string]any
	if err := json.Unmarshal(found.AppendJSON(nil), &doc); err != nil {
		t.Fatal(err)
	}
	causes, _ := doc["causes"].([]any)
	if doc["over_field_name"] != "source.ip" || doc["over_field_value"] != "10.0.0.ha" || len(causes) != 2 {
		t.Fatalf("document %v", doc)
	}
	c0 := causes[0].(map[string]any)
	if act := c0["actual"].([]any)[0].(float64); act != 150 || c0["by_field_name"] != "destination.port" {
		t.Errorf("cause %v", c0)
	}
	if found.RecordScore < 75 || math.Abs(found.Typical-2) > 0.7 {
		t.Errorf("burst record score %.1f typical %.2f", found.RecordScore, found.Typical)
	}
}
