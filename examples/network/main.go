// Command network watches an IDS connection log for unusual activity per
// destination port, the way an Elastic ML job would, with no cluster.
//
// It generates four weeks of connection records (source IP, destination IP,
// destination port) of an office network: web, DNS, SMB, RDP and SSH
// traffic that follows the working day and the week, plus a nightly backup
// that rsyncs (port 873) dozens of servers between 01:00 and 03:00. On the
// night of day 22 a workstation sweeps port 22 of hundreds of internal
// addresses, one connection every few seconds for fifty minutes, about 11×
// the usual SSH count for that hour.
//
// The job is Elastic's JSON (jobJSON below): high_count by destination.port,
// influencers source.ip and destination.ip, 5-minute buckets. The program
// prints the anomalies an analyst would look at (time, port, actual vs
// typical, score, severity, who was behind it), checks the sweep against
// the backup, and draws the SSH series with its bounds and anomalies to
// network.png. With -write DIR it also writes DIR/job.json and
// DIR/events.ndjson, so that
//
//	go run ./examples/jobrun -job DIR/job.json -events DIR/events.ndjson
//
// reproduces its records.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/vigil-ml/vigil/examples/internal/demo"
	"github.com/vigil-ml/vigil/timeseries"
)

const jobJSON = `{
  "job_id": "network-port-activity",
  "description": "Unusual connection counts per destination port (IDS log)",
  "analysis_config": {
    "bucket_span": "5m",
    "detectors": [{"function": "high_count", "by_field_name": "destination.port",
                   "detector_description": "high connection count by destination port"}],
    "influencers": ["source.ip", "destination.ip"]
  },
  "analysis_limits": {"model_memory_limit": "64mb"},
  "data_description": {"time_field": "@timestamp"},
  "model_plot_config": {"enabled": true, "terms": "22"},
  "datafeed_config": {"indices": ["logs-network-*"],
    "query": {"bool": {"filter": [{"term": {"event.category": "network"}}]}}}
}`

// Scenario constants.
var start = time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC) // a Monday

const (
	sweepDay    = 22
	sweepFrom   = 3*time.Hour + 10*time.Minute
	sweepLen    = 50 * time.Minute
	sweeper     = "10.1.7.23"
	backupHost  = "10.0.0.5"
	learnDays   = 7 // the backup is judged once the job has seen a week
	sshPort     = "22"
	backupPort  = "873"
	sweepPeriod = 4500 * time.Millisecond
)

// conn is one IDS connection record.
type conn struct {
	t        time.Time
	src, dst string
	port     string
	category string
}

func (c *conn) Time() time.Time { return c.t }
func (c *conn) Text(f string) (string, bool) {
	switch f {
	case "source.ip":
		return c.src, true
	case "destination.ip":
		return c.dst, true
	case "destination.port":
		return c.port, true
	case "event.category":
		return c.category, true
	}
	return "", false
}
func (c *conn) Number(f string) (float64, bool) {
	if f == "destination.port" {
		var v float64
		fmt.Sscan(c.port, &v)
		return v, true
	}
	return 0, false
}

// activity is the share of the peak rate at time t: low at night, a broad
// working-day hump, weekends at 40%.
func activity(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	a := 0.25 + 0.75*math.Exp(-math.Pow((h-13)/3.5, 2))
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		a *= 0.4
	}
	return a
}

// backupLoad is the nightly backup's share of its peak: ramps up from
// 01:00, full from 01:30 to 02:30, done by 03:00.
func backupLoad(t time.Time) float64 {
	m := float64(t.Hour()*60+t.Minute()) + float64(t.Second())/60
	switch {
	case m < 60 || m >= 180:
		return 0
	case m < 90:
		return (m - 60) / 30
	case m < 150:
		return 1
	}
	return (180 - m) / 30
}

