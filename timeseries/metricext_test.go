package timeseries

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// maxScores returns the largest record score per by/partition/over value,
// split into the records inside the anomalous window [from, to) and outside.
func maxScores(res []BucketResult, from, to time.Time) (in, out map[string]float64) {
	in, out = map[string]float64{}, map[string]float64{}
	for _, b := range res {
		for _, r := range b.Records {
			k := r.ByFieldValue + r.PartitionFieldValue + r.OverFieldValue
			m := out
			if !b.Timestamp.Before(from) && b.Timestamp.Before(to) {
				m = in
			}
			m[k] = math.Max(m[k], r.RecordScore)
		}
	}
	return in, out
}

func randLabel(r *rand.Rand, n int) string {
	const abc = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = abc[r.IntN(len(abc))]
	}
	return string(b)
}

// dnsStream: hosts look up names from a fixed list; host h3 sends a burst of
// long random subdomains (DNS tunnelling) in bucket burst.
func dnsStream(buckets, burst int) []*testEvent {
	r := rand.New(rand.NewPCG(13, 1))
	var common []string
	for i := 0; i < 40; i++ {
		common = append(common, fmt.Sprintf("%s.example%d.com", randLabel(r, 3+r.IntN(6)), i%7))
	}
	var evs []*testEvent
	for b := 0; b < buckets; b++ {
		for h := 0; h < 6; h++ {
			host := fmt.Sprintf("h%d", h)
			k := 8 + r.IntN(8)
			for i := 0; i < k; i++ {
				ts := t0.Add(time.Duration(b)*15*time.Minute + time.Duration(r.Int64N(int64(15*time.Minute))))
				evs = append(evs, &testEvent{t: ts, strs: map[string]string{"host.name": host, "dns.question.name": common[r.IntN(len(common))]}})
			}
			if b == burst && h == 3 {
				for i := 0; i < 150; i++ {
					ts := t0.Add(time.Duration(b)*15*time.Minute + time.Duration(r.Int64N(int64(15*time.Minute))))
					evs = append(evs, &testEvent{t: ts, strs: map[string]string{"host.name": host, "dns.question.name": randLabel(r, 48) + ".t.evil.net"}})
				}
			}
		}
	}
	slices.SortStableFunc(evs, func(a, b *testEvent) int { return a.t.Compare(b.t) })
	return evs
}

func TestInfoContentTunnelling(t *testing.T) {
	const buckets, burst = 7 * 96, 6*96 + 40
	from := t0.Add(burst * 15 * time.Minute)
	for _, d := range []Detector{
		{Function: "high_info_content", FieldName: "dns.question.name", PartitionFieldName: "host.name"},
		{Function: "high_info_content", FieldName: "dns.question.name", ByFieldName: "host.name"},
		{Function: "high_info_content", FieldName: "dns.question.name", OverFieldName: "host.name"},
	} {
		if raceEnabled && d.OverFieldName == "" {
			continue // the race detector needs one run, not three
		}
		e, err := New(Job{BucketSpan: 15 * time.Minute, Detectors: []Detector{d}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := runAll(e, dnsStream(buckets, burst))
		if err != nil {
			t.Fatal(err)
		}
		in, out := maxScores(res, from, from.Add(15*time.Minute))
		if in["h3"] < 75 {
			t.Errorf("%+v: tunnelling host scored %.1f, want >= 75", d, in["h3"])
		}
		for k, s := range out {
			if s >= 25 {
				t.Errorf("%+v: normal lookups of %q scored %.1f, want < 25", d, k, s)
			}
		}
		for _, b := range res {
			for _, r := range b.Records {
				if r.Function != "high_info_content" || r.FieldName != "dns.question.name" {
					t.Errorf("record names %q %q", r.Function, r.FieldName)
				}
			}
		}
	}
}

// TestInfoContentValue checks the feature against an independent
// compression of the sorted distinct strings, and the cap's estimate.
func TestInfoContentValue(t *testing.T) {
	e, _ := New(Job{Detectors: []Detector{{Function: "info_content", FieldName: "q"}}})
	var a accum
	in := []string{"b.example.com", "a.example.com", "b.example.com", "zz.example.org"}
	for _, s := range in {
		e.addInfo(&a, s)
	}
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestCompression)
	zw.Write([]byte("a.example.com\nb.example.com\nzz.example.org"))
	zw.Close()
	if got := a.m.info(); got != float64(buf.Len()) {
		t.Errorf("info_content %v, want %d", got, buf.Len())
	}
	// Beyond the cap: order does not matter, the estimate tracks the truth.
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]string, 8*InfoMaxValues)
	for i := range vals {
		vals[i] = randLabel(r, 20)
	}
	var a1, a2, exact accum
	for i := range vals {
		e.addInfo(&a1, vals[i])
		e.addInfo(&a2, vals[len(vals)-1-i])
	}
	if a1.m.info() != a2.m.info() || len(a1.m.strs) != InfoMaxValues {
		t.Errorf("capped info_content depends on order: %v vs %v (%d kept)", a1.m.info(), a2.m.info(), len(a1.m.strs))
	}
	exact.m = &metricAcc{strs: map[uint64]string{}}
	for _, s := range vals {
		exact.m.strs[hashString(s)] = s
	}
	if got, want := a1.m.info(), exact.m.info(); math.Abs(got-want) > 0.15*want {
		t.Errorf("capped estimate %v, exact %v", got, want)
	}
	before := e.bytes
	e.releaseMetric(&a1)
	if e.bytes >= before || a1.m != nil {
		t.Error("release did not refund the strings")
	}
}

