package timeseries

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestJobValidation(t *testing.T) {
	cases := []struct {
		name string
		d    Detector
		kind error
		msg  string
	}{
		{"unknown function", Detector{Function: "bogus"}, ErrConfig, `"bogus" is not a known function`},
		{"count with field", Detector{Function: "count", FieldName: "x"}, ErrConfig, "field_name cannot be used"},
		{"mean needs field", Detector{Function: "mean"}, ErrConfig, "requires field_name"},
		{"non_zero_count over", Detector{Function: "non_zero_count", OverFieldName: "u"}, ErrConfig, "over_field_name cannot be used"},
		{"non_null_sum over", Detector{Function: "non_null_sum", FieldName: "b", OverFieldName: "u"}, ErrConfig, "over_field_name cannot be used"},
		{"rare without by", Detector{Function: "rare"}, ErrConfig, "requires by_field_name"},
		{"rare exclude_frequent", Detector{Function: "rare", ByFieldName: "p", ExcludeFrequent: "all"}, ErrConfig, "exclude_frequent is not supported"},
		{"freq_rare needs over", Detector{Function: "freq_rare", ByFieldName: "p"}, ErrConfig, "requires over_field_name"},
		{"bad time zone", Detector{Function: "time_of_day", TimeZone: "Mars/Olympus"}, ErrConfig, "time_zone"},
		{"time zone on count", Detector{Function: "count", TimeZone: "UTC"}, ErrConfig, "only used by time_of_day"},
		{"metric over", Detector{Function: "metric", FieldName: "x", OverFieldName: "u"}, ErrUnsupported, "not supported"},
		{"lat_long", Detector{Function: "lat_long", FieldName: "x"}, ErrUnsupported, "does not support"},
		{"median over", Detector{Function: "median", FieldName: "x", OverFieldName: "x"}, ErrConfig, "same as field_name"},
		{"same by and partition", Detector{Function: "count", ByFieldName: "a", PartitionFieldName: "a"}, ErrConfig, "cannot be the same"},
		{"exclude_frequent", Detector{Function: "count", ExcludeFrequent: "sometimes"}, ErrConfig, "exclude_frequent"},
		{"missing function", Detector{}, ErrConfig, "function is missing"},
	}
	for _, c := range cases {
		_, err := New(Job{Detectors: []Detector{c.d}})
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err %v, want %v containing %q", c.name, err, c.kind, c.msg)
		}
	}
	jobs := []struct {
		name string
		j    Job
		msg  string
	}{
		{"no detectors", Job{}, "at least one detector"},
		{"fractional span", Job{BucketSpan: 1500 * time.Millisecond, Detectors: []Detector{{Function: "count"}}}, "whole number of seconds"},
		{"duplicate", Job{Detectors: []Detector{{Function: "count"}, {Function: "count"}}}, "duplicate detectors"},
		{"small memory", Job{MemoryLimit: 1000, Detectors: []Detector{{Function: "count"}}}, "below the minimum"},
		{"prune window", Job{PruneWindow: time.Minute, Detectors: []Detector{{Function: "count"}}}, "model_prune_window"},
		{"sensitivity", Job{Sensitivity: -1, Detectors: []Detector{{Function: "count"}}}, "sensitivity"},
	}
	for _, c := range jobs {
		_, err := New(c.j)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err %v, want ErrConfig containing %q", c.name, err, c.msg)
		}
	}
}

