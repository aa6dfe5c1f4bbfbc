package timeseries

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ml/vigil/internal/codec"
)

// TestExtSnapshot: jobs with population, rare and time-of detectors
// snapshotted mid-stream (with open buckets under Latency) continue
// bit-identically, and shuffled events within Latency give the same
// results as ordered ones.
func TestExtSnapshot(t *testing.T) {
	job := Job{ID: "ext", Latency: 10 * time.Minute, TimeZone: "Europe/Berlin",
		Detectors: []Detector{
			{Function: "high_count", OverFieldName: "host", ExcludeFrequent: "all"},
			{Function: "distinct_count", FieldName: "user", OverFieldName: "host", ExcludeFrequent: "none"},
			{Function: "mean", FieldName: "bytes", ByFieldName: "user", OverFieldName: "host"},
			{Function: "rare", ByFieldName: "user", PartitionFieldName: "host"},
			{Function: "freq_rare", ByFieldName: "user", OverFieldName: "host"},
			{Function: "time_of_day", ByFieldName: "host"},
			{Function: "time_of_week", OverFieldName: "host", TimeZone: "America/New_York"},
		},
		Influencers: []string{"user", "host"}, ExactDistinct: 2}
	days, cuts := 3, []int{1, 1 << 13, 1 << 14}
	if raceEnabled {
		days, cuts = 2, []int{1 << 12}
	}
	evs := countStream(days, 4, days*288-9, 8)
	straight, err := New(job)
	if err != nil {
		t.Fatal(err)
	}
	want, err := runAll(straight, evs)
	if err != nil {
		t.Fatal(err)
	}
	records := 0
	for _, br := range want {
		records += len(br.Records)
	}
	if records == 0 {
		t.Fatal("no records: the comparison would prove little")
	}
	for _, cut := range append(cuts, len(evs)-5) {
		a, _ := New(job)
		var got []BucketResult
		for _, ev := range evs[:cut] {
			res, err := a.Observe(ev)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, res...)
		}
		snap, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var b Engine
		if err := b.UnmarshalBinary(snap); err != nil {
			t.Fatal(err)
		}
		rest, err := runAll(&b, evs[cut:])
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rest...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: results after restore differ from the straight run", cut)
		}
		if b.Stats() != straight.Stats() || b.ModelSizeStats() != straight.ModelSizeStats() {
			t.Fatalf("cut %d: stats differ after restore", cut)
		}
		// A truncated snapshot is refused, never a panic.
		var c Engine
		if err := c.UnmarshalBinary(snap[:len(snap)-len(snap)/3]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut %d: truncated snapshot gave %v", cut, err)
		}
	}
}

// TestExtShuffledWithinLatency: events shuffled within Latency give the
// same results as ordered ones (the extension detectors learn each bucket
// in key order at its close).
func TestExtShuffledWithinLatency(t *testing.T) {
	job := Job{Latency: 10 * time.Minute, Detectors: []Detector{
		{Function: "distinct_count", FieldName: "user", OverFieldName: "host"},
		{Function: "rare", ByFieldName: "user", OverFieldName: "host"},
		{Function: "time_of_day", ByFieldName: "host"},
	}, Influencers: []string{"user"}}
	evs := countStream(2, 9, 300, 6)
	a, _ := New(job)
	want, err := runAll(a, evs)
	if err != nil {
		t.Fatal(err)
	}
	// Shuffle the events of each 5-minute bucket.
	sh := append([]*testEvent(nil), evs...)
	r := rand.New(rand.NewPCG(1, 2))
	for lo := 0; lo < len(sh); {
		hi := lo
		for hi < len(sh) && sh[hi].t.Truncate(5*time.Minute).Equal(sh[lo].t.Truncate(5*time.Minute)) {
			hi++
		}
		r.Shuffle(hi-lo, func(i, j int) { sh[lo+i], sh[lo+j] = sh[lo+j], sh[lo+i] })
		lo = hi
	}
	b, _ := New(job)
	got, err := runAll(b, sh)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, recs := range stripCounts(want) {
		n += len(recs)
	}
	if n == 0 {
		t.Fatal("no records to compare")
	}
	if !reflect.DeepEqual(stripCounts(got), stripCounts(want)) {
		t.Fatal("shuffled events within latency changed the results")
	}
}

