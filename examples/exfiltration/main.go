// Command exfiltration watches per-host outbound bytes for data leaving
// the network, the way an Elastic ML job would, with no cluster.
//
// It generates four weeks of outbound flow records (host, destination IP
// and country, bytes sent) for a dozen hosts whose traffic follows the
// working day and the week. Every night from 01:00 to 03:00 the three
// application servers are backed up to the backup server, about a hundred
// times their daytime volume and twice the leak below, so the backup
// dwarfs everything else, and recurs. On the afternoon of day 23 one
// workstation sends about 50× its usual volume to an address abroad for 40
// minutes.
//
// The job is Elastic's JSON (jobJSON below): high_sum(source.bytes)
// partitioned by host.name, influencers destination.ip and
// destination.geo.country_iso_code, 5-minute buckets, outbound flows only
// (the datafeed query). The program prints the anomalies an analyst would
// look at (time, host, bytes vs typical, score, severity, where the bytes
// went), checks the leak against the backups, and draws the leaking host's
// series with its bounds and anomalies to exfiltration.png (log scale).
// With -write DIR it also writes DIR/job.json and DIR/events.ndjson, so
// that examples/jobrun reproduces its records.
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
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/vigil-ml/vigil/examples/internal/demo"
	"github.com/vigil-ml/vigil/timeseries"
)

const jobJSON = `{
  "job_id": "host-outbound-bytes",
  "description": "Unusual outbound volume per host (possible exfiltration)",
  "analysis_config": {
    "bucket_span": "5m",
    "detectors": [{"function": "high_sum", "field_name": "source.bytes", "partition_field_name": "host.name",
                   "detector_description": "high outbound bytes per host"}],
    "influencers": ["destination.ip", "destination.geo.country_iso_code", "host.name"]
  },
  "analysis_limits": {"model_memory_limit": "128mb"},
  "data_description": {"time_field": "@timestamp"},
  "model_plot_config": {"enabled": true, "terms": "ws-fin-07"},
  "datafeed_config": {"indices": ["logs-network_traffic.flow-*"],
    "query": {"bool": {"filter": [{"term": {"network.direction": "outbound"}}, {"exists": {"field": "source.bytes"}}]}}}
}`

var start = time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC) // a Monday

const (
	leakDay     = 23
	leakFrom    = 14*time.Hour + 20*time.Minute
	leakLen     = 40 * time.Minute
	leaker      = "ws-fin-07"
	leakDst     = "185.220.101.7"
	leakCountry = "RU"
	backupDst   = "10.20.0.9"
	learnDays   = 7 // the backups are judged once the job has seen a week
	nHosts      = 12
	nServers    = 3 // srv-app-00..02 are backed up every night
)

// flow is one flow record.
type flow struct {
	t         time.Time
	host, dst string
	country   string
	direction string
	bytes     float64
}

func (f *flow) Time() time.Time { return f.t }
func (f *flow) Text(name string) (string, bool) {
	switch name {
	case "host.name":
		return f.host, true
	case "destination.ip":
		return f.dst, true
	case "destination.geo.country_iso_code":
		return f.country, f.country != ""
	case "network.direction":
		return f.direction, true
	case "source.bytes":
		return fmt.Sprint(f.bytes), true
	}
	return "", false
}
func (f *flow) Number(name string) (float64, bool) {
	if name == "source.bytes" {
		return f.bytes, true
	}
	return 0, false
}

func activity(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	a := 0.15 + 0.85*math.Exp(-math.Pow((h-13)/3.5, 2))
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		a *= 0.3
	}
	return a
}

// backupLoad is the nightly backup's share of its peak rate: ramps up
// from 01:00, full from 01:30 to 02:30, done by 03:00.
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

func hostName(i int) string {
	if i == 7 {
		return leaker
	}
	if i < 3 {
		return fmt.Sprintf("srv-app-%02d", i)
	}
	return fmt.Sprintf("ws-%02d", i)
}