func TestMedianValue(t *testing.T) {
	e, _ := New(Job{Detectors: []Detector{{Function: "median", FieldName: "x"}}})
	for _, c := range []struct {
		vals []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{10, 1, 3, 2}, 2.5}, {[]float64{-4}, -4}} {
		var a accum
		for _, v := range c.vals {
			a.n++
			e.addMetric(&a, featMedian, v, 1)
		}
		if got, _, _ := bucketValue(featMedian, &a); got != c.want {
			t.Errorf("median %v = %v, want %v", c.vals, got, c.want)
		}
	}
	// Over the exact limit the sketch's median is within MedianRelErr.
	r := rand.New(rand.NewPCG(3, 4))
	var a accum
	var all []float64
	for i := 0; i < 5*MedianExact; i++ {
		v := math.Exp(r.NormFloat64()) * 100
		all = append(all, v)
		a.n++
		e.addMetric(&a, featMedian, v, 1)
	}
	slices.Sort(all)
	exact := (all[len(all)/2-1] + all[len(all)/2]) / 2
	if got := a.m.median(); math.Abs(got-exact) > 1.5*MedianRelErr*exact {
		t.Errorf("sketch median %v, exact %v", got, exact)
	}
}

func TestVarpValueOrderFree(t *testing.T) {
	e, _ := New(Job{Detectors: []Detector{{Function: "varp", FieldName: "x"}}})
	r := rand.New(rand.NewPCG(5, 6))
	vals := make([]float64, 500)
	for i := range vals {
		vals[i] = 1e6 + 10*r.NormFloat64()
	}
	mean, ss := 0.0, 0.0
	for _, v := range vals {
		mean += v
	}
	mean /= float64(len(vals))
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	want := ss / float64(len(vals))
	feed := func(order []int) float64 {
		var a accum
		for _, i := range order {
			v := vals[i]
			if a.n == 0 {
				a.min, a.max = v, v
			}
			a.n++
			a.sum, a.cmp = neumaier(a.sum, a.cmp, v)
			e.addMetric(&a, featVarp, v, 1)
		}
		return a.varp()
	}
	idx := make([]int, len(vals))
	for i := range idx {
		idx[i] = i
	}
	got := feed(idx)
	if math.Abs(got-want) > 1e-5*want { // cancellation: about 1e-16·mean²/variance
		t.Errorf("varp %v, two-pass %v", got, want)
	}
	r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	if g2 := feed(idx); math.Abs(g2-got) > 1e-9*want {
		t.Errorf("varp depends on order: %v vs %v", g2, got)
	}
}

// metricStream: services' latencies, N(100, 10) with the odd slow request
// (not when spread is tested); for an hour from bucket burst, service s2's
// spread is multiplied by spread and its level shifted by shift.
func metricStream(buckets, burst, nsvc int, spread, shift float64) []*testEvent {
	r := rand.New(rand.NewPCG(21, 1))
	var evs []*testEvent
	for b := 0; b < buckets; b++ {
		for s := 0; s < nsvc; s++ {
			svc := fmt.Sprintf("s%d", s)
			for i := 0; i < 20+r.IntN(10); i++ {
				v := 100 + 10*r.NormFloat64()
				if b >= burst && b < burst+6 && s == 2 {
					v = 100 + shift + 10*spread*r.NormFloat64()
				}
				if spread == 1 && r.IntN(40) == 0 { // the odd slow request
					v += 200
				}
				ts := t0.Add(time.Duration(b)*10*time.Minute + time.Duration(r.Int64N(int64(10*time.Minute))))
				evs = append(evs, &testEvent{t: ts, strs: map[string]string{"service": svc}, nums: map[string]float64{"latency": v}})
			}
		}
	}
	slices.SortStableFunc(evs, func(a, b *testEvent) int { return a.t.Compare(b.t) })
	return evs
}

