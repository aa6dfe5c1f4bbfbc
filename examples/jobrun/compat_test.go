package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fastjson"
)

// Elastic job and datafeed shapes (timeseries/testdata/elastic) run
// unchanged: a Kibana job file with its datafeed file, one job picked from
// an integration package's ml-module saved object, and the get-jobs API's
// answer, each over generated ECS documents (nested and dotted names,
// one-element arrays, RFC 3339 times under time_format epoch_ms) with one
// injected anomaly and events the datafeed query must drop.

const fixtures = "../../timeseries/testdata/elastic"

type compatCase struct {
	name, job, datafeed, jobID, wantJobID string
	span                                  time.Duration
	buckets, hit                          int
	gen                                   func(r *rand.Rand, b int, t time.Time, w *bytes.Buffer)
	entity, entityField                   string // the injected anomaly's value and its result field
	quiet                                 string // a value the query filters out
}

func stamp(t time.Time, off time.Duration) string { return t.Add(off).UTC().Format(time.RFC3339Nano) }

func TestRunElasticFixtures(t *testing.T) {
	cases := []compatCase{
		{name: "job file + datafeed file", job: "auth_logon_burst_by_ip.json", datafeed: "datafeed_auth_logon_burst_by_ip.json",
			wantJobID: "auth_logon_burst_by_ip", span: 15 * time.Minute, buckets: 7 * 96, hit: 6*96 + 40,
			entity: "198.51.100.7", entityField: "by_field_value", quiet: "203.0.113.66",
			gen: func(r *rand.Rand, b int, t time.Time, w *bytes.Buffer) {
				for k := 0; k < 5; k++ {
					n := 2 + r.IntN(4)
					if b == 6*96+40 && k == 2 {
						n = 90
					}
					for i := 0; i < n; i++ {
						fmt.Fprintf(w, `{"@timestamp":%q,"event":{"category":["authentication"],"outcome":"success"},"source.ip":"198.51.100.%d","user":{"name":"u%d"}}`+"\n",
							stamp(t, time.Duration(r.IntN(900))*time.Second), 5+k, r.IntN(9))
					}
				}
				if b == 6*96+50 {
					for i := 0; i < 200; i++ {
						fmt.Fprintf(w, `{"@timestamp":%q,"event":{"category":"process","outcome":"failure"},"source.ip":"203.0.113.66"}`+"\n", stamp(t, time.Duration(i)*time.Second))
					}
				}
			}},
		{name: "ml-module saved object, -job-id", job: "module_saved_object_lateral.json", jobID: "fixture_remote_file_writes",
			wantJobID: "fixture_remote_file_writes", span: time.Hour, buckets: 10 * 24, hit: 9*24 + 3,
			entity: "fs-2", entityField: "partition_field_value", quiet: "fs-3",
			gen: func(r *rand.Rand, b int, t time.Time, w *bytes.Buffer) {
				for k := 1; k <= 3; k++ {
					n := 3 + r.IntN(3)
					if b == 9*24+3 && k == 2 {
						n = 80
					}
					for i := 0; i < n; i++ {
						fmt.Fprintf(w, `{"@timestamp":%q,"event":{"category":"file","action":"creation"},"host":{"name":"fs-%d"},"process":{"name":"smbd"},"user":{"name":"alice"},"file.name":"f.docx"}`+"\n",
							stamp(t, time.Duration(r.IntN(3600))*time.Second), k)
					}
				}
				if b == 9*24+6 { // SYSTEM's writes are excluded by must_not
					for i := 0; i < 80; i++ {
						fmt.Fprintf(w, `{"@timestamp":%q,"event":{"category":"file","action":"creation"},"host":{"name":"fs-3"},"process":{"name":"smbd"},"user":{"name":"SYSTEM"},"file.name":"g.tmp"}`+"\n", stamp(t, time.Duration(i)*time.Second))
					}
				}
			}},
		{name: "get-jobs answer", job: "get_jobs_network_denies.json",
			wantJobID: "fixture-network-denies", span: 15 * time.Minute, buckets: 7 * 96, hit: 6*96 + 70,
			entity: "22", entityField: "partition_field_value", quiet: "8080",
			gen: func(r *rand.Rand, b int, t time.Time, w *bytes.Buffer) {
				for _, port := range []int{22, 443, 3389} {
					n := 3 + r.IntN(3)
					if b == 6*96+70 && port == 22 {
						n = 120
					}
					for i := 0; i < n; i++ {
						fmt.Fprintf(w, `{"@timestamp":%q,"event":{"category":["network"],"outcome":"failure"},"source":{"ip":"10.1.0.%d"},"destination":{"ip":"10.2.0.1","port":%d}}`+"\n",
							stamp(t, time.Duration(r.IntN(900))*time.Second), 1+r.IntN(50), port)
					}
				}
				if b == 6*96+75 {
					for i := 0; i < 150; i++ {
						fmt.Fprintf(w, `{"@timestamp":%q,"event":{"category":"network","outcome":"success"},"destination":{"ip":"10.2.0.1","port":8080}}`+"\n", stamp(t, time.Duration(i)*time.Second))
					}
				}
			}},
	}
	// A Kibana module directory: the manifest names the job and datafeed files.
	m := cases[0]
	m.name, m.job, m.datafeed, m.jobID, m.wantJobID = "module manifest, -job-id", "module_dir/manifest.json", "", "fixture_auth_burst", "fixture_auth_burst"
	cases = append(cases, m)
	base := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			r := rand.New(rand.NewPCG(3, uint64(len(c.name))))
			var buf bytes.Buffer
			for b := 0; b < c.buckets; b++ {
				c.gen(r, b, base.Add(time.Duration(b)*c.span), &buf)
			}
			ev := write(t, dir, "events.ndjson", buf.String())
			out := filepath.Join(dir, "records.ndjson")
			args := []string{"-job", filepath.Join(fixtures, c.job), "-events", ev, "-out", out}
			if c.datafeed != "" {
				args = append(args, "-datafeed", filepath.Join(fixtures, c.datafeed))
			}
			if c.jobID != "" {
				args = append(args, "-job-id", c.jobID)
			}
			var stdout, stderr bytes.Buffer
			if err := run(args, &stdout, &stderr); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if strings.Contains(stderr.String(), "line ") || !strings.Contains(stderr.String(), " 0 bad lines") {
				t.Errorf("bad lines reported:\n%s", stderr.String())
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			hitMs := base.Add(time.Duration(c.hit) * c.span).UnixMilli()
			best := 0.0
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				v, err := fastjson.Parse(line)
				if err != nil {
					t.Fatal(err)
				}
				if id := string(v.GetStringBytes("job_id")); id != c.wantJobID {
					t.Fatalf("job_id %q, want %q", id, c.wantJobID)
				}
				val := string(v.GetStringBytes(c.entityField))
				score := v.GetFloat64("record_score")
				if val == c.entity && v.GetInt64("timestamp") == hitMs && score > best {
					best = score
				}
				if val == c.quiet {
					t.Errorf("a record for %s, which the datafeed query filters out", c.quiet)
				}
			}
			if best < 50 {
				t.Errorf("injected anomaly of %s scored %.1f, want ≥ 50\n%s", c.entity, best, stderr.String())
			}
			t.Logf("%s: %.1f; %s", c.entity, best, strings.SplitN(stderr.String(), "\n", 2)[0])
		})
	}
}

func TestRunElasticRefused(t *testing.T) {
	dir := t.TempDir()
	ev := write(t, dir, "e.ndjson", `{"@timestamp":"2026-03-02T00:00:00Z"}`+"\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-job", filepath.Join(fixtures, "refused_categorization.json")}, "categorization_field_name"},
		{[]string{"-job", filepath.Join(fixtures, "module_saved_object_lateral.json")}, "-job-id"},
		{[]string{"-job", filepath.Join(fixtures, "module_saved_object_lateral.json"), "-job-id", "fixture_rare_directory"}, "runtime_mappings"},
		{[]string{"-job", filepath.Join(fixtures, "linux_rare_process_fleet.json"), "-datafeed", filepath.Join(fixtures, "refused_query_string.json")}, "analysis_config"},
		{[]string{"-job", filepath.Join(fixtures, "module_dir", "manifest.json")}, "fixture_unusual_hour"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		err := run(append(c.args, "-events", ev), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want one naming %s", c.args, err, c.want)
		}
	}
}
