// Command rareisp watches which networks (autonomous systems) each host
// talks to, and flags a host talking to one nobody uses, the way Elastic
// ML's rare jobs would, with no cluster.
//
// It generates four weeks of outbound connection logs for 40 hosts. Every
// host talks to the fleet's usual providers (Microsoft, Google, Amazon,
// Akamai, Cloudflare, ...) during the working day, developers also to
// GitHub and Fastly, and the three database servers are backed up to
// Backblaze every night. A new workstation joins on day 15; on day 18 a
// developer starts using Zoom, which the rest of the fleet uses daily. On
// day 25 at 03:10 the finance workstation ws-fin-07 connects to an
// address of AS-STARK-INDUSTRIES, a hosting network no host has ever
// contacted.
//
// The job is Elastic's JSON (jobJSON below): rare by
// destination.as.organization.name over host.name, 15-minute buckets,
// outbound connections only. A network's probability joins how rarely the
// host and how rarely the fleet uses it, so the new workstation's first
// networks and the developer's first Zoom call stay quiet while the unknown
// network is critical. The program prints the anomalies (time, host,
// network, how rare, score, severity, why) and draws rareisp.png, the
// networks ws-fin-07 talked to over the days around the incident, the
// anomaly marked. With -write DIR it writes DIR/job.json and
// DIR/events.ndjson for examples/jobrun.
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
	"gonum.org/v1/plot/vg/draw"

	"github.com/vigil-ml/vigil/examples/internal/demo"
	"github.com/vigil-ml/vigil/timeseries"
)

const jobJSON = `{
  "job_id": "rare-destination-asn",
  "description": "Hosts talking to networks the fleet never uses",
  "analysis_config": {
    "bucket_span": "15m",
    "detectors": [{"function": "rare", "by_field_name": "destination.as.organization.name", "over_field_name": "host.name",
                   "detector_description": "rare destination network for the host and the fleet"}],
    "influencers": ["host.name", "destination.ip", "destination.as.organization.name"]
  },
  "analysis_limits": {"model_memory_limit": "128mb"},
  "data_description": {"time_field": "@timestamp"},
  "datafeed_config": {"indices": ["logs-network_traffic.flow-*"],
    "query": {"bool": {"filter": [{"term": {"network.direction": "outbound"}}, {"exists": {"field": "destination.as.organization.name"}}]}}}
}`

var start = time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC) // a Monday

const (
	nHosts     = 40
	incident   = 25
	victim     = "ws-fin-07"
	badASN     = "AS-STARK-INDUSTRIES"
	badIP      = "45.155.205.233"
	newHostDay = 15
	newHost    = "ws-new-41"
	zoomDay    = 18
	zoomHost   = "dev-03"
	learnDays  = 7
)

var fleetASNs = []string{"MICROSOFT-CORP-MSN-AS-BLOCK", "GOOGLE", "AMAZON-02", "AKAMAI-AS", "CLOUDFLARENET", "ZOOM-VIDEO-COMM-AS", "SLACK", "OKTA", "SALESFORCE"}
var devASNs = []string{"GITHUB", "FASTLY"}

// conn is one outbound connection log line.
type conn struct {
	t         time.Time
	host, ip  string
	asn       string
	direction string
}

func (c *conn) Time() time.Time { return c.t }
func (c *conn) Text(name string) (string, bool) {
	switch name {
	case "host.name":
		return c.host, true
	case "destination.ip":
		return c.ip, true
	case "destination.as.organization.name":
		return c.asn, c.asn != ""
	case "network.direction":
		return c.direction, true
	}
	return "", false
}
func (c *conn) Number(string) (float64, bool) { return 0, false }

func hostName(i int) string {
	switch {
	case i == 7:
		return victim
	case i < 3:
		return fmt.Sprintf("srv-db-%02d", i)
	case i < 8:
		return fmt.Sprintf("dev-%02d", i-3)
	}
	return fmt.Sprintf("ws-%02d", i)
}

func activity(t time.Time) float64 {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return 0.05
	}
	h := float64(t.Hour()) + float64(t.Minute())/60
	return 0.05 + 0.9*math.Exp(-math.Pow((h-12.5)/3.5, 2))
}

func ipIn(r *rand.Rand, asn string) string {
	h := 0
	for _, c := range asn {
		h = h*31 + int(c)
	}
	return fmt.Sprintf("%d.%d.%d.%d", 20+(h&0x7f), (h>>7)&0xff, r.IntN(256), 1+r.IntN(254))
}

