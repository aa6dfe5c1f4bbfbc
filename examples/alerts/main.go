// Command alerts watches an IPS and a WAF for rule names that have not
// fired for a month, among thousands of daily repeats, the way Elastic
// ML's rare jobs would, with no cluster.
//
// It generates 45 days of alerts: forty noisy rules (policy, scanning,
// protocol anomalies) fire tens to thousands of times a day from many
// addresses, with the working day's rhythm, and five rules fire once a
// night (the backup's large SMB transfer, a monitoring probe, ...). An
// Apache Struts exploit rule fired on days 1 and 2, during a scan, then
// never again; on day 40 at 03:30 it fires again, from one address. On
// day 42 at 14:10 the WAF raises a rule it has never raised: a SQL
// injection attempt.
//
// The job is Elastic's JSON (jobJSON below): rare by rule.name, 30-minute
// buckets, alerts of both sensors (the datafeed query keeps
// event.kind: alert). The program prints the anomalies an analyst would
// look at (time, rule, sensor, source, how rare, score, severity) and draws
// alerts.png: when each of the quiet rules fired, the anomalies marked.
// With -write DIR it writes DIR/job.json and DIR/events.ndjson for
// examples/jobrun.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/vigil-ml/vigil/examples/internal/demo"
	"github.com/vigil-ml/vigil/timeseries"
)

const jobJSON = `{
  "job_id": "rare-ids-waf-rules",
  "description": "IPS and WAF rules that have not fired for a month",
  "analysis_config": {
    "bucket_span": "30m",
    "detectors": [{"function": "rare", "by_field_name": "rule.name", "detector_description": "rare rule name"}],
    "influencers": ["rule.name", "source.ip", "observer.name"]
  },
  "analysis_limits": {"model_memory_limit": "64mb"},
  "data_description": {"time_field": "@timestamp"},
  "datafeed_config": {"indices": ["logs-suricata.eve-*", "logs-aws_waf-*"],
    "query": {"bool": {"filter": [{"term": {"event.kind": "alert"}}]}}}
}`

var start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday

const (
	days       = 45
	strutsRule = "ET EXPLOIT Apache Struts OGNL Expression Injection (CVE-2017-5638)"
	strutsDay  = 40
	strutsIP   = "193.32.162.41"
	sqliRule   = "AWS WAF SQLi: UNION SELECT in query string"
	sqliDay    = 42
	sqliIP     = "91.240.118.29"
	learnDays  = 7
	ips, waf   = "ips-edge-01", "waf-01"
)

var nightly = []string{
	"ET POLICY SMB2 NT Create AndX Request For a DLL File (backup)",
	"ET INFO Observed DNS Query to .cloud TLD (monitoring)",
	"GPL ICMP PING *NIX (uptime probe)",
	"ET POLICY Outbound SFTP Session (offsite copy)",
	"AWS WAF SizeRestrictions_BODY (nightly import)",
}

// alert is one IPS or WAF alert.
type alert struct {
	t        time.Time
	rule     string
	src      string
	observer string
	kind     string
}

func (a *alert) Time() time.Time { return a.t }
func (a *alert) Text(name string) (string, bool) {
	switch name {
	case "rule.name":
		return a.rule, true
	case "source.ip":
		return a.src, true
	case "observer.name":
		return a.observer, true
	case "event.kind":
		return a.kind, true
	}
	return "", false
}
func (a *alert) Number(string) (float64, bool) { return 0, false }

func noisyRule(i int) (string, string) {
	if i%4 == 3 {
		return fmt.Sprintf("AWS WAF %s_%02d", []string{"CrossSiteScripting_QUERY", "GenericRFI_BODY", "NoUserAgent_HEADER", "SizeRestrictions_URI"}[i%4], i), waf
	}
	return fmt.Sprintf("ET %s %02d", []string{"SCAN Suspicious inbound", "POLICY Cleartext password", "INFO TLS SNI", "USER_AGENTS Go HTTP client"}[i%4], i), ips
}

func diurnal(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	return 0.3 + 0.7*math.Exp(-math.Pow((h-14)/4, 2))
}

func randIP(r *rand.Rand) string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

