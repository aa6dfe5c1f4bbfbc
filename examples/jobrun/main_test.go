package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fastjson"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// events: 3 days of 5-minute buckets with ~10 logins per bucket for user
// "alice" and a 20× burst in one bucket, in the given time format.
func events(format func(sec int64) string, burstBucket int) string {
	var b strings.Builder
	base := int64(1772409600) // 2026-03-02T00:00:00Z
	for k := 0; k < 3*288; k++ {
		n := 8 + k%5
		if k == burstBucket {
			n = 200
		}
		for i := 0; i < n; i++ {
			sec := base + int64(k)*300 + int64(i*300/n)
			src := fmt.Sprintf("10.0.0.%d", 1+i%7)
			if k == burstBucket {
				src = "203.0.113.9"
			}
			fmt.Fprintf(&b, `{"ts":%s,"user":{"name":"alice"},"source.ip":%q,"event":{"outcome":"failure"},"bytes":%d}`+"\n",
				format(sec), src, 100+i)
		}
		// Successful logins are filtered out by the datafeed query.
		fmt.Fprintf(&b, `{"ts":%s,"user":{"name":"alice"},"source.ip":"10.0.0.1","event":{"outcome":"success"}}`+"\n", format(base+int64(k)*300))
	}
	return b.String()
}

const jobTmpl = `{"job_id":"failed-logins","analysis_config":{"bucket_span":"5m",
 "detectors":[{"function":"high_count","by_field_name":"user.name"},{"function":"max","field_name":"bytes"}],"influencers":["source.ip"]},
 "data_description":{"time_field":"ts"%s},
 "datafeed_config":{"query":{"bool":{"must":[{"term":{"event.outcome":"failure"}}]}}}}`

func TestRunFormats(t *testing.T) {
	burst := 2*288 + 100
	cases := []struct {
		name, format string
		ts           func(int64) string
	}{
		{"rfc3339", "", func(s int64) string { return fmt.Sprintf("%q", isoTime(s)) }},
		{"epoch_ms", `,"time_format":"epoch_ms"`, func(s int64) string { return fmt.Sprint(s * 1000) }},
		{"epoch", `,"time_format":"epoch"`, func(s int64) string { return fmt.Sprint(s) }},
		{"pattern", `,"time_format":"yyyy-MM-dd HH:mm:ss"`, func(s int64) string { return fmt.Sprintf("%q", strings.Replace(isoTime(s)[:19], "T", " ", 1)) }},
	}
	var first []byte
	for _, c := range cases {
		dir := t.TempDir()
		job := write(t, dir, "job.json", fmt.Sprintf(jobTmpl, c.format))
		ev := write(t, dir, "ev.ndjson", events(c.ts, burst))
		out := filepath.Join(dir, "rec.ndjson")
		bk := filepath.Join(dir, "buckets.ndjson")
		var stdout, stderr bytes.Buffer
		if err := run([]string{"-job", job, "-events", ev, "-out", out, "-buckets", bk}, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, stderr.String())
		}
		recs, _ := os.ReadFile(out)
		if first == nil {
			first = recs
		} else if !bytes.Equal(recs, first) {
			t.Errorf("%s: records differ from the RFC 3339 run", c.name)
		}
		found := false
		for _, line := range strings.Split(strings.TrimSpace(string(recs)), "\n") {
			v, err := fastjson.Parse(line)
			if err != nil {
				t.Fatalf("%s: bad record JSON %q: %v", c.name, line, err)
			}
			if v.GetFloat64("record_score") < 1 {
				t.Errorf("%s: record below 1 written: %s", c.name, line)
			}
			if string(v.GetStringBytes("by_field_value")) == "alice" && v.GetInt64("timestamp") == (1772409600+int64(burst)*300)*1000 {
				found = v.GetFloat64("record_score") >= 75 &&
					string(v.GetStringBytes("influencers", "0", "influencer_field_values", "0")) == "203.0.113.9"
			}
		}
		if !found {
			t.Errorf("%s: burst not found at ≥ 75 with its source: %s", c.name, recs)
		}
		bl, _ := os.ReadFile(bk)
		if n := bytes.Count(bl, []byte(`"result_type":"bucket"`)); n != 3*288 {
			t.Errorf("%s: %d bucket results, want %d", c.name, n, 3*288)
		}
		if !bytes.Contains(bl, []byte(`"result_type":"model_size_stats","timestamp":`)) || !bytes.Contains(bl, []byte(`"memory_status":"ok"`)) {
			t.Errorf("%s: no model_size_stats with memory_status ok at the end of the bucket results", c.name)
		}
		if !strings.Contains(stderr.String(), fmt.Sprintf("%d filtered", 3*288)) {
			t.Errorf("%s: summary does not count the filtered events: %s", c.name, stderr.String())
		}
	}
}

func isoTime(s int64) string {
	return fmt.Sprintf("2026-03-%02dT%02d:%02d:%02dZ", 2+(s-1772409600)/86400, (s/3600)%24, (s/60)%60, s%60)
}

func TestRunBadLines(t *testing.T) {
	dir := t.TempDir()
	job := write(t, dir, "job.json", fmt.Sprintf(jobTmpl, ""))
	body := `{"ts":"2026-03-02T00:00:01Z","user":{"name":"a"},"event":{"outcome":"failure"},"bytes":1}
{"ts":"2026-03-02T00:00:02Z","user":
{"user":{"name":"a"},"event":{"outcome":"failure"}}
{"ts":"noon","user":{"name":"a"},"event":{"outcome":"failure"}}
{"ts":"2026-03-02T00:00:03Z","user":{"name":"a"},"event":{"outcome":"failure"},"bytes":"many"}
[1,2]

{"ts":"2026-03-02T00:06:00Z","user":{"name":"a"},"event":{"outcome":"failure"},"bytes":2}
{"ts":"2026-03-02T00:00:04Z","user":{"name":"a"},"event":{"outcome":"failure"},"bytes":3}
`
	ev := write(t, dir, "ev.ndjson", body)
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-job", job, "-events", ev}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	msg := stderr.String()
	for _, want := range []string{
		"line 2: malformed JSON", `line 3: bad timestamp: no "ts" field`, `line 4: bad timestamp: "ts" time "noon"`,
		`line 5: timeseries: field "bytes" of detector 1 (max) holds a string`, "line 6: malformed JSON",
		"5 bad lines", "1 late events dropped", "2 events analysed",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("summary lacks %q:\n%s", want, msg)
		}
	}
}

func TestRunBadJob(t *testing.T) {
	dir := t.TempDir()
	ev := write(t, dir, "ev.ndjson", "")
	for _, c := range []struct{ job, want string }{
		{`{"analysis_config":{"detectors":[{"function":"high_frobnicate"}]}}`, `"high_frobnicate" is not a known function`},
		{`{"analysis_config":{"detectors":[{"function":"count"}]},"analysis_options":{}}`, `"analysis_options" is unknown`},
		{`{"analysis_config":{"detectors":[{"function":"count","fieldname":"x"}]}}`, `"analysis_config.detectors[0].fieldname"`},
	} {
		job := write(t, dir, "job.json", c.job)
		var stdout, stderr bytes.Buffer
		err := run([]string{"-job", job, "-events", ev}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("job %s: err %v, want %q", c.job, err, c.want)
		}
	}
}