func TestElasticJSON(t *testing.T) {
	good := `{"job_id":"ssh","description":"ports","groups":["security"],
	 "analysis_config":{"bucket_span":"15m","latency":"2m","detectors":[
	   {"function":"high_count","partition_field_name":"destination.port","detector_description":"x","custom_rules":[]},
	   {"function":"high_distinct_count","field_name":"destination.ip","by_field_name":"source.ip","use_null":true}],
	  "influencers":["source.ip"],"summary_count_field_name":"doc_count","model_prune_window":"7d"},
	 "analysis_limits":{"model_memory_limit":"256mb"},
	 "data_description":{"time_field":"ts","time_format":"yyyy-MM-dd HH:mm:ss"},
	 "model_plot_config":{"enabled":false},
	 "datafeed_config":{"indices":["logs-*"],"runtime_mappings":{},"max_empty_searches":10,"query":{"bool":{"filter":[{"term":{"event.category":"network"}},{"range":{"bytes":{"gte":10}}}],"must_not":[{"exists":{"field":"tags"}}]}}}}`
	j, err := ParseElasticJSON(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if j.ID != "ssh" || j.BucketSpan != 15*time.Minute || j.Latency != 2*time.Minute || j.MemoryLimit != 256<<20 ||
		j.PruneWindow != 7*24*time.Hour || j.SummaryCountField != "doc_count" || j.TimeField != "ts" ||
		len(j.Detectors) != 2 || j.Detectors[1].FieldName != "destination.ip" || !j.Detectors[1].UseNull || j.Query == nil {
		t.Fatalf("parsed %+v", j)
	}
	bad := []struct{ name, json, msg string }{
		{"unknown top field", `{"analysis_config":{"detectors":[{"function":"count"}]},"frobnicate":1}`, `"frobnicate"`},
		{"unknown detector field", `{"analysis_config":{"detectors":[{"function":"count","weight":2}]}}`, `"analysis_config.detectors[0].weight"`},
		{"unknown function", `{"analysis_config":{"detectors":[{"function":"mode","field_name":"x"}]}}`, `"mode" is not a known function`},
		{"rules", `{"analysis_config":{"detectors":[{"function":"count","custom_rules":[{"actions":["skip_result"]}]}]}}`, "custom rules"},
		{"categorization", `{"analysis_config":{"categorization_field_name":"message","detectors":[{"function":"count"}]}}`, "categorization_field_name"},
		{"model plot", `{"analysis_config":{"detectors":[{"function":"count"}]},"model_plot_config":{"enabled":"yes"}}`, "model_plot_config.enabled"},
		{"query type", `{"analysis_config":{"detectors":[{"function":"count"}]},"datafeed_config":{"query":{"query_string":{"query":"a:b*"}}}}`, `"query_string"`},
		{"date math", `{"analysis_config":{"detectors":[{"function":"count"}]},"datafeed_config":{"query":{"range":{"@timestamp":{"gte":"now-1d"}}}}}`, "date math"},
		{"bad span", `{"analysis_config":{"bucket_span":"5 minutes","detectors":[{"function":"count"}]}}`, "bucket_span"},
		{"bad memory", `{"analysis_config":{"detectors":[{"function":"count"}]},"analysis_limits":{"model_memory_limit":"lots"}}`, "model_memory_limit"},
		{"bad time format", `{"analysis_config":{"detectors":[{"function":"count"}]},"data_description":{"time_format":"yyyy-QQ"}}`, "time_format"},
		{"not json", `{"analysis_config":`, "job JSON"},
		{"rare without by", `{"analysis_config":{"detectors":[{"function":"rare"}]}}`, "requires by_field_name"},
		{"bad time zone", `{"analysis_config":{"time_zone":"Europe/Nowhere","detectors":[{"function":"time_of_day"}]}}`, "time_zone"},
		{"runtime fields", `{"analysis_config":{"detectors":[{"function":"count","by_field_name":"x"}]},"datafeed_config":{"runtime_mappings":{"x":{"type":"keyword"}}}}`, "datafeed_config.runtime_mappings.x"},
		{"aggregations", `{"analysis_config":{"detectors":[{"function":"count"}],"summary_count_field_name":"doc_count"},"datafeed_config":{"aggregations":{"buckets":{}}}}`, "datafeed_config.aggregations"},
		{"over nzc", `{"analysis_config":{"detectors":[{"function":"non_zero_count","over_field_name":"source.ip"}]}}`, "over_field_name"},
	}
	for _, c := range bad {
		_, err := FromElasticJSON(strings.NewReader(c.json))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err %v, want one containing %s", c.name, err, c.msg)
		}
	}
}

