package demo_test

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ml/vigil/examples/internal/demo"
	"github.com/vigil-ml/vigil/timeseries"
)

func ExamplePrintRecords() {
	at := time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC)
	recs := []timeseries.Record{
		{Timestamp: at, ByFieldValue: "alice", Actual: 200, Typical: 10.2, RecordScore: 91.3, Severity: timeseries.Critical,
			Influencers: []timeseries.RecordInfluencer{{FieldName: "source.ip", FieldValues: []string{"a", "b", "c", "d", "e"}}}},
		{Timestamp: at, ByFieldValue: "bob", Actual: 12, Typical: 10, RecordScore: 3, Severity: timeseries.Warning},
	}
	row := func(r *timeseries.Record) demo.Row {
		return demo.Row{Time: r.Timestamp.Format("15:04"), Entity: r.ByFieldValue, Actual: fmt.Sprintf("%.0f", r.Actual),
			Typical: fmt.Sprintf("%.1f", r.Typical), Why: demo.Influencers(r, "", nil)}
	}
	demo.PrintRecords(os.Stdout, "time\tuser\tactual\ttypical\tscore\tseverity\twhy", recs, 50, row)
	demo.PrintRecords(os.Stdout, "time\tuser\tactual\ttypical\tscore\tseverity\twhy", recs[1:], 50, row)
	// Output:
	// time   user   actual  typical  score  severity  why
	// 14:05  alice  200     10.2     91.3   critical  source.ip=a,b,c +2
	// time  user  actual  typical  score  severity  why
	// (no record scored 50 or more)
}

func TestInfluencers(t *testing.T) {
	r := &timeseries.Record{Influencers: []timeseries.RecordInfluencer{
		{FieldName: "host.name", FieldValues: []string{"h1"}},
		{FieldName: "destination.ip", FieldValues: []string{"1.2.3.4", "5.6.7.8"}},
	}}
	short := func(f string) string { return strings.TrimPrefix(f, "destination.") }
	for _, c := range []struct {
		skip string
		name func(string) string
		want string
	}{
		{"", nil, "host.name=h1; destination.ip=1.2.3.4,5.6.7.8"},
		{"host.name", short, "ip=1.2.3.4,5.6.7.8"},
	} {
		if got := demo.Influencers(r, c.skip, c.name); got != c.want {
			t.Errorf("skip %q: %q, want %q", c.skip, got, c.want)
		}
	}
	if got := demo.Influencers(&timeseries.Record{}, "", nil); got != "-" {
		t.Errorf("no influencers: %q, want -", got)
	}
}

func TestMarks(t *testing.T) {
	var m demo.Marks
	for i, s := range []float64{0, 49.9, 50, 74.9, 75, 100} {
		m.Add(float64(i), s, s)
	}
	if len(m.Major) != 2 || m.Major[0].Y != 50 || m.Major[1].Y != 74.9 {
		t.Errorf("major %v, want the points scoring 50 and 74.9", m.Major)
	}
	if len(m.Critical) != 2 || m.Critical[0].Y != 75 || m.Critical[1].Y != 100 {
		t.Errorf("critical %v, want the points scoring 75 and 100", m.Critical)
	}
}

// TestPoisson: the sample mean and variance of both branches match mu
// within four standard errors.
func TestPoisson(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ mu, normalAbove float64 }{{0.3, math.Inf(1)}, {4, math.Inf(1)}, {4, 60}, {200, 60}} {
		const n = 20000
		var s, s2 float64
		for i := 0; i < n; i++ {
			k := float64(demo.Poisson(r, c.mu, c.normalAbove))
			s += k
			s2 += k * k
		}
		mean := s / n
		v := s2/n - mean*mean
		if se := math.Sqrt(c.mu / n); math.Abs(mean-c.mu) > 4*se {
			t.Errorf("mu %g: mean %.3f, want %g ± %.3f", c.mu, mean, c.mu, 4*se)
		}
		// The variance of the sample variance of a Poisson is about 2mu²/n for large mu, (mu+2mu²)/n in general.
		if se := math.Sqrt((c.mu + 2*c.mu*c.mu) / n); math.Abs(v-c.mu) > 4*se {
			t.Errorf("mu %g: variance %.3f, want %g ± %.3f", c.mu, v, c.mu, 4*se)
		}
	}
}

const testJob = `{"job_id":"logins","analysis_config":{"bucket_span":"5m",
 "detectors":[{"function":"high_count","by_field_name":"user.name"}],"influencers":["source.ip"]},
 "data_description":{"time_field":"@timestamp"}}`

type login struct {
	t        time.Time
	user, ip string
}