// generate makes the connection log, sorted by time.
func generate(seed uint64, days int) []*conn {
	r := rand.New(rand.NewPCG(seed, 0xa5a5))
	var out []*conn
	step := 15 * time.Minute
	for b := 0; b < days*96; b++ {
		t := start.Add(time.Duration(b) * step)
		day := b / 96
		act := activity(t)
		for h := 0; h <= nHosts; h++ {
			host := hostName(h)
			if h == nHosts {
				if day < newHostDay {
					continue
				}
				host = newHost
			}
			asns := fleetASNs
			if h >= 3 && h < 8 {
				asns = append(append([]string(nil), fleetASNs...), devASNs...)
			}
			for _, asn := range asns {
				if asn == "ZOOM-VIDEO-COMM-AS" && host == zoomHost && day < zoomDay {
					continue
				}
				if r.Float64() >= act {
					continue
				}
				n := 1 + r.IntN(4)
				for i := 0; i < n; i++ {
					out = append(out, &conn{t: t.Add(time.Duration(r.Int64N(int64(step)))), host: host, ip: ipIn(r, asn), asn: asn, direction: "outbound"})
				}
			}
			// The database servers' nightly backup, 02:00-02:45.
			if h < 3 && t.Hour() == 2 {
				out = append(out, &conn{t: t.Add(time.Duration(r.Int64N(int64(step)))), host: host, ip: "45.11.36.9", asn: "BACKBLAZE", direction: "outbound"})
			}
			// Inbound flows and flows without enrichment share the index;
			// the datafeed query drops them.
			if r.IntN(8) == 0 {
				out = append(out, &conn{t: t.Add(time.Minute), host: host, ip: "10.0.0.1", direction: "inbound"})
			}
		}
	}
	if days > incident {
		at := start.Add(incident*24*time.Hour + 3*time.Hour + 10*time.Minute)
		for i := 0; i < 6; i++ {
			out = append(out, &conn{t: at.Add(time.Duration(i) * 40 * time.Second), host: victim, ip: badIP, asn: badASN, direction: "outbound"})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out
}

type analysis struct{ demo.Analysis }

func analyse(evs []*conn) (*analysis, error) {
	a, err := demo.Analyse(jobJSON, evs)
	if err != nil {
		return nil, err
	}
	return &analysis{*a}, nil
}

type verdict struct {
	incident       float64 // top score of ws-fin-07's unknown network
	newHost, zoom  float64 // top scores of the new host and of the developer's first Zoom
	benign         float64 // top score of everything else after the first week
	benignWhat     string
	benignRecords  int
	incidentBlamed bool // the incident's record names the network and the address
}

func (a *analysis) verdict() verdict {
	var v verdict
	for i := range a.Records {
		r := &a.Records[i]
		switch {
		case r.OverFieldValue == victim && r.ByFieldValue == badASN:
			v.incident = math.Max(v.incident, r.RecordScore)
			for _, inf := range r.Influencers {
				if inf.FieldName == "destination.ip" && len(inf.FieldValues) > 0 && inf.FieldValues[0] == badIP {
					v.incidentBlamed = true
				}
			}
		case r.OverFieldValue == newHost:
			v.newHost = math.Max(v.newHost, r.RecordScore)
		case r.OverFieldValue == zoomHost && r.ByFieldValue == "ZOOM-VIDEO-COMM-AS":
			v.zoom = math.Max(v.zoom, r.RecordScore)
		case r.Timestamp.Sub(start) >= learnDays*24*time.Hour:
			v.benignRecords++
			if r.RecordScore > v.benign {
				v.benign, v.benignWhat = r.RecordScore, r.Timestamp.Format("Jan 2 15:04")+" "+r.OverFieldValue+" "+r.ByFieldValue
			}
		}
	}
	return v
}

func main() {
	days := flag.Int("days", 28, "days of traffic to generate")
	seed := flag.Uint64("seed", 1, "random seed")
	png := flag.String("png", "rareisp.png", "chart of the victim's destination networks")
	write := flag.String("write", "", "also write DIR/job.json and DIR/events.ndjson for examples/jobrun")
	minShow := flag.Float64("show", 25, "print records with record_score at least this")
	flag.Parse()
	if *days <= incident {
		log.Fatalf("rareisp: -days must exceed %d (the incident is on day %d)", incident, incident)
	}
	evs := generate(*seed, *days)
	demo.MustWrite(*write, func(dir string) error { return writeData(dir, evs) })
	t0 := time.Now()
	a, err := analyse(evs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("connection log: %d records over %d days, %d analysed (%d filtered by the datafeed query), %d hosts, %d buckets, %.2f s\n\n",
		len(evs), *days, a.Stats.Events, a.Stats.Filtered, nHosts+1, a.Buckets, time.Since(t0).Seconds())
	printRecords(a.Records, *minShow)
	v := a.verdict()
	fmt.Printf("\n%s talking to %s (%s) on day %d: top record score %.1f (%s)\n", victim, badASN, badIP, incident, v.incident, timeseries.SeverityOf(v.incident))
	fmt.Printf("new workstation %s from day %d: top %.1f; %s's first Zoom call on day %d: top %.1f\n", newHost, newHostDay, v.newHost, zoomHost, zoomDay, v.zoom)
	fmt.Printf("everything else after the first week (nightly backups, weekends): %d records, top %.1f (%s)\n",
		v.benignRecords, v.benign, timeseries.SeverityOf(v.benign))
	if *png != "" {
		if err := chart(*png, evs, a); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("chart of %s written to %s\n", victim, *png)
	}
}

func printRecords(recs []timeseries.Record, minScore float64) {
	demo.PrintRecords(os.Stdout, "time (UTC)\thost\tnetwork\tprobability\tscore\tseverity\twhy", recs, minScore,
		func(r *timeseries.Record) demo.Row {
			var nets []string
			for _, c := range r.Causes {
				nets = append(nets, c.ByFieldValue)
			}
			return demo.Row{Time: r.Timestamp.Format("2006-01-02 15:04"), Entity: r.OverFieldValue,
				Actual: strings.Join(nets, ","), Typical: fmt.Sprintf("%.1e", r.Probability), Why: why(r)}
		})
}

func why(r *timeseries.Record) string {
	var parts []string
	for _, inf := range r.Influencers {
		if inf.FieldName == "host.name" || inf.FieldName == r.ByFieldName {
			continue
		}
		vals := inf.FieldValues
		if len(vals) > 3 {
			vals = vals[:3]
		}
		parts = append(parts, strings.TrimPrefix(inf.FieldName, "destination.")+"="+strings.Join(vals, ","))
	}
	if len(parts) == 0 {
		return "rare for the host and among hosts"
	}
	return strings.Join(parts, "; ") + " (rare for the host and among hosts)"
}

// chart draws, for the victim over the three days up to the incident, the
// networks it talked to in each bucket, the anomaly marked.
func chart(path string, evs []*conn, a *analysis) error {
	from := start.Add((incident - 2) * 24 * time.Hour)
	to := start.Add((incident + 1) * 24 * time.Hour)
	names := append(append([]string(nil), fleetASNs...), badASN)
	row := map[string]int{}
	for i, n := range names {
		row[n] = i
	}
	seen := map[[2]int64]bool{}
	var pts plotter.XYs
	for _, e := range evs {
		if e.host != victim || e.asn == "" || e.t.Before(from) || !e.t.Before(to) {
			continue
		}
		k := [2]int64{e.t.Truncate(15 * time.Minute).Unix(), int64(row[e.asn])}
		if seen[k] || e.asn == badASN {
			continue
		}
		seen[k] = true
		pts = append(pts, plotter.XY{X: float64(k[0]), Y: float64(k[1])})
	}
	var crit plotter.XYs
	for i := range a.Records {
		r := &a.Records[i]
		if r.OverFieldValue == victim && r.RecordScore >= 75 && !r.Timestamp.Before(from) && r.Timestamp.Before(to) {
			for _, c := range r.Causes {
				if y, ok := row[c.ByFieldValue]; ok {
					crit = append(crit, plotter.XY{X: float64(r.Timestamp.Unix()), Y: float64(y)})
				}
			}
		}
	}
	p := plot.New()
	p.Title.Text = "Destination networks of " + victim + " per 15 minutes"
	p.X.Tick.Marker = plot.TimeTicks{Format: "Jan 2\n15:04"}
	var ticks []plot.Tick
	for i, n := range names {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: n})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.5, float64(len(names))-0.5
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Shape, sc.GlyphStyle.Radius, sc.GlyphStyle.Color = draw.BoxGlyph{}, vg.Points(1.5), demo.RGB(90, 120, 200)
	p.Add(sc)
	p.Legend.Add("connections in the bucket", sc)
	if len(crit) > 0 {
		c, err := plotter.NewScatter(crit)
		if err != nil {
			return err
		}
		c.GlyphStyle.Shape, c.GlyphStyle.Radius, c.GlyphStyle.Color = draw.CircleGlyph{}, vg.Points(5), demo.RGB(220, 20, 20)
		p.Add(c)
		p.Legend.Add("critical (≥ 75)", c)
	}
	p.Legend.Top, p.Legend.Left = true, true
	return p.Save(10*vg.Inch, 4*vg.Inch, path)
}

// writeData writes the job and the events as examples/jobrun reads them.
func writeData(dir string, evs []*conn) error {
	return demo.WriteJob(dir, jobJSON, len(evs), func(w *bufio.Writer, i int) {
		e := evs[i]
		as := ""
		if e.asn != "" {
			as = fmt.Sprintf(`,"as":{"organization":{"name":%q}}`, e.asn)
		}
		if i%2 == 0 {
			fmt.Fprintf(w, `{"@timestamp":%q,"host":{"name":%q},"network":{"direction":%q},"destination":{"ip":%q%s}}`,
				e.t.Format(time.RFC3339Nano), e.host, e.direction, e.ip, as)
		} else {
			if e.asn != "" {
				as = fmt.Sprintf(`,"destination.as.organization.name":%q`, e.asn)
			}
			fmt.Fprintf(w, `{"@timestamp":%q,"host.name":%q,"network.direction":%q,"destination.ip":%q%s}`,
				e.t.Format(time.RFC3339Nano), e.host, e.direction, e.ip, as)
		}
	})
}