func TestVarpAndMedianScenarios(t *testing.T) {
	const buckets, burst = 6 * 144, 5*144 + 30
	from := t0.Add(burst * 10 * time.Minute)
	for _, c := range []struct {
		d             Detector
		spread, shift float64
	}{
		{Detector{Function: "high_varp", FieldName: "latency", ByFieldName: "service"}, 8, 0},
		{Detector{Function: "high_varp", FieldName: "latency", OverFieldName: "service"}, 8, 0},
		{Detector{Function: "median", FieldName: "latency", PartitionFieldName: "service"}, 1, 200},
		{Detector{Function: "high_median", FieldName: "latency", OverFieldName: "service"}, 1, 900}, // population models work on ln(1+x): a tenfold median
	} {
		e, err := New(Job{BucketSpan: 10 * time.Minute, Detectors: []Detector{c.d}})
		if err != nil {
			t.Fatal(err)
		}
		nsvc := 4
		if raceEnabled && c.d.OverFieldName != "" {
			continue
		}
		if c.d.OverFieldName != "" {
			nsvc = 40 // a population worth the name
		}
		res, err := runAll(e, metricStream(buckets, burst, nsvc, c.spread, c.shift))
		if err != nil {
			t.Fatal(err)
		}
		in, out := maxScores(res, from, from.Add(80*time.Minute))
		if in["s2"] < 75 {
			t.Errorf("%s %+v: anomalous service scored %.1f, want >= 75", c.d.Function, c.d, in["s2"])
		}
		for k, s := range out {
			if s >= 25 {
				t.Errorf("%s %+v: normal %q scored %.1f, want < 25", c.d.Function, c.d, k, s)
			}
		}
	}
}

// A median is robust where a mean is not: the odd slow request moves the
// mean, a shift of most requests moves the median.
func TestMedianIgnoresOutliers(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	var evs []*testEvent
	for b := 0; b < 4*144; b++ {
		for i := 0; i < 30; i++ {
			v := 100 + 5*r.NormFloat64()
			if b == 3*144+9 && i < 3 {
				v = 5000 // three stuck requests
			}
			ts := t0.Add(time.Duration(b)*10*time.Minute + time.Duration(i)*time.Second)
			evs = append(evs, &testEvent{t: ts, nums: map[string]float64{"latency": v}})
		}
	}
	for _, c := range []struct {
		fn     string
		high   bool
		thresh float64
	}{{"high_median", false, 25}, {"high_mean", true, 75}} {
		e, _ := New(Job{BucketSpan: 10 * time.Minute, Detectors: []Detector{{Function: c.fn, FieldName: "latency"}}})
		res, err := runAll(e, evs)
		if err != nil {
			t.Fatal(err)
		}
		top := 0.0
		for _, b := range res {
			top = math.Max(top, b.AnomalyScore)
		}
		if c.high != (top >= c.thresh) {
			t.Errorf("%s: top score %.1f, threshold %v", c.fn, top, c.thresh)
		}
	}
}

func TestMetricExtSnapshot(t *testing.T) {
	job := Job{ID: "snap", Latency: 10 * time.Minute,
		Detectors: []Detector{
			{Function: "varp", FieldName: "bytes", ByFieldName: "host"},
			{Function: "high_median", FieldName: "bytes", PartitionFieldName: "host"},
			{Function: "info_content", FieldName: "user", ByFieldName: "host"},
			{Function: "low_varp", FieldName: "bytes", OverFieldName: "host"},
			{Function: "high_info_content", FieldName: "user", OverFieldName: "host"},
			{Function: "metric", FieldName: "bytes", ByFieldName: "host"},
		},
		Influencers: []string{"user", "host"}}
	if raceEnabled {
		// low_varp over a population and metric; info_content's deflate is
		// slow under the race detector and is covered by plain runs.
		job.Detectors = []Detector{job.Detectors[3], job.Detectors[5]}
	}
	testSnapshot(t, job)
}