// generate makes the connection log, sorted by time.
func generate(seed uint64, days int) []*conn {
	r := rand.New(rand.NewPCG(seed, 0x1d5))
	peak := map[string]float64{"443": 120, "80": 40, "53": 80, "22": 24, "3389": 8, "445": 25, backupPort: 0.3}
	ports := []string{"443", "80", "53", "22", "3389", "445", backupPort}
	ws := func() string { return fmt.Sprintf("10.1.%d.%d", r.IntN(8), 10+r.IntN(200)) }
	servers := func() string { return fmt.Sprintf("10.0.%d.%d", 1+r.IntN(3), 10+r.IntN(40)) }
	external := func() string {
		return fmt.Sprintf("%d.%d.%d.%d", 23+r.IntN(180), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	}
	var out []*conn
	step := 5 * time.Minute
	for b := 0; b < days*288; b++ {
		t := start.Add(time.Duration(b) * step)
		act := activity(t)
		for _, p := range ports {
			n := demo.Poisson(r, peak[p]*act, 60)
			if p == backupPort {
				n += demo.Poisson(r, 200*backupLoad(t.Add(step/2)), 60)
			}
			for i := 0; i < n; i++ {
				c := &conn{t: t.Add(time.Duration(r.Int64N(int64(step)))), port: p, category: "network"}
				switch p {
				case "443", "80":
					c.src, c.dst = ws(), external()
				case "53":
					c.src, c.dst = ws(), "10.0.0.53"
				case "22", "3389", "445":
					c.src, c.dst = ws(), servers()
				case backupPort:
					c.src, c.dst = backupHost, servers()
				}
				out = append(out, c)
			}
		}
		// A few process and file events share the index; the datafeed
		// query keeps only network ones.
		if r.IntN(4) == 0 {
			out = append(out, &conn{t: t.Add(time.Minute), src: ws(), dst: "-", port: "0", category: "process"})
		}
	}
	// The sweep: one workstation, port 22 of hundreds of addresses.
	sw := start.Add(sweepDay*24*time.Hour + sweepFrom)
	for k := 0; days > sweepDay && time.Duration(k)*sweepPeriod < sweepLen; k++ {
		jit := time.Duration(r.Int64N(int64(time.Second)))
		out = append(out, &conn{t: sw.Add(time.Duration(k)*sweepPeriod + jit), src: sweeper,
			dst: fmt.Sprintf("10.0.%d.%d", 1+k/250, 1+k%250), port: sshPort, category: "network"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out
}

// analysis is what the job found.
type analysis struct{ demo.Analysis }

func analyse(evs []*conn) (*analysis, error) {
	a, err := demo.Analyse(jobJSON, evs)
	if err != nil {
		return nil, err
	}
	return &analysis{*a}, nil
}

// inSweep reports whether a bucket start falls in the sweep.
func inSweep(t time.Time) bool {
	s := start.Add(sweepDay*24*time.Hour + sweepFrom)
	return !t.Before(s.Add(-5*time.Minute)) && t.Before(s.Add(sweepLen))
}

// isBackup reports whether a bucket start falls in a backup window.
func isBackup(t time.Time) bool {
	return backupLoad(t) > 0 || backupLoad(t.Add(5*time.Minute)) > 0
}

// verdict sums up the two checks.
type verdict struct {
	sweepTop, backupTop float64
}

func (a *analysis) verdict() verdict {
	var v verdict
	for _, r := range a.Records {
		switch {
		case r.ByFieldValue == sshPort && inSweep(r.Timestamp):
			v.sweepTop = math.Max(v.sweepTop, r.RecordScore)
		case r.ByFieldValue == backupPort && isBackup(r.Timestamp) && r.Timestamp.Sub(start) >= learnDays*24*time.Hour:
			v.backupTop = math.Max(v.backupTop, r.RecordScore)
		}
	}
	return v
}

func main() {
	days := flag.Int("days", 28, "days of traffic to generate")
	seed := flag.Uint64("seed", 1, "random seed")
	png := flag.String("png", "network.png", "chart of the SSH series")
	write := flag.String("write", "", "also write DIR/job.json and DIR/events.ndjson for examples/jobrun")
	minShow := flag.Float64("show", 50, "print records with record_score at least this")
	flag.Parse()
	if *days <= sweepDay {
		log.Fatalf("network: -days must exceed %d (the sweep is on day %d)", sweepDay, sweepDay)
	}
	evs := generate(*seed, *days)
	demo.MustWrite(*write, func(dir string) error { return writeData(dir, evs) })
	t0 := time.Now()
	a, err := analyse(evs)
	if err != nil {
		log.Fatal(err)
	}
	el := time.Since(t0)
	fmt.Printf("IDS log: %d records over %d days, %d analysed (%d filtered by the datafeed query), %d buckets, %.2f s\n\n",
		len(evs), *days, a.Stats.Events, a.Stats.Filtered, a.Buckets, el.Seconds())
	printRecords(a.Records, *minShow)
	v := a.verdict()
	fmt.Printf("\nSSH sweep by %s on day %d: top record score %.1f (%s)\n", sweeper, sweepDay, v.sweepTop, timeseries.SeverityOf(v.sweepTop))
	fmt.Printf("nightly backup (port %s, 01:00-03:00) after the first week: top record score %.1f (%s)\n",
		backupPort, v.backupTop, timeseries.SeverityOf(v.backupTop))
	if *png != "" {
		if err := chart(*png, a); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("chart of port 22 written to %s\n", *png)
	}
}

func printRecords(recs []timeseries.Record, minScore float64) {
	demo.PrintRecords(os.Stdout, "time (UTC)\tport\tconnections\ttypical\tscore\tseverity\tinfluencers", recs, minScore,
		func(r *timeseries.Record) demo.Row {
			return demo.Row{Time: r.Timestamp.Format("2006-01-02 15:04"), Entity: r.ByFieldValue, Actual: fmt.Sprintf("%.0f", r.Actual),
				Typical: fmt.Sprintf("%.1f", r.Typical), Why: demo.Influencers(r, "destination.port", nil)}
		})
}

// chart draws the port-22 series: actual, the model's 95% bounds, and the
// anomalies by severity, over the four days around the sweep.
func chart(path string, a *analysis) error {
	from := start.Add((sweepDay - 2) * 24 * time.Hour)
	to := start.Add((sweepDay + 2) * 24 * time.Hour)
	act, lo, hi := demo.Band(a.Plot, func(m *timeseries.ModelPlot) bool {
		return m.ByFieldValue == sshPort && !m.Timestamp.Before(from) && m.Timestamp.Before(to)
	})
	var marks demo.Marks
	for _, r := range a.Records {
		if r.ByFieldValue == sshPort && !r.Timestamp.Before(from) && r.Timestamp.Before(to) {
			marks.Add(float64(r.Timestamp.Unix()), r.Actual, r.RecordScore)
		}
	}
	p, err := demo.BandPlot("SSH (port 22) connections per 5 minutes", "connections", act, lo, hi, marks, demo.DefaultMarks)
	if err != nil {
		return err
	}
	return p.Save(10*vg.Inch, 4*vg.Inch, path)
}

// writeData writes the job and the events as examples/jobrun reads them.
func writeData(dir string, evs []*conn) error {
	return demo.WriteJob(dir, jobJSON, len(evs), func(w *bufio.Writer, i int) {
		c := evs[i]
		// Half the documents nest their objects, half use dotted keys, as
		// different shippers do.
		if i%2 == 0 {
			fmt.Fprintf(w, `{"@timestamp":%q,"event":{"category":%q},"source":{"ip":%q},"destination":{"ip":%q,"port":%s}}`,
				c.t.Format(time.RFC3339Nano), c.category, c.src, c.dst, c.port)
		} else {
			fmt.Fprintf(w, `{"@timestamp":%q,"event.category":%q,"source.ip":%q,"destination.ip":%q,"destination.port":%s}`,
				c.t.Format(time.RFC3339Nano), c.category, c.src, c.dst, c.port)
		}
	})
}