// generate makes the alert log, sorted by time.
func generate(seed uint64, ndays int) []*alert {
	r := rand.New(rand.NewPCG(seed, 0xa1e7))
	var out []*alert
	step := 30 * time.Minute
	rates := make([]float64, 40) // alerts per day at the peak
	for i := range rates {
		rates[i] = 30 * math.Pow(100, r.Float64()) // 30 to 3,000 a day
	}
	for b := 0; b < ndays*48; b++ {
		t := start.Add(time.Duration(b) * step)
		for i, rate := range rates {
			name, obs := noisyRule(i)
			n := demo.Poisson(r, rate/48*diurnal(t)*1.6, 40)
			for k := 0; k < n; k++ {
				out = append(out, &alert{t: t.Add(time.Duration(r.Int64N(int64(step)))), rule: name, src: randIP(r), observer: obs, kind: "alert"})
			}
		}
		if t.Hour() == 2 && t.Minute() == 0 {
			for k, name := range nightly {
				obs := ips
				if strings.HasPrefix(name, "AWS") {
					obs = waf
				}
				out = append(out, &alert{t: t.Add(time.Duration(k*3+r.IntN(3)) * time.Minute), rule: name, src: "10.1.0." + fmt.Sprint(10+k), observer: obs, kind: "alert"})
			}
		}
		// Flow and DNS events share the index; the datafeed query drops them.
		if b%2 == 0 {
			out = append(out, &alert{t: t.Add(time.Minute), rule: "", src: randIP(r), observer: ips, kind: "event"})
		}
	}
	// The Struts rule: a scan on days 1 and 2, then a month of silence.
	for _, at := range []time.Duration{1*24*time.Hour + 10*time.Hour, 1*24*time.Hour + 16*time.Hour, 2*24*time.Hour + 11*time.Hour} {
		for k := 0; k < 4; k++ {
			out = append(out, &alert{t: start.Add(at + time.Duration(k)*time.Minute), rule: strutsRule, src: randIP(r), observer: ips, kind: "alert"})
		}
	}
	if ndays > strutsDay {
		at := start.Add(strutsDay*24*time.Hour + 3*time.Hour + 30*time.Minute)
		for k := 0; k < 3; k++ {
			out = append(out, &alert{t: at.Add(time.Duration(k) * 20 * time.Second), rule: strutsRule, src: strutsIP, observer: ips, kind: "alert"})
		}
	}
	if ndays > sqliDay {
		at := start.Add(sqliDay*24*time.Hour + 14*time.Hour + 10*time.Minute)
		for k := 0; k < 5; k++ {
			out = append(out, &alert{t: at.Add(time.Duration(k) * 7 * time.Second), rule: sqliRule, src: sqliIP, observer: waf, kind: "alert"})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out
}

type analysis struct{ demo.Analysis }

func analyse(evs []*alert) (*analysis, error) {
	a, err := demo.Analyse(jobJSON, evs)
	if err != nil {
		return nil, err
	}
	return &analysis{*a}, nil
}

type verdict struct {
	struts, sqli  float64 // top scores of the two injected alerts
	benign        float64 // top score of everything else after the first week
	benignWhat    string
	benignRecords int
	blamed        bool // both name their source address
}

func (a *analysis) verdict() verdict {
	v := verdict{blamed: true}
	for i := range a.Records {
		r := &a.Records[i]
		late := r.Timestamp.Sub(start) >= learnDays*24*time.Hour
		switch {
		case r.ByFieldValue == strutsRule && late:
			v.struts = math.Max(v.struts, r.RecordScore)
			v.blamed = v.blamed && names(r, "source.ip", strutsIP)
		case r.ByFieldValue == sqliRule:
			v.sqli = math.Max(v.sqli, r.RecordScore)
			v.blamed = v.blamed && names(r, "source.ip", sqliIP)
		case late:
			v.benignRecords++
			if r.RecordScore > v.benign {
				v.benign, v.benignWhat = r.RecordScore, r.Timestamp.Format("Jan 2 15:04")+" "+r.ByFieldValue
			}
		}
	}
	return v
}

func names(r *timeseries.Record, field, value string) bool {
	for _, inf := range r.Influencers {
		if inf.FieldName == field && len(inf.FieldValues) > 0 && inf.FieldValues[0] == value {
			return true
		}
	}
	return false
}

func main() {
	ndays := flag.Int("days", days, "days of alerts to generate")
	seed := flag.Uint64("seed", 1, "random seed")
	png := flag.String("png", "alerts.png", "chart of the quiet rules")
	write := flag.String("write", "", "also write DIR/job.json and DIR/events.ndjson for examples/jobrun")
	minShow := flag.Float64("show", 50, "print records with record_score at least this")
	flag.Parse()
	if *ndays <= sqliDay {
		log.Fatalf("alerts: -days must exceed %d", sqliDay)
	}
	evs := generate(*seed, *ndays)
	demo.MustWrite(*write, func(dir string) error { return writeData(dir, evs) })
	t0 := time.Now()
	a, err := analyse(evs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("alert log: %d events over %d days, %d alerts analysed (%d filtered by the datafeed query), %d buckets, %.2f s\n\n",
		len(evs), *ndays, a.Stats.Events, a.Stats.Filtered, a.Buckets, time.Since(t0).Seconds())
	printRecords(a.Records, *minShow)
	v := a.verdict()
	fmt.Printf("\nStruts exploit rule back after a month (day %d, from %s): top record score %.1f (%s)\n", strutsDay, strutsIP, v.struts, timeseries.SeverityOf(v.struts))
	fmt.Printf("WAF SQL injection rule never raised before (day %d, from %s): top record score %.1f (%s)\n", sqliDay, sqliIP, v.sqli, timeseries.SeverityOf(v.sqli))
	fmt.Printf("everything else after the first week (noisy rules, nightly rules): %d records, top %.1f (%s; %s)\n",
		v.benignRecords, v.benign, timeseries.SeverityOf(v.benign), v.benignWhat)
	if *png != "" {
		if err := chart(*png, evs, a); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("chart written to %s\n", *png)
	}
}

func printRecords(recs []timeseries.Record, minScore float64) {
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "time (UTC)\trule\tsensor\tsource\tprobability\tscore\tseverity")
	n := 0
	for i := range recs {
		r := &recs[i]
		if r.RecordScore < minScore {
			continue
		}
		n++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1e\t%.1f\t%s\n", r.Timestamp.Format("2006-01-02 15:04"), r.ByFieldValue,
			first(r, "observer.name"), first(r, "source.ip"), r.Probability, r.RecordScore, r.Severity)
	}
	tw.Flush()
	if n == 0 {
		fmt.Printf("(no record scored %.0f or more)\n", minScore)
	}
}

func first(r *timeseries.Record, field string) string {
	for _, inf := range r.Influencers {
		if inf.FieldName == field && len(inf.FieldValues) > 0 {
			s := inf.FieldValues[0]
			if len(inf.FieldValues) > 1 {
				s += fmt.Sprintf(" +%d", len(inf.FieldValues)-1)
			}
			return s
		}
	}
	return "-"
}

// chart draws when each quiet rule (the nightly ones and the two injected)
// fired, in 30-minute buckets over the 45 days, the anomalies marked.
func chart(path string, evs []*alert, a *analysis) error {
	names := append(append([]string(nil), nightly...), strutsRule, sqliRule)
	row := map[string]int{}
	for i, n := range names {
		row[n] = i
	}
	seen := map[[2]int64]bool{}
	var pts plotter.XYs
	for _, e := range evs {
		y, ok := row[e.rule]
		if !ok {
			continue
		}
		k := [2]int64{e.t.Truncate(30 * time.Minute).Unix(), int64(y)}
		if !seen[k] {
			seen[k] = true
			pts = append(pts, plotter.XY{X: float64(k[0]), Y: float64(y)})
		}
	}
	var crit, major plotter.XYs
	for i := range a.Records {
		r := &a.Records[i]
		y, ok := row[r.ByFieldValue]
		if !ok || r.RecordScore < 50 {
			continue
		}
		pt := plotter.XY{X: float64(r.Timestamp.Unix()), Y: float64(y)}
		if r.RecordScore >= 75 {
			crit = append(crit, pt)
		} else {
			major = append(major, pt)
		}
	}
	p := plot.New()
	p.Title.Text = "When the quiet rules fired (30-minute buckets)"
	p.X.Tick.Marker = plot.TimeTicks{Format: "Jan 2"}
	var ticks []plot.Tick
	for i, n := range names {
		if len(n) > 34 {
			n = n[:33] + "…"
		}
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: n})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.5, float64(len(names))-0.5
	if len(pts) > 0 {
		p.X.Max = pts[len(pts)-1].X + 8*86400 // room for the legend
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Shape, sc.GlyphStyle.Radius, sc.GlyphStyle.Color = draw.BoxGlyph{}, vg.Points(1.5), demo.RGB(90, 120, 200)
	p.Add(sc)
	p.Legend.Add("fired in the bucket", sc)
	for _, s := range []struct {
		pts  plotter.XYs
		name string
		c    color.Color
	}{{major, "major (50-75)", demo.RGB(240, 140, 20)}, {crit, "critical (≥ 75)", demo.RGB(220, 20, 20)}} {
		if len(s.pts) == 0 {
			continue
		}
		m, err := plotter.NewScatter(s.pts)
		if err != nil {
			return err
		}
		m.GlyphStyle.Shape, m.GlyphStyle.Radius, m.GlyphStyle.Color = draw.CircleGlyph{}, vg.Points(5), s.c
		p.Add(m)
		p.Legend.Add(s.name, m)
	}
	p.Legend.Top = true
	return p.Save(11*vg.Inch, 4*vg.Inch, path)
}

// writeData writes the job and the events as examples/jobrun reads them.
func writeData(dir string, evs []*alert) error {
	return demo.WriteJob(dir, jobJSON, len(evs), func(w *bufio.Writer, i int) {
		e := evs[i]
		rule := ""
		if e.rule != "" {
			rule = fmt.Sprintf(`,"rule":{"name":%q}`, e.rule)
		}
		if i%2 == 0 {
			fmt.Fprintf(w, `{"@timestamp":%q,"event":{"kind":%q},"observer":{"name":%q},"source":{"ip":%q}%s}`,
				e.t.Format(time.RFC3339Nano), e.kind, e.observer, e.src, rule)
		} else {
			if e.rule != "" {
				rule = fmt.Sprintf(`,"rule.name":%q`, e.rule)
			}
			fmt.Fprintf(w, `{"@timestamp":%q,"event.kind":%q,"observer.name":%q,"source.ip":%q%s}`,
				e.t.Format(time.RFC3339Nano), e.kind, e.observer, e.src, rule)
		}
	})
}