func (l *login) Time() time.Time { return l.t }
func (l *login) Text(f string) (string, bool) {
	switch f {
	case "user.name":
		return l.user, true
	case "source.ip":
		return l.ip, true
	}
	return "", false
}
func (l *login) Number(string) (float64, bool) { return 0, false }

// logins: two days of about ten logins per 5 minutes for alice, and a
// burst of 200 from one address in bucket 400.
func logins() []*login {
	r := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var out []*login
	for b := 0; b < 2*288; b++ {
		n, ip := demo.Poisson(r, 10, math.Inf(1)), "10.0.0.1"
		if b == 400 {
			n, ip = 200, "203.0.113.9"
		}
		for i := 0; i < n; i++ {
			out = append(out, &login{t: t0.Add(time.Duration(b)*5*time.Minute + time.Duration(i*300/n)*time.Second), user: "alice", ip: ip})
		}
	}
	return out
}

func writeLogins(dir string, evs []*login) error {
	return demo.WriteJob(dir, testJob, len(evs), func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, `{"@timestamp":%q,"user":{"name":%q},"source.ip":%q}`, evs[i].t.Format(time.RFC3339Nano), evs[i].user, evs[i].ip)
	})
}

func TestWriteJob(t *testing.T) {
	dir := t.TempDir()
	evs := logins()[:2]
	if err := writeLogins(dir, evs); err != nil {
		t.Fatal(err)
	}
	job, _ := os.ReadFile(filepath.Join(dir, "job.json"))
	if string(job) != testJob+"\n" {
		t.Errorf("job.json %q", job)
	}
	ev, _ := os.ReadFile(filepath.Join(dir, "events.ndjson"))
	want := fmt.Sprintf(`{"@timestamp":%q,"user":{"name":"alice"},"source.ip":"10.0.0.1"}`+"\n"+`{"@timestamp":%q,"user":{"name":"alice"},"source.ip":"10.0.0.1"}`+"\n",
		evs[0].t.Format(time.RFC3339Nano), evs[1].t.Format(time.RFC3339Nano))
	if string(ev) != want {
		t.Errorf("events.ndjson\n%s\nwant\n%s", ev, want)
	}
}

// TestAnalyse: every bucket is reported, and the burst is the top record,
// at least major, naming its address.
func TestAnalyse(t *testing.T) {
	a, err := demo.Analyse(testJob, logins())
	if err != nil {
		t.Fatal(err)
	}
	if a.Buckets != 2*288 || a.Stats.Events == 0 {
		t.Fatalf("%d buckets, %d events, want %d buckets", a.Buckets, a.Stats.Events, 2*288)
	}
	top := a.Records[0]
	for _, r := range a.Records {
		if r.RecordScore > top.RecordScore {
			top = r
		}
	}
	burst := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).Add(400 * 5 * time.Minute)
	if !top.Timestamp.Equal(burst) || top.RecordScore < 50 || demo.Influencers(&top, "", nil) != "source.ip=203.0.113.9" {
		t.Errorf("top record %s score %.1f (%s), want the burst at %s ≥ 50 from 203.0.113.9",
			top.Timestamp, top.RecordScore, demo.Influencers(&top, "", nil), burst)
	}
}

// fatalTB records a Fatal and stops the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fatalTB) Fatal(args ...any) { f.msg = fmt.Sprint(args...); runtime.Goexit() }
func (f *fatalTB) Helper()           {}

// TestAgree: jobrun agrees with the in-process run, and CheckJobrun fails
// when the records differ.
func TestAgree(t *testing.T) {
	demo.Agree(t, logins, writeLogins, func(evs []*login) (*demo.Analysis, error) { return demo.Analyse(testJob, evs) })

	dir := t.TempDir()
	evs := logins()
	if err := writeLogins(dir, evs); err != nil {
		t.Fatal(err)
	}
	a, err := demo.Analyse(testJob, evs)
	if err != nil {
		t.Fatal(err)
	}
	var hi []timeseries.Record
	for _, r := range a.Records {
		if r.RecordScore >= 1 {
			hi = append(hi, r)
		}
	}
	if len(hi) < 2 {
		t.Fatalf("%d records scoring ≥ 1, want at least 2", len(hi))
	}
	hi[len(hi)-1].RecordScore += 0.5
	for _, c := range []struct {
		name string
		recs []timeseries.Record
		want string
	}{
		{"one record fewer", hi[:len(hi)-1], "jobrun wrote"},
		{"a score changed", hi, fmt.Sprintf("record %d differs", len(hi)-1)},
	} {
		f := &fatalTB{TB: t}
		done := make(chan struct{})
		go func() { defer close(done); demo.CheckJobrun(f, dir, c.recs) }()
		<-done
		if !strings.Contains(f.msg, c.want) {
			t.Errorf("%s: CheckJobrun said %q, want %q", c.name, f.msg, c.want)
		}
	}
}