// stripCounts keeps what must not depend on the order: the records.
func stripCounts(res []BucketResult) [][]Record {
	var out [][]Record
	for _, r := range res {
		out = append(out, r.Records)
	}
	return out
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

// TestExtMemoryFlood: a flood of new people, by values and entities stays
// within the memory limit; what does not fit is refused and counted.
func TestExtMemoryFlood(t *testing.T) {
	n := 60000
	if raceEnabled {
		n = 20000
	}
	for _, d := range []Detector{
		{Function: "high_count", ByFieldName: "port", OverFieldName: "user"},
		{Function: "time_of_day", ByFieldName: "user"},
		{Function: "rare", ByFieldName: "port", OverFieldName: "user"},
	} {
		lim := int64(2 << 20)
		e, err := New(Job{MemoryLimit: lim, Detectors: []Detector{d}, Influencers: []string{"host"}})
		if err != nil {
			t.Fatal(err)
		}
		peak := int64(0)
		for b := 0; b < 4; b++ {
			for i := 0; i < n; i++ {
				ev := &testEvent{t: t0.Add(time.Duration(b)*5*time.Minute + time.Duration(i)*time.Millisecond),
					strs: map[string]string{"user": "u" + strconv.Itoa(b*n+i), "port": strconv.Itoa(i), "host": "h" + strconv.Itoa(i)}}
				res, err := e.Observe(ev)
				if err != nil {
					t.Fatal(err)
				}
				_ = res
				ms := e.ModelSizeStats()
				peak = max(peak, ms.ModelBytes)
				if ms.ModelBytes > lim {
					t.Fatalf("%s: %d model bytes, limit %d", d.Function, ms.ModelBytes, lim)
				}
			}
		}
		res, _ := e.Flush()
		st := e.Stats()
		t.Logf("%s: peak %d of %d bytes, refused %d, influencers dropped %d, last status %v", d.Function, peak, lim, st.Refused, st.InfluencersDropped, res[len(res)-1].ModelSizeStats.MemoryStatus)
		if d.Function != "rare" && st.Refused == 0 {
			t.Errorf("%s: nothing refused in a flood of %d entities", d.Function, 4*n)
		}
	}
}

// FuzzExtUnmarshalBinary: snapshots of the extension detectors, mutated,
// are refused with ErrCorrupt or restore into an Engine that runs.
func FuzzExtUnmarshalBinary(f *testing.F) {
	job := Job{Latency: 5 * time.Minute, TimeZone: "Asia/Seoul", Detectors: []Detector{
		{Function: "distinct_count", FieldName: "user", OverFieldName: "host", ExcludeFrequent: "all"},
		{Function: "rare", ByFieldName: "user", PartitionFieldName: "host"},
		{Function: "freq_rare", ByFieldName: "user", OverFieldName: "host"},
		{Function: "time_of_week", ByFieldName: "host"},
	}, Influencers: []string{"user"}, ExactDistinct: 2}
	e, _ := New(job)
	for _, ev := range countStream(1, 5, -1, 1)[:3000] {
		e.Observe(ev)
	}
	snap, _ := e.MarshalBinary()
	f.Add(snap[6 : len(snap)-4])
	f.Fuzz(func(t *testing.T, payload []byte) {
		var z Engine
		if err := z.UnmarshalBinary(codec.Seal(snapMagic, snapVersion, payload)); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		ev := &testEvent{t: time.UnixMilli(z.latest).Add(10 * time.Minute), strs: map[string]string{"host": "a", "user": "u"}}
		z.Observe(ev)
		z.Flush()
		if _, err := z.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	})
}