func TestMetricExtOutOfOrder(t *testing.T) {
	job := Job{Latency: 30 * time.Minute, Detectors: []Detector{
		{Function: "varp", FieldName: "bytes", ByFieldName: "host"},
		{Function: "median", FieldName: "bytes", ByFieldName: "host"},
		{Function: "info_content", FieldName: "user", ByFieldName: "host"},
	}}
	if raceEnabled {
		job.Detectors = job.Detectors[:2] // info_content's deflate is slow under -race
	}
	evs := countStream(3, 9, 2*288+50, 6)
	shuffled := slices.Clone(evs)
	r := rand.New(rand.NewPCG(4, 4))
	// Swap events within 20 minutes of each other.
	for i := range shuffled {
		j := min(len(shuffled)-1, i+r.IntN(5))
		if shuffled[j].t.Sub(shuffled[i].t) < 20*time.Minute {
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		}
	}
	a, _ := New(job)
	b, _ := New(job)
	ra, err := runAll(a, evs)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := runAll(b, shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if len(ra) != len(rb) {
		t.Fatalf("%d vs %d buckets", len(ra), len(rb))
	}
	for i := range ra {
		if len(ra[i].Records) != len(rb[i].Records) {
			t.Fatalf("bucket %d: %d vs %d records", i, len(ra[i].Records), len(rb[i].Records))
		}
		for k := range ra[i].Records {
			x, y := ra[i].Records[k], rb[i].Records[k]
			if x.Actual != y.Actual || x.RecordScore != y.RecordScore {
				t.Errorf("bucket %d record %d: %v/%v vs %v/%v", i, k, x.Actual, x.RecordScore, y.Actual, y.RecordScore)
			}
		}
	}
}

func TestMetricExtJSON(t *testing.T) {
	if _, err := New(Job{SummaryCountField: "n", Detectors: []Detector{{Function: "metric", FieldName: "x"}}}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "summary_count_field_name") {
		t.Errorf("metric with summary_count_field_name: %v", err)
	}
	for _, f := range []string{"metric", "info_content", "high_info_content", "low_info_content", "varp", "high_varp", "low_varp", "median", "high_median", "low_median"} {
		over := `"over_field_name":"host.name",`
		if f == "metric" {
			over = `"by_field_name":"host.name",`
		}
		src := `{"job_id":"j","analysis_config":{"bucket_span":"15m","detectors":[{"function":"` + f + `","field_name":"dns.question.name",` + over + `"partition_field_name":"event.dataset"}]},"data_description":{"time_field":"@timestamp"}}`
		j, err := ParseElasticJSON(strings.NewReader(src))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if _, err := New(j); err != nil || j.Detectors[0].Function != f || j.Detectors[0].OverFieldName+j.Detectors[0].ByFieldName != "host.name" {
			t.Errorf("%s: %+v %v", f, j.Detectors[0], err)
		}
	}
	for _, c := range []struct {
		d    Detector
		kind error
		msg  string
	}{
		{Detector{Function: "varp"}, ErrConfig, "requires field_name"},
		{Detector{Function: "info_content"}, ErrConfig, "requires field_name"},
		{Detector{Function: "median", FieldName: "x", ByFieldName: "x"}, ErrConfig, "same as field_name"},
		{Detector{Function: "metric"}, ErrConfig, "requires field_name"},
		{Detector{Function: "metric", FieldName: "x", OverFieldName: "u"}, ErrUnsupported, "metric"},
		{Detector{Function: "lat_long", FieldName: "x"}, ErrUnsupported, "lat_long"},
	} {
		if _, err := New(Job{Detectors: []Detector{c.d}}); !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: %v, want %v naming %q", c.d, err, c.kind, c.msg)
		}
	}
	// A string in a varp field is refused as for mean; info_content reads
	// strings.
	e, _ := New(Job{Detectors: []Detector{{Function: "varp", FieldName: "x"}, {Function: "info_content", FieldName: "q"}}})
	if _, err := e.Observe(&MapEvent{Timestamp: t0, Strings: map[string]string{"x": "abc", "q": "a"}}); !errors.Is(err, ErrNotNumeric) {
		t.Errorf("string in varp field: %v", err)
	}
	if _, err := e.Observe(&MapEvent{Timestamp: t0, Strings: map[string]string{"q": "a"}, Numbers: map[string]float64{"x": 1}}); err != nil {
		t.Errorf("string in info_content field: %v", err)
	}
}