func TestQuery(t *testing.T) {
	q, err := ParseQuery([]byte(`{"bool":{"must":[{"terms":{"port":[22,"23"]}}],
	  "should":[{"term":{"user":"root"}},{"range":{"bytes":{"gt":100,"lte":200}}}],"minimum_should_match":"1",
	  "must_not":{"term":{"src":{"value":"10.0.0.1"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	ev := func(port float64, user, src string, bytes float64) Event {
		return &MapEvent{Timestamp: t0, Strings: map[string]string{"user": user, "src": src}, Numbers: map[string]float64{"port": port, "bytes": bytes}}
	}
	cases := []struct {
		ev   Event
		want bool
	}{
		{ev(22, "root", "10.0.0.2", 0), true},
		{ev(23, "bob", "10.0.0.2", 150), true},
		{ev(23, "bob", "10.0.0.2", 100), false}, // gt 100 excludes 100
		{ev(23, "bob", "10.0.0.2", 200), true},  // lte 200 includes 200
		{ev(80, "root", "10.0.0.2", 0), false},
		{ev(22, "root", "10.0.0.1", 0), false},
	}
	for i, c := range cases {
		if got := q.Match(c.ev); got != c.want {
			t.Errorf("case %d: %v, want %v", i, got, c.want)
		}
	}
}

// feed puts events into bucket 0 and returns the accumulator values of
// every series, keyed by detector and entity.
func TestFunctionValues(t *testing.T) {
	job := Job{SummaryCountField: "n", Detectors: []Detector{
		{Function: "count", ByFieldName: "h"},
		{Function: "non_zero_count", ByFieldName: "h"},
		{Function: "distinct_count", FieldName: "u", ByFieldName: "h"},
		{Function: "mean", FieldName: "x", ByFieldName: "h"},
		{Function: "min", FieldName: "x", ByFieldName: "h"},
		{Function: "max", FieldName: "x", ByFieldName: "h"},
		{Function: "sum", FieldName: "x", ByFieldName: "h"},
		{Function: "non_null_sum", FieldName: "x", ByFieldName: "h"},
	}}
	e, err := New(job)
	if err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		h, u string
		x    float64
		n    float64
		hasX bool
	}{
		{"a", "u1", 3, 1, true}, {"a", "u2", 5, 2, true}, {"a", "u1", -1, 1, true}, {"a", "u3", 0, 4, false},
		{"b", "u9", 7, 1, true},
	}
	for i, r := range rows {
		ev := &MapEvent{Timestamp: t0.Add(time.Duration(i) * time.Second), Strings: map[string]string{"h": r.h, "u": r.u},
			Numbers: map[string]float64{"n": r.n}}
		if r.hasX {
			ev.Numbers["x"] = r.x
		}
		if _, err := e.Observe(ev); err != nil {
			t.Fatal(err)
		}
	}
	// Hand-computed: a has 1+2+1+4 = 8 events, users {u1,u2,u3}, x values
	// 3 (w1), 5 (w2), -1 (w1): weighted mean (3+10-1)/4 = 3, min -1, max 5,
	// sum 3+5-1 = 7.
	want := map[string][]float64{"a": {8, 8, 3, 3, -1, 5, 7, 7}, "b": {1, 1, 1, 7, 7, 7, 7, 7}}
	for h, w := range want {
		for di := range job.Detectors {
			idx, ok := e.index.get("", h, uint16(di))
			if !ok {
				t.Fatalf("no series %s/%d", h, di)
			}
			v, has, _ := bucketValue(e.dets[di].f.feat, &e.acc[int64(idx)*e.slots+e.slot(e.open)])
			if !has || v != w[di] {
				t.Errorf("%s %s: %v (has %v), want %v", job.Detectors[di].Function, h, v, has, w[di])
			}
		}
	}
	// Sides as Elastic: min low, max high, high_/low_ one-sided.
	for name, want := range map[string]side{"min": lowSide, "max": highSide, "high_count": highSide, "low_mean": lowSide, "sum": twoSided} {
		if functions[name].side != want {
			t.Errorf("%s side %d, want %d", name, functions[name].side, want)
		}
	}
}

func TestDistinctExactThenSketch(t *testing.T) {
	e, _ := New(Job{ExactDistinct: 100, Detectors: []Detector{{Function: "distinct_count", FieldName: "ip"}}})
	const n = 20000
	for i := 0; i < n; i++ {
		ip := "10." + itoa(i/65536) + "." + itoa(i/256%256) + "." + itoa(i%256)
		e.Observe(&MapEvent{Timestamp: t0, Strings: map[string]string{"ip": ip}})
		e.Observe(&MapEvent{Timestamp: t0, Strings: map[string]string{"ip": ip}}) // repeats do not count
		if i == 99 {
			v, _, _ := bucketValue(featDistinct, &e.acc[0])
			if v != 100 {
				t.Fatalf("exact count %v, want 100", v)
			}
		}
	}
	v, _, _ := bucketValue(featDistinct, &e.acc[0])
	// HyperLogLog precision 14: standard error 1.04/sqrt(16384) = 0.81%;
	// allow 4 standard errors.
	if rel := math.Abs(v-n) / n; rel > 4*0.0081 {
		t.Errorf("sketch count %v, relative error %.4f", v, rel)
	}
}

func itoa(i int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10)))
}

func TestBadEvents(t *testing.T) {
	e, _ := New(Job{Detectors: []Detector{{Function: "mean", FieldName: "bytes"}, {Function: "count"}}})
	cases := []struct {
		ev   Event
		kind error
	}{
		{&MapEvent{}, ErrTime},
		{&MapEvent{Timestamp: t0, Strings: map[string]string{"bytes": "lots"}}, ErrNotNumeric},
		{&MapEvent{Timestamp: t0, Numbers: map[string]float64{"bytes": math.NaN()}}, ErrBadValue},
	}
	for i, c := range cases {
		if _, err := e.Observe(c.ev); !errors.Is(err, c.kind) {
			t.Errorf("case %d: err %v, want %v", i, err, c.kind)
		}
	}
	if st := e.Stats(); st.BadTime != 1 || st.NotNumeric != 1 || st.BadValue != 1 || st.Events != 0 {
		t.Errorf("stats %+v", st)
	}
	// A missing metric field skips only that detector.
	e.Observe(&MapEvent{Timestamp: t0})
	e.Observe(&MapEvent{Timestamp: t0.Add(20 * time.Minute)})
	if _, err := e.Observe(&MapEvent{Timestamp: t0}); !errors.Is(err, ErrLate) {
		t.Errorf("late event: %v", err)
	}
	if st := e.Stats(); st.Events != 2 || st.MissingField != 2 || st.Late != 1 {
		t.Errorf("stats %+v", st)
	}
	// A typo'd year is refused, not run through a century of buckets.
	if _, err := e.Observe(&MapEvent{Timestamp: t0.AddDate(100, 0, 0)}); !errors.Is(err, ErrTime) || e.Stats().BadTime != 2 {
		t.Errorf("far-future event: %v, stats %+v", err, e.Stats())
	}
}

func TestLatencyOutOfOrder(t *testing.T) {
	job := Job{ID: "lat", Latency: 10 * time.Minute, Influencers: []string{"user"},
		Detectors: []Detector{{Function: "count", ByFieldName: "host"}, {Function: "sum", FieldName: "bytes", PartitionFieldName: "host"},
			{Function: "high_distinct_count", FieldName: "user"}}}
	evs := countStream(5, 7, 4*288+50, 9)
	ordered, _ := New(job)
	want, err := runAll(ordered, evs)
	if err != nil {
		t.Fatal(err)
	}
	// Reverse the order of events within blocks of up to 9 minutes: every
	// event is then at most 9 minutes late, within Latency.
	shuffled := append([]*testEvent(nil), evs...)
	for i := 0; i < len(shuffled); {
		j := i
		for j+1 < len(shuffled) && shuffled[j+1].t.Sub(shuffled[i].t) < 9*time.Minute {
			j++
		}
		for a, b := i, j; a < b; a, b = a+1, b-1 {
			shuffled[a], shuffled[b] = shuffled[b], shuffled[a]
		}
		i = j + 1
	}
	late, _ := New(job)
	got, err := runAll(late, shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d buckets, want %d", len(got), len(want))
	}
	for i := range want {
		if !equalResults(&got[i], &want[i]) {
			t.Fatalf("bucket %d differs:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	// Beyond Latency: counted and dropped.
	old := &testEvent{t: evs[len(evs)-1].t.Add(-time.Hour), strs: map[string]string{"host": "a"}}
	if _, err := late.Observe(old); !errors.Is(err, ErrLate) || late.Stats().Late != 1 {
		t.Errorf("late: %v, stats %+v", err, late.Stats())
	}
}

// equalResults compares two bucket results, ignoring the memory account
// (series are created in a different order, so arena slack may differ).
func equalResults(a, b *BucketResult) bool {
	x, y := *a, *b
	x.ModelSizeStats, y.ModelSizeStats = ModelSizeStats{}, ModelSizeStats{}
	return jsonEqual(x, y)
}

func jsonEqual(a, b BucketResult) bool {
	if string(a.AppendJSON(nil)) != string(b.AppendJSON(nil)) || len(a.Records) != len(b.Records) || len(a.Influencers) != len(b.Influencers) {
		return false
	}
	for i := range a.Records {
		if string(a.Records[i].AppendJSON(nil)) != string(b.Records[i].AppendJSON(nil)) || a.Records[i].Lower != b.Records[i].Lower {
			return false
		}
	}
	for i := range a.Influencers {
		if string(a.Influencers[i].AppendJSON(nil)) != string(b.Influencers[i].AppendJSON(nil)) {
			return false
		}
	}
	return true
}

func TestPrune(t *testing.T) {
	e, _ := New(Job{PruneWindow: time.Hour, Detectors: []Detector{{Function: "count", ByFieldName: "h"}}})
	e.Observe(&MapEvent{Timestamp: t0, Strings: map[string]string{"h": "once"}})
	for b := 0; b < 20; b++ {
		e.Observe(&MapEvent{Timestamp: t0.Add(time.Duration(b) * 5 * time.Minute), Strings: map[string]string{"h": "always"}})
	}
	if st := e.Stats(); st.Pruned != 1 {
		t.Fatalf("pruned %d, want 1", st.Pruned)
	}
	if ms := e.ModelSizeStats(); ms.Series != 1 {
		t.Errorf("series %d", ms.Series)
	}
	// A pruned entity that returns starts afresh in a reused slot.
	e.Observe(&MapEvent{Timestamp: t0.Add(2 * time.Hour), Strings: map[string]string{"h": "once"}})
	if len(e.series) != 2 {
		t.Errorf("arena %d, want the freed slot reused", len(e.series))
	}
}

func TestMemoryLimitFlood(t *testing.T) {
	n := 300_000
	if testing.Short() || raceEnabled {
		n = 50_000
	}
	if env := lookupEnvInt("VIGIL_FLOOD", 0); env > 0 {
		n = env
	}
	const limit = 8 << 20
	e, _ := New(Job{MemoryLimit: limit, Detectors: []Detector{{Function: "count", PartitionFieldName: "src"}}})
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var buf [32]byte
	ev := &MapEvent{Strings: map[string]string{}}
	worst := int64(0)
	status := MemoryOK
	for i := 0; i < n; i++ {
		// ten new entities per second of event time: buckets close as the flood goes on
		ev.Timestamp = t0.Add(time.Duration(i) * 100 * time.Millisecond)
		b := append(buf[:0], "ip-"...)
		b = appendInt(b, i)
		ev.Strings["src"] = string(b)
		res, err := e.Observe(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			worst = max(worst, r.ModelSizeStats.ModelBytes)
			if r.ModelSizeStats.MemoryStatus > status {
				status = r.ModelSizeStats.MemoryStatus
			}
		}
		worst = max(worst, e.bytes)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	st := e.Stats()
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d new entities: %d modelled at the end, %d refused, %d pruned, worst model_bytes %d of %d, Go heap growth %d (%.2f× limit)",
		n, e.ModelSizeStats().Series, st.Refused, st.Pruned, worst, limit, heap, float64(heap)/limit)
	if worst > limit {
		t.Errorf("model_bytes reached %d, over the %d limit", worst, limit)
	}
	if st.Refused == 0 || status != MemoryHardLimit {
		t.Errorf("refused %d, status %v: the flood should hit the limit", st.Refused, status)
	}
	// The accounting is honest: the heap stays within 1.25× the limit.
	if float64(heap) > 1.25*limit {
		t.Errorf("heap grew %d bytes, more than 1.25× the limit", heap)
	}
}

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}

func TestTimeParser(t *testing.T) {
	want := time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC)
	cases := []struct {
		format, in string
		num        float64
		isNum      bool
	}{
		{"", "2026-03-02T10:04:05Z", 0, false},
		{"", "2026-03-02T12:04:05+02:00", 0, false},
		{"", "2026-03-02T10:04:05", 0, false},
		{"", "1772445845000", 0, false},
		{"", "", 1772445845000, true},
		{"epoch_ms", "", 1772445845000, true},
		{"epoch", "", 1772445845, true},
		{"epoch", "1772445845", 0, false},
		{"yyyy-MM-dd HH:mm:ss", "2026-03-02 10:04:05", 0, false},
		{"dd/MMM/yyyy:HH:mm:ss Z", "02/Mar/2026:11:04:05 +0100", 0, false},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2026-03-02T10:04:05.000Z", 0, false},
	}
	for _, c := range cases {
		p, err := NewTimeParser(c.format)
		if err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if c.isNum {
			got, err = p.ParseNumber(c.num)
		} else {
			got, err = p.ParseString(c.in)
		}
		if err != nil || !got.Equal(want) {
			t.Errorf("%q %q %v: %v %v", c.format, c.in, c.num, got, err)
		}
	}
	p, _ := NewTimeParser("")
	if _, err := p.ParseString("yesterday"); err == nil {
		t.Error("parsed yesterday")
	}
	if _, err := NewTimeParser("yyyy-ww"); err == nil {
		t.Error("accepted week-of-year letters")
	}
}
