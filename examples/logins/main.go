// Command logins watches authentication logs for account attacks, the way
// Elastic ML's security jobs would, with no cluster.
//
// It generates four weeks of sign-ins for 600 employees: office workers
// behind two office NAT addresses (hundreds of user names per address every
// working hour), remote workers from their home addresses, and a sales team
// that travels to the same few countries every week. Two attacks are
// injected:
//
//   - credential stuffing: on day 20 at 02:00 one address abroad tries 400
//     user names (most of them not employees) in under an hour;
//   - a stolen session token: on day 24 at 14:00 one employee's token is
//     used from four countries other than home within the hour.
//
// The job is Elastic's JSON (jobJSON below), 1-hour buckets, two
// detectors: high_distinct_count(user.name) over source.ip (population
// analysis: each address against all addresses) and rare by
// source.geo.country_iso_code over user.name (a country new to the user
// and rare among users). The program prints the anomalies as an analyst
// reads them (time, what, who, actual vs typical, score, severity, why),
// checks the attacks against the recurring patterns (office NATs, the
// travellers) and draws logins.png: distinct user names per hour of the
// stuffing address and of the busiest office NAT against the population's
// median and 95% bound, with the anomalies marked. With -write DIR it writes
// DIR/job.json and DIR/events.ndjson for examples/jobrun.
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
  "job_id": "auth-account-attacks",
  "description": "Credential stuffing and session tokens used from unusual countries",
  "analysis_config": {
    "bucket_span": "1h",
    "detectors": [
      {"function": "high_distinct_count", "field_name": "user.name", "over_field_name": "source.ip",
       "detector_description": "one address trying many user names"},
      {"function": "rare", "by_field_name": "source.geo.country_iso_code", "over_field_name": "user.name",
       "detector_description": "a user signing in from a country new to them and rare among users"}
    ],
    "influencers": ["source.ip", "user.name", "source.geo.country_iso_code"]
  },
  "analysis_limits": {"model_memory_limit": "256mb"},
  "data_description": {"time_field": "@timestamp"},
  "model_plot_config": {"enabled": true},
  "datafeed_config": {"indices": ["logs-okta*", "logs-azure.signinlogs*"],
    "query": {"bool": {"filter": [{"term": {"event.category": "authentication"}}]}}}
}`

var start = time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC) // a Monday

const (
	nUsers      = 600
	stuffDay    = 20
	stuffHour   = 2
	stuffIP     = "45.134.26.77"
	stuffCC     = "NL"
	stuffNames  = 400
	tokenDay    = 24
	tokenHour   = 14
	tokenUser   = "j.park"
	learnDays   = 7
	officeNAT1  = "203.0.113.10"
	officeNAT2  = "198.51.100.20"
	nTravellers = 20
)

var tokenCountries = []string{"US", "DE", "BR", "NG"}

// login is one authentication event.
type login struct {
	t        time.Time
	user, ip string
	country  string
	category string
	outcome  string
}

func (l *login) Time() time.Time { return l.t }
func (l *login) Text(name string) (string, bool) {
	switch name {
	case "user.name":
		return l.user, true
	case "source.ip":
		return l.ip, true
	case "source.geo.country_iso_code":
		return l.country, l.country != ""
	case "event.category":
		return l.category, true
	case "event.outcome":
		return l.outcome, true
	}
	return "", false
}
func (l *login) Number(string) (float64, bool) { return 0, false }

type user struct {
	name, home, ip string
	office         bool
	traveller      bool
	dest           string // the traveller's usual destination
}

func users(r *rand.Rand) []user {
	homes := []string{"US", "US", "US", "US", "DE", "DE", "GB", "IN", "KR"}
	var us []user
	for i := 0; i < nUsers; i++ {
		u := user{name: fmt.Sprintf("user%03d", i), home: homes[r.IntN(len(homes))]}
		if i == 123 {
			u.name, u.home = tokenUser, "KR"
		}
		switch {
		case i%3 != 0 && (u.home == "US" || u.home == "DE"):
			u.office = true
			u.ip = officeNAT1
			if u.home == "DE" {
				u.ip = officeNAT2
			}
		default:
			u.ip = fmt.Sprintf("%d.%d.%d.%d", 60+r.IntN(100), r.IntN(256), r.IntN(256), 1+r.IntN(254))
		}
		if i < nTravellers {
			u.traveller = true
			u.dest = []string{"GB", "FR", "JP", "SG"}[i%4]
		}
		us = append(us, u)
	}
	return us
}

func working(t time.Time) float64 {
	wd := t.Weekday()
	if wd == time.Saturday || wd == time.Sunday {
		return 0.03
	}
	h := t.Hour()
	if h >= 7 && h < 18 {
		return 0.55
	}
	return 0.03
}

// generate makes the sign-in log, sorted by time.
func generate(seed uint64, days int) []*login {
	r := rand.New(rand.NewPCG(seed, 0x10915))
	us := users(rand.New(rand.NewPCG(seed, 1)))
	var out []*login
	for h := 0; h < days*24; h++ {
		t := start.Add(time.Duration(h) * time.Hour)
		day := h / 24
		for _, u := range us {
			if r.Float64() >= working(t) {
				continue
			}
			cc, ip := u.home, u.ip
			// Travellers spend Tuesday to Thursday of every other week,
			// from the first, at their usual destination, signing in from
			// hotel addresses.
			if u.traveller && (day/7)%2 == 0 && t.Weekday() >= time.Tuesday && t.Weekday() <= time.Thursday {
				cc, ip = u.dest, fmt.Sprintf("100.%d.%d.%d", 64+r.IntN(60), r.IntN(256), 1+r.IntN(254))
			}
			n := 1 + r.IntN(3)
			for i := 0; i < n; i++ {
				out = append(out, &login{t: t.Add(time.Duration(r.Int64N(int64(time.Hour)))), user: u.name, ip: ip,
					country: cc, category: "authentication", outcome: "success"})
			}
		}
		// Process events share the index; the datafeed query drops them.
		if h%3 == 0 {
			out = append(out, &login{t: t.Add(time.Minute), user: "svc-backup", ip: "10.0.0.5", category: "process", outcome: "success"})
		}
	}
	if days > stuffDay {
		at := start.Add(stuffDay*24*time.Hour + stuffHour*time.Hour)
		for i := 0; i < stuffNames; i++ {
			name := fmt.Sprintf("%s%d", []string{"admin", "info", "sales", "j.smith", "test", "support"}[i%6], i)
			if i%10 == 0 {
				name = us[r.IntN(len(us))].name // some real employees among the list
			}
			out = append(out, &login{t: at.Add(time.Duration(i) * 8 * time.Second), user: name, ip: stuffIP,
				country: stuffCC, category: "authentication", outcome: "failure"})
		}
	}
	if days > tokenDay {
		at := start.Add(tokenDay*24*time.Hour + tokenHour*time.Hour)
		for i, cc := range tokenCountries {
			for k := 0; k < 3; k++ {
				out = append(out, &login{t: at.Add(time.Duration(i*12+k*3)*time.Minute + 17*time.Second), user: tokenUser,
					ip: fmt.Sprintf("%d.%d.7.%d", 80+i*20, 11+i, 9+k), country: cc, category: "authentication", outcome: "success"})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out
}

type analysis struct{ demo.Analysis }

func analyse(evs []*login) (*analysis, error) {
	a, err := demo.Analyse(jobJSON, evs)
	if err != nil {
		return nil, err
	}
	return &analysis{*a}, nil
}

func isStuffing(r *timeseries.Record) bool {
	return r.Timestamp.Equal(start.Add(stuffDay*24*time.Hour+stuffHour*time.Hour)) &&
		(r.DetectorIndex == 0 && r.OverFieldValue == stuffIP || r.DetectorIndex == 1)
}

func isToken(r *timeseries.Record) bool {
	return r.DetectorIndex == 1 && r.OverFieldValue == tokenUser && r.Timestamp.Equal(start.Add(tokenDay*24*time.Hour+tokenHour*time.Hour))
}

type verdict struct {
	stuffing, token float64 // top scores of the attacks
	benign          float64 // top score of everything else after the first week
	benignWhat      string
	benignRecords   int
}

func (a *analysis) verdict() verdict {
	var v verdict
	for i := range a.Records {
		r := &a.Records[i]
		switch {
		case r.DetectorIndex == 0 && isStuffing(r):
			v.stuffing = math.Max(v.stuffing, r.RecordScore)
		case isToken(r):
			v.token = math.Max(v.token, r.RecordScore)
		case isStuffing(r): // employees tried by the stuffing list: victims, not benign
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
	days := flag.Int("days", 28, "days of sign-ins to generate")
	seed := flag.Uint64("seed", 1, "random seed")
	png := flag.String("png", "logins.png", "chart of distinct user names per address")
	write := flag.String("write", "", "also write DIR/job.json and DIR/events.ndjson for examples/jobrun")
	minShow := flag.Float64("show", 50, "print records with record_score at least this")
	flag.Parse()
	if *days <= tokenDay {
		log.Fatalf("logins: -days must exceed %d (the token is stolen on day %d)", tokenDay, tokenDay)
	}
	evs := generate(*seed, *days)
	demo.MustWrite(*write, func(dir string) error { return writeData(dir, evs) })
	t0 := time.Now()
	a, err := analyse(evs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("sign-in log: %d events over %d days, %d analysed (%d filtered by the datafeed query), %d employees, %d buckets, %.2f s\n\n",
		len(evs), *days, a.Stats.Events, a.Stats.Filtered, nUsers, a.Buckets, time.Since(t0).Seconds())
	printRecords(a.Records, *minShow)
	v := a.verdict()
	fmt.Printf("\ncredential stuffing from %s (%s), %d user names on day %d at %02d:00: top record score %.1f (%s)\n",
		stuffIP, stuffCC, stuffNames, stuffDay, stuffHour, v.stuffing, timeseries.SeverityOf(v.stuffing))
	fmt.Printf("%s's token used from %s within the hour on day %d: top record score %.1f (%s)\n",
		tokenUser, strings.Join(tokenCountries, ", "), tokenDay, v.token, timeseries.SeverityOf(v.token))
	fmt.Printf("everything else after the first week (office NATs, travellers): %d records, top %.1f (%s; %s)\n",
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
	fmt.Fprintln(tw, "time (UTC)\twhat\twho\tactual\ttypical\tscore\tseverity\twhy")
	// Records of one bucket and detector that share an influencer value
	// (the victims of one address) are one line for the analyst.
	type group struct {
		key  string
		recs []*timeseries.Record
	}
	var groups []*group
	at := map[string]*group{}
	for i := range recs {
		r := &recs[i]
		if r.RecordScore < minScore {
			continue
		}
		key := fmt.Sprint(r.Timestamp.Unix(), r.DetectorIndex, r.OverFieldValue)
		if r.DetectorIndex == 1 {
			for _, inf := range r.Influencers {
				if inf.FieldName == "source.ip" && len(inf.FieldValues) == 1 {
					key = fmt.Sprint(r.Timestamp.Unix(), r.DetectorIndex, inf.FieldValues[0])
				}
			}
		}
		g := at[key]
		if g == nil {
			g = &group{key: key}
			at[key] = g
			groups = append(groups, g)
		}
		g.recs = append(g.recs, r)
	}
	n := 0
	for _, g := range groups {
		if len(g.recs) <= 3 {
			for _, r := range g.recs {
				printRecord(tw, r, r.OverFieldValue)
				n++
			}
			continue
		}
		r := g.recs[0]
		for _, o := range g.recs {
			if o.RecordScore > r.RecordScore {
				r = o
			}
		}
		printRecord(tw, r, fmt.Sprintf("%d users (%s, %s, ...)", len(g.recs), g.recs[0].OverFieldValue, g.recs[1].OverFieldValue))
		n++
	}
	tw.Flush()
	if n == 0 {
		fmt.Printf("(no record scored %.0f or more)\n", minScore)
	}
}

func printRecord(tw *tabwriter.Writer, r *timeseries.Record, who string) {
	{
		what, act, typ := "user names tried", fmt.Sprintf("%.0f", r.Actual), fmt.Sprintf("%.1f", r.Typical)
		if r.DetectorIndex == 1 {
			var ccs []string
			for _, c := range r.Causes {
				ccs = append(ccs, c.ByFieldValue)
			}
			what, act, typ = "sign-in from "+strings.Join(ccs, ","), "new", fmt.Sprintf("p=%.1e", r.Typical)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n", r.Timestamp.Format("2006-01-02 15:04"), what, who,
			act, typ, r.RecordScore, r.Severity, why(r))
	}
}

func why(r *timeseries.Record) string {
	var parts []string
	for _, inf := range r.Influencers {
		if inf.FieldName == r.OverFieldName {
			continue
		}
		vals := inf.FieldValues
		more := ""
		if len(vals) > 3 {
			more = fmt.Sprintf(" +%d", len(vals)-3)
			vals = vals[:3]
		}
		parts = append(parts, strings.TrimPrefix(inf.FieldName, "source.geo.")+"="+strings.Join(vals, ",")+more)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}

// chart draws distinct user names per hour for the stuffing address and
// the busiest office NAT over four days around the attack, against the
// population's median and 95% upper bound (the job's model plot).
func chart(path string, evs []*login, a *analysis) error {
	from := start.Add((stuffDay - 2) * 24 * time.Hour)
	to := start.Add((stuffDay + 2) * 24 * time.Hour)
	names := map[[2]int64]map[string]bool{} // (ip index, hour) -> names
	ips := map[string]int64{stuffIP: 0, officeNAT1: 1}
	for _, e := range evs {
		k, ok := ips[e.ip]
		if !ok || e.t.Before(from) || !e.t.Before(to) || e.category != "authentication" {
			continue
		}
		h := e.t.Truncate(time.Hour).Unix()
		if names[[2]int64{k, h}] == nil {
			names[[2]int64{k, h}] = map[string]bool{}
		}
		names[[2]int64{k, h}][e.user] = true
	}
	series := func(k int64) plotter.XYs {
		var xy plotter.XYs
		for t := from; t.Before(to); t = t.Add(time.Hour) {
			xy = append(xy, plotter.XY{X: float64(t.Unix()), Y: math.Max(0.8, float64(len(names[[2]int64{k, t.Unix()}])))})
		}
		return xy
	}
	var med, hi plotter.XYs
	for _, m := range a.Plot {
		if m.DetectorIndex != 0 || m.Timestamp.Before(from) || !m.Timestamp.Before(to) {
			continue
		}
		med = append(med, plotter.XY{X: float64(m.Timestamp.Unix()), Y: math.Max(0.8, m.Median)})
		hi = append(hi, plotter.XY{X: float64(m.Timestamp.Unix()), Y: math.Max(0.8, m.Upper)})
	}
	var crit plotter.XYs
	for i := range a.Records {
		r := &a.Records[i]
		if r.DetectorIndex == 0 && r.RecordScore >= 75 && !r.Timestamp.Before(from) && r.Timestamp.Before(to) {
			crit = append(crit, plotter.XY{X: float64(r.Timestamp.Unix()), Y: r.Actual})
		}
	}
	p := plot.New()
	p.Title.Text = "Distinct user names per source address and hour"
	p.Y.Label.Text = "user names (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.X.Tick.Marker = plot.TimeTicks{Format: "Jan 2\n15:04"}
	add := func(xy plotter.XYs, name string, c color.Color, dashed bool) error {
		if len(xy) == 0 {
			return nil
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = c
		if dashed {
			l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		}
		p.Add(l)
		p.Legend.Add(name, l)
		return nil
	}
	for _, s := range []struct {
		xy     plotter.XYs
		name   string
		c      color.Color
		dashed bool
	}{
		{series(1), "office NAT " + officeNAT1, demo.RGB(60, 140, 60), false},
		{series(0), stuffIP, demo.RGB(200, 40, 40), false},
		{med, "population median", demo.RGB(90, 120, 200), true},
		{hi, "population 95% bound", demo.RGB(40, 60, 160), true},
	} {
		if err := add(s.xy, s.name, s.c, s.dashed); err != nil {
			return err
		}
	}
	if len(crit) > 0 {
		sc, err := plotter.NewScatter(crit)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Shape, sc.GlyphStyle.Radius, sc.GlyphStyle.Color = draw.CircleGlyph{}, vg.Points(4), demo.RGB(220, 20, 20)
		p.Add(sc)
		p.Legend.Add("critical (≥ 75)", sc)
	}
	p.Legend.Top = true
	return p.Save(10*vg.Inch, 4*vg.Inch, path)
}

// writeData writes the job and the events as examples/jobrun reads them.
func writeData(dir string, evs []*login) error {
	return demo.WriteJob(dir, jobJSON, len(evs), func(w *bufio.Writer, i int) {
		e := evs[i]
		geo := ""
		if e.country != "" {
			geo = fmt.Sprintf(`,"geo":{"country_iso_code":%q}`, e.country)
		}
		if i%2 == 0 {
			fmt.Fprintf(w, `{"@timestamp":%q,"event":{"category":%q,"outcome":%q},"user":{"name":%q},"source":{"ip":%q%s}}`,
				e.t.Format(time.RFC3339Nano), e.category, e.outcome, e.user, e.ip, geo)
		} else {
			cc := ""
			if e.country != "" {
				cc = fmt.Sprintf(`,"source.geo.country_iso_code":%q`, e.country)
			}
			fmt.Fprintf(w, `{"@timestamp":%q,"event.category":%q,"event.outcome":%q,"user.name":%q,"source.ip":%q%s}`,
				e.t.Format(time.RFC3339Nano), e.category, e.outcome, e.user, e.ip, cc)
		}
	})
}