// TestMetricFunction: one metric detector finds a max spike, a min drop and
// a mean shift, each as a record naming the feature.
func TestMetricFunction(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 1))
	const buckets = 6 * 144
	hourA, hourB, hourC := 5*144+20, 5*144+60, 5*144+100
	in := func(b, h int) bool { return b >= h && b < h+6 }
	var evs []*testEvent
	for b := 0; b < buckets; b++ {
		for s := 0; s < 4; s++ {
			svc := fmt.Sprintf("s%d", s)
			n := 20 + r.IntN(10)
			for i := 0; i < n; i++ {
				v := 100 + 10*r.NormFloat64()
				switch {
				case s == 1 && in(b, hourA) && i == 0:
					v = 1000 // one stuck request per bucket
				case s == 2 && in(b, hourB):
					v += 300
				case s == 3 && in(b, hourC) && i == 0:
					v = -500
				}
				ts := t0.Add(time.Duration(b)*10*time.Minute + time.Duration(r.Int64N(int64(10*time.Minute))))
				evs = append(evs, &testEvent{t: ts, strs: map[string]string{"service": svc}, nums: map[string]float64{"latency": v}})
			}
		}
	}
	slices.SortStableFunc(evs, func(a, b *testEvent) int { return a.t.Compare(b.t) })
	e, err := New(Job{BucketSpan: 10 * time.Minute, Detectors: []Detector{{Function: "metric", FieldName: "latency", ByFieldName: "service"}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(e, evs)
	if err != nil {
		t.Fatal(err)
	}
	best := map[string]float64{} // "window/service/feature" -> max score
	var quiet float64
	for _, b := range res {
		k := int(b.Timestamp.Sub(t0) / (10 * time.Minute))
		for _, rec := range b.Records {
			if rec.Function != "metric" || rec.FieldName != "latency" {
				t.Fatalf("record %q %q", rec.Function, rec.FieldName)
			}
			switch {
			case in(k, hourA), in(k, hourB), in(k, hourC), in(k-6, hourA), in(k-6, hourB), in(k-6, hourC):
				key := rec.ByFieldValue + "/" + rec.FunctionDescription
				best[key] = math.Max(best[key], rec.RecordScore)
			default:
				quiet = math.Max(quiet, rec.RecordScore)
			}
			if js := string(rec.AppendJSON(nil)); !strings.Contains(js, `"function":"metric","function_description":"`+rec.FunctionDescription+`"`) {
				t.Errorf("record JSON %s", js)
			}
		}
	}
	t.Logf("anomalous windows' top scores %v; elsewhere at most %.1f", best, quiet)
	for _, want := range []string{"s1/max", "s2/mean", "s3/min"} {
		if best[want] < 75 {
			t.Errorf("%s scored %.1f, want >= 75 (%v)", want, best[want], best)
		}
	}
	if best["s1/min"] >= 25 || best["s3/max"] >= 25 {
		t.Errorf("the wrong feature fired: %v", best)
	}
	if quiet >= 25 {
		t.Errorf("normal buckets scored up to %.1f, want < 25", quiet)
	}
	if _, err := e.Forecast(time.Hour); err == nil {
		t.Error("forecast of a metric detector: no error")
	}
}

// A flood of long distinct strings stays within the memory limit: the
// sample stops growing there and the length is estimated from it.
func TestInfoContentMemoryLimit(t *testing.T) {
	e, err := New(Job{MemoryLimit: 1 << 20, Detectors: []Detector{{Function: "info_content", FieldName: "q", ByFieldName: "h"}}})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(2, 9))
	for i := 0; i < 4000; i++ {
		ev := &testEvent{t: t0.Add(time.Duration(i) * time.Millisecond), strs: map[string]string{"h": fmt.Sprint("h", i%8), "q": randLabel(r, 900)}}
		if _, err := e.Observe(ev); err != nil {
			t.Fatal(err)
		}
		if b := e.ModelSizeStats().ModelBytes; b > 1<<20+2048 {
			t.Fatalf("after %d strings: %d model bytes, limit %d", i+1, b, 1<<20)
		}
	}
	// 500 random 900-byte strings per host hold 500·900·log2(36)/8 bytes
	// of entropy; the estimate must be of that order, not the sample's.
	want := 500 * 900 * math.Log2(36) / 8
	for i := range e.series {
		a := &e.acc[int64(i)*e.slots]
		if got := a.m.info(); math.Abs(got-want) > 0.25*want || !a.m.full {
			t.Errorf("host %s: info_content %.0f (%d strings kept), want about %.0f", e.series[i].by, got, len(a.m.strs), want)
		}
	}
	res, err := e.Flush()
	if err != nil || len(res) != 1 {
		t.Fatal(res, err)
	}
	if e.ModelSizeStats().ModelBytes > 1<<20 {
		t.Errorf("bytes after the bucket: %d", e.ModelSizeStats().ModelBytes)
	}
}