// generate makes the flow log, sorted by time.
func generate(seed uint64, days int) []*flow {
	r := rand.New(rand.NewPCG(seed, 0xe4f1))
	countries := []string{"US", "US", "US", "DE", "IE", "NL", "FR", "GB"}
	var out []*flow
	step := 5 * time.Minute
	for b := 0; b < days*288; b++ {
		t := start.Add(time.Duration(b) * step)
		act := activity(t)
		for h := 0; h < nHosts; h++ {
			host := hostName(h)
			scale := 1 + 0.3*float64(h%4)
			n := demo.Poisson(r, 8*act*scale, math.Inf(1))
			for i := 0; i < n; i++ {
				out = append(out, &flow{t: t.Add(time.Duration(r.Int64N(int64(step)))), host: host,
					dst:       fmt.Sprintf("%d.%d.%d.%d", 34+r.IntN(120), r.IntN(256), r.IntN(256), 1+r.IntN(254)),
					country:   countries[r.IntN(len(countries))],
					direction: "outbound", bytes: math.Round(40e3 * math.Exp(r.NormFloat64()-0.5))})
			}
			// Inbound flows share the index; the datafeed query drops them.
			if r.IntN(3) == 0 {
				out = append(out, &flow{t: t.Add(time.Minute), host: host, dst: "10.0.0.1", direction: "inbound", bytes: 1e5})
			}
			// The servers' nightly backup: large chunks to the backup
			// server, each night's volume varying by ±10%.
			if load := backupLoad(t.Add(step / 2)); load > 0 && h < nServers {
				night := 1 + 0.1*math.Sin(float64(b/288)*1.7+float64(h))
				k := demo.Poisson(r, 12*load, math.Inf(1))
				for i := 0; i < k; i++ {
					out = append(out, &flow{t: t.Add(time.Duration(r.Int64N(int64(step)))), host: host, dst: backupDst,
						direction: "outbound", bytes: math.Round(5e6 * night * (0.8 + 0.4*r.Float64()))})
				}
			}
		}
	}
	// The leak: ~50× the host's usual afternoon volume, 40 minutes, abroad.
	if days > leakDay {
		lt := start.Add(leakDay*24*time.Hour + leakFrom)
		usual := 8 * 40e3 * activity(lt) * (1 + 0.3*float64(7%4)) // flows × mean bytes per bucket
		for m := time.Duration(0); m < leakLen; m += 30 * time.Second {
			out = append(out, &flow{t: lt.Add(m + time.Duration(r.Int64N(int64(10*time.Second)))), host: leaker, dst: leakDst,
				country: leakCountry, direction: "outbound", bytes: math.Round(49 * usual / 10 * (0.9 + 0.2*r.Float64()))})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out
}

// analysis is what the job found.
type analysis struct{ demo.Analysis }

func analyse(evs []*flow) (*analysis, error) {
	a, err := demo.Analyse(jobJSON, evs)
	if err != nil {
		return nil, err
	}
	return &analysis{*a}, nil
}

func inLeak(t time.Time) bool {
	s := start.Add(leakDay*24*time.Hour + leakFrom)
	return !t.Before(s.Add(-5*time.Minute)) && t.Before(s.Add(leakLen))
}

func isBackup(t time.Time) bool {
	return backupLoad(t) > 0 || backupLoad(t.Add(5*time.Minute)) > 0
}

type verdict struct {
	leakTop, backupTop float64
	backupRecords      int
}

func (a *analysis) verdict() verdict {
	var v verdict
	for _, r := range a.Records {
		switch {
		case r.PartitionFieldValue == leaker && inLeak(r.Timestamp):
			v.leakTop = math.Max(v.leakTop, r.RecordScore)
		case isBackup(r.Timestamp) && r.Timestamp.Sub(start) >= learnDays*24*time.Hour:
			v.backupTop = math.Max(v.backupTop, r.RecordScore)
			v.backupRecords++
		}
	}
	return v
}

func main() {
	days := flag.Int("days", 28, "days of traffic to generate")
	seed := flag.Uint64("seed", 1, "random seed")
	png := flag.String("png", "exfiltration.png", "chart of the leaking host's series")
	write := flag.String("write", "", "also write DIR/job.json and DIR/events.ndjson for examples/jobrun")
	minShow := flag.Float64("show", 50, "print records with record_score at least this")
	flag.Parse()
	if *days <= leakDay {
		log.Fatalf("exfiltration: -days must exceed %d (the leak is on day %d)", leakDay, leakDay)
	}
	evs := generate(*seed, *days)
	demo.MustWrite(*write, func(dir string) error { return writeData(dir, evs) })
	t0 := time.Now()
	a, err := analyse(evs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("flow log: %d records over %d days, %d outbound analysed (%d filtered by the datafeed query), %d hosts, %d buckets, %.2f s\n\n",
		len(evs), *days, a.Stats.Events, a.Stats.Filtered, nHosts, a.Buckets, time.Since(t0).Seconds())
	printRecords(a.Records, *minShow)
	v := a.verdict()
	fmt.Printf("\nleak from %s to %s (%s) on day %d: top record score %.1f (%s)\n", leaker, leakDst, leakCountry, leakDay, v.leakTop, timeseries.SeverityOf(v.leakTop))
	fmt.Printf("nightly backups of the servers to %s (01:00-03:00) after the first week: %d records, top score %.1f (%s)\n",
		backupDst, v.backupRecords, v.backupTop, timeseries.SeverityOf(v.backupTop))
	if *png != "" {
		if err := chart(*png, a); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("chart of %s written to %s\n", leaker, *png)
	}
}

func mb(b float64) string { return fmt.Sprintf("%.1f MB", b/1e6) }

func printRecords(recs []timeseries.Record, minScore float64) {
	demo.PrintRecords(os.Stdout, "time (UTC)\thost\tsent\ttypical\tscore\tseverity\twhere it went", recs, minScore,
		func(r *timeseries.Record) demo.Row {
			return demo.Row{Time: r.Timestamp.Format("2006-01-02 15:04"), Entity: r.PartitionFieldValue,
				Actual: mb(r.Actual), Typical: mb(r.Typical), Why: demo.Influencers(r, "host.name", shortField)}
		})
}

// shortField drops the destination and geo prefixes for the table.
func shortField(f string) string {
	return strings.TrimPrefix(strings.TrimPrefix(f, "destination."), "geo.")
}

// chart draws the leaking host's series over the four days around the
// leak, on a log scale so that the backups and the working day both show.
func chart(path string, a *analysis) error {
	from := start.Add((leakDay - 2) * 24 * time.Hour)
	to := start.Add((leakDay + 2) * 24 * time.Hour)
	const floor = 1e4 // the log scale starts here
	act, lo, hi := demo.Band(a.Plot, func(m *timeseries.ModelPlot) bool {
		return m.PartitionFieldValue == leaker && !m.Timestamp.Before(from) && m.Timestamp.Before(to)
	})
	for _, s := range []plotter.XYs{act, lo, hi} {
		for i := range s {
			s[i].Y = math.Max(floor, s[i].Y)
		}
	}
	var marks demo.Marks
	for _, r := range a.Records {
		if r.PartitionFieldValue == leaker && !r.Timestamp.Before(from) && r.Timestamp.Before(to) {
			marks.Add(float64(r.Timestamp.Unix()), math.Max(floor, r.Actual), r.RecordScore)
		}
	}
	p, err := demo.BandPlot("Outbound bytes per 5 minutes, "+leaker, "bytes (log scale)", act, lo, hi, marks, demo.DefaultMarks)
	if err != nil {
		return err
	}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	return p.Save(10*vg.Inch, 4*vg.Inch, path)
}

// writeData writes the job and the events as examples/jobrun reads them.
func writeData(dir string, evs []*flow) error {
	return demo.WriteJob(dir, jobJSON, len(evs), func(w *bufio.Writer, i int) {
		e := evs[i]
		geo := ""
		if e.country != "" {
			geo = fmt.Sprintf(`,"geo":{"country_iso_code":%q}`, e.country)
		}
		if i%2 == 0 {
			fmt.Fprintf(w, `{"@timestamp":%q,"host":{"name":%q},"network":{"direction":%q},"source":{"bytes":%.0f},"destination":{"ip":%q%s}}`,
				e.t.Format(time.RFC3339Nano), e.host, e.direction, e.bytes, e.dst, geo)
		} else {
			cc := ""
			if e.country != "" {
				cc = fmt.Sprintf(`,"destination.geo.country_iso_code":%q`, e.country)
			}
			fmt.Fprintf(w, `{"@timestamp":%q,"host.name":%q,"network.direction":%q,"source.bytes":%.0f,"destination.ip":%q%s}`,
				e.t.Format(time.RFC3339Nano), e.host, e.direction, e.bytes, e.dst, cc)
		}
	})
}
