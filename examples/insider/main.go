// Command insider watches employees' customer-record lookups in a bank's
// core system for insider misuse, the way an Elastic ML security job
// would, with no cluster.
//
// It generates eight weeks of lookup events (employee, customer, customer
// tier, network, source IP) of 40 employees of a branch network: 30
// tellers who serve standard customers only, 8 private bankers who mostly
// serve VIP customers and 2 managers, working 09:00-18:00 Seoul time on
// weekdays, with a Monday-morning peak and, on the last business day of
// each month, a month-end close: tellers work late and the statement
// service account svc-statements reads thousands of records. Three
// incidents are injected:
//
//   - a 20× day: teller e017 reads twenty times the usual number of records
//     all day (day 36);
//   - a 02:00 Sunday session over VPN: teller e023 reads records from home
//     in the middle of the night (day 41);
//   - bulk VIP lookups: teller e031, who never touched a VIP customer, reads
//     sixty VIP records in an hour (day 44).
//
// The job is Elastic's JSON (jobJSON below): lookups per employee per
// hour (high_count by user.name), an employee's lookups of a customer tier
// against their colleagues' (high_count over user.name partitioned by
// customer.tier), and the hour of the week an employee works (time_of_week,
// Seoul time). A rare detector on the tier (rare by customer.tier
// partitioned by user.name) is not used: it weighs the fleet, and VIP
// customers are served by a quarter of the staff, so a teller's first VIP
// lookup is only mildly rare (p ≈ 5e-3); it is the volume against
// colleagues that gives the teller away. Sensitivity is 1.15 (Vigil's
// knob; Elastic has none): an employee's hourly count is zero at night and
// peaks on Mondays, so its model's tails are wide, and at 1 the 20× day
// scores just under 75 (73.8) while the Monday peaks stay near 30. The
// month-end close cannot be learnt from two occurrences, so it is a
// calendar of scheduled events (results suppressed, models not updated),
// and the service accounts, listed in a filter, are exempt from the
// time-of-week detector by a custom rule; hourly anomalies of fewer than
// ten lookups are skipped by another rule (not worth an analyst's time).
//
// The program prints the anomalies an analyst acts on (time, employee,
// actual vs typical, score, severity, why), checks the incidents against
// the Monday peaks and the month-end close, and charts e017's and e023's
// hourly lookups with their bounds to insider.png. With -write DIR it
// writes DIR/job.json and DIR/events.ndjson so that
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
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/vigil-ml/vigil/examples/internal/demo"
	"github.com/vigil-ml/vigil/timeseries"
)

// Scenario constants.
var (
	seoul = mustZone("Asia/Seoul")
	start = time.Date(2026, 1, 5, 0, 0, 0, 0, seoul) // a Monday
)

const (
	days       = 56
	learnDays  = 14 // benign patterns are judged once the job has seen two weeks
	bigDay     = 36 // Tue 2026-02-10
	bigUser    = "e017"
	nightDay   = 41 // Sun 2026-02-15
	nightUser  = "e023"
	vipDay     = 44 // Wed 2026-02-18
	vipUser    = "e031"
	batchUser  = "svc-statements"
	vpnNetwork = "vpn"
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// monthEnds are the month-end closes in the data: the last business day
// of each month, 16:00-22:00.
func monthEnds() [][2]time.Time {
	var out [][2]time.Time
	for m := time.January; m <= time.February; m++ {
		d := time.Date(2026, m+1, 0, 0, 0, 0, 0, seoul) // last day of month m
		for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			d = d.AddDate(0, 0, -1)
		}
		out = append(out, [2]time.Time{d.Add(16 * time.Hour), d.Add(22 * time.Hour)})
	}
	return out
}

// jobJSON is the Elastic job, with the month-end calendar and the filter
// filled in by jobText.
const jobJSON = `{
  "job_id": "insider-customer-lookups",
  "description": "Employees' customer-record lookups (core banking audit log)",
  "analysis_config": {
    "bucket_span": "1h",
    "time_zone": "Asia/Seoul",
    "detectors": [
      {"function": "high_count", "by_field_name": "user.name",
       "detector_description": "unusually many lookups by an employee",
       "custom_rules": [{"actions": ["skip_result"],
         "conditions": [{"applies_to": "actual", "operator": "lt", "value": 10}]}]},
      {"function": "high_count", "over_field_name": "user.name", "partition_field_name": "customer.tier",
       "detector_description": "lookups of a customer tier unusual among colleagues"},
      {"function": "time_of_week", "by_field_name": "user.name",
       "detector_description": "unusual hour of the week for the employee",
       "custom_rules": [{"actions": ["skip_result"],
         "scope": {"user.name": {"filter_id": "service_accounts", "filter_type": "include"}}}]}
    ],
    "influencers": ["user.name", "network.name", "source.ip", "customer.tier"]
  },
  "analysis_limits": {"model_memory_limit": "64mb"},
  "vigil": {"sensitivity": 1.15},
  "data_description": {"time_field": "@timestamp"},
  "model_plot_config": {"enabled": true, "terms": "e017,e023"},
  "datafeed_config": {"indices": ["logs-corebanking-audit-*"],
    "query": {"bool": {"filter": [{"term": {"event.action": "customer-lookup"}}]}}},
  "filters": [{"filter_id": "service_accounts", "description": "batch and service accounts",
               "items": ["svc-*"]}],
  "calendars": [{"calendar_id": "month-end-close", "description": "month-end close and statement run",
                 "job_ids": ["insider-customer-lookups"], "events": %s}]
}`

// jobText fills the calendar's events (epoch milliseconds, as Elastic's
// scheduled events API writes them).
func jobText() string {
	var evs []string
	for _, me := range monthEnds() {
		evs = append(evs, fmt.Sprintf(`{"description": "month-end close %s", "start_time": %d, "end_time": %d}`,
			me[0].Format("2006-01"), me[0].UnixMilli(), me[1].UnixMilli()))
	}
	return fmt.Sprintf(jobJSON, "["+strings.Join(evs, ", ")+"]")
}

// lookup is one audit event.
type lookup struct {
	t                    time.Time
	user, customer, tier string
	network, ip, action  string
}

func (l *lookup) Time() time.Time { return l.t }
func (l *lookup) Text(f string) (string, bool) {
	switch f {
	case "user.name":
		return l.user, true
	case "customer.id":
		return l.customer, true
	case "customer.tier":
		return l.tier, true
	case "network.name":
		return l.network, true
	case "source.ip":
		return l.ip, true
	case "event.action":
		return l.action, true
	}
	return "", false
}
func (l *lookup) Number(string) (float64, bool) { return 0, false }

type employee struct {
	name    string
	rate    float64 // lookups per working hour at the peak
	vip     float64 // share of VIP customers
	ip      string
	teller  bool
	earlyOK bool // starts at 08:00 some days
}

func staff() []employee {
	var out []employee
	for i := 1; i <= 40; i++ {
		e := employee{name: fmt.Sprintf("e%03d", i), ip: fmt.Sprintf("10.20.%d.%d", i/10, 10+i)}
		switch {
		case i <= 30:
			e.rate, e.teller = 10+float64(i%5), true
		case i <= 38:
			e.rate, e.vip, e.earlyOK = 5, 0.7, true
		default:
			e.rate, e.vip = 3, 0.2
		}
		out = append(out, e)
	}
	return out
}

// workload is an employee's share of the peak rate in the hour starting
// at t: the working day with a lunch dip, a Monday-morning peak, the
// month-end close.
func workload(t time.Time, e employee, r *rand.Rand) float64 {
	wd := t.Weekday()
	if wd == time.Saturday || wd == time.Sunday {
		return 0
	}
	h := t.Hour()
	w := 0.0
	switch {
	case h == 8 && e.earlyOK:
		w = 0.3
	case h >= 9 && h < 12, h >= 13 && h < 18:
		w = 1
	case h == 12:
		w = 0.4
	}
	if wd == time.Monday && h >= 9 && h < 12 {
		w *= 1.7 // the Monday-morning peak
	}
	if inMonthEnd(t) && e.teller {
		w = 2.5 // month-end close: late and busy
	}
	return w
}

func inMonthEnd(t time.Time) bool {
	for _, me := range monthEnds() {
		if !t.Before(me[0]) && t.Before(me[1]) {
			return true
		}
	}
	return false
}

// generate makes the audit log, sorted by time.
func generate(seed uint64) []*lookup {
	r := rand.New(rand.NewPCG(seed, 0x1a51de))
	emps := staff()
	cust := func(vip bool) (string, string) {
		if vip {
			return fmt.Sprintf("C9%05d", r.IntN(2000)), "vip"
		}
		return fmt.Sprintf("C1%06d", r.IntN(400000)), "standard"
	}
	var out []*lookup
	add := func(t time.Time, e employee, vip bool, network, ip string) {
		id, tier := cust(vip)
		out = append(out, &lookup{t: t, user: e.name, customer: id, tier: tier, network: network, ip: ip, action: "customer-lookup"})
	}
	for hr := 0; hr < days*24; hr++ {
		t := start.Add(time.Duration(hr) * time.Hour)
		day := hr / 24
		for _, e := range emps {
			mu := e.rate * workload(t, e, r)
			if day == bigDay && e.name == bigUser && t.Hour() >= 9 && t.Hour() < 18 {
				mu *= 20
			}
			for k := demo.Poisson(r, mu, 60); k > 0; k-- {
				add(t.Add(time.Duration(r.Int64N(int64(time.Hour)))), e, r.Float64() < e.vip, "branch", e.ip)
			}
		}
		// The statement run reads thousands of records at month-end.
		if inMonthEnd(t) && t.Hour() >= 19 {
			svc := employee{name: batchUser}
			for k := demo.Poisson(r, 1500, 60); k > 0; k-- {
				add(t.Add(time.Duration(r.Int64N(int64(time.Hour)))), svc, r.Float64() < 0.1, "datacenter", "10.0.9.14")
			}
		}
		// Audit noise the datafeed query drops: logins, report runs.
		if r.IntN(3) == 0 {
			out = append(out, &lookup{t: t.Add(time.Minute), user: emps[r.IntN(len(emps))].name, action: "login", network: "branch", ip: "10.20.0.1"})
		}
	}
	// 02:00 Sunday over VPN: 45 lookups in 40 minutes from a home address.
	night := start.Add(nightDay*24*time.Hour + 2*time.Hour)
	e23 := emps[22]
	for k := 0; k < 45; k++ {
		add(night.Add(time.Duration(k)*53*time.Second), e23, r.Float64() < 0.3, vpnNetwork, "100.64.12.7")
	}
	// Bulk VIP lookups by a teller who never served a VIP customer.
	vip := start.Add(vipDay*24*time.Hour + 14*time.Hour)
	e31 := emps[30]
	for k := 0; k < 60; k++ {
		add(vip.Add(time.Duration(k)*57*time.Second), e31, true, "branch", e31.ip)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out
}

// analysis is what the job found.
type analysis struct{ demo.Analysis }

func analyse(evs []*lookup) (*analysis, error) {
	a, err := demo.Analyse(jobText(), evs)
	if err != nil {
		return nil, err
	}
	return &analysis{*a}, nil
}

// entity is the employee a record is about.
func entity(r *timeseries.Record) string {
	switch {
	case r.OverFieldName == "user.name":
		return r.OverFieldValue
	case r.PartitionFieldName == "user.name":
		return r.PartitionFieldValue
	}
	return r.ByFieldValue
}

// incident is an injected anomaly: an employee and a time window.
type incident struct {
	name     string
	user     string
	from, to time.Time
}

func incidents() []incident {
	day := func(d int) time.Time { return start.Add(time.Duration(d) * 24 * time.Hour) }
	return []incident{
		{"20× day", bigUser, day(bigDay).Add(9 * time.Hour), day(bigDay).Add(18 * time.Hour)},
		{"02:00 Sunday session over VPN", nightUser, day(nightDay).Add(2 * time.Hour), day(nightDay).Add(3 * time.Hour)},
		{"bulk VIP lookups by a teller", vipUser, day(vipDay).Add(14 * time.Hour), day(vipDay).Add(15 * time.Hour)},
	}
}

func (in incident) covers(r *timeseries.Record) bool {
	return entity(r) == in.user && !r.Timestamp.Before(in.from) && r.Timestamp.Before(in.to)
}

// verdict sums up the checks: the top score of each incident, of the
// Monday-morning peaks and month-end closes after the learning period, and
// of anything else.
type verdict struct {
	incident         []float64
	monday, monthEnd float64
	other            float64
	otherRec         timeseries.Record
}

func (a *analysis) verdict() verdict {
	ins := incidents()
	v := verdict{incident: make([]float64, len(ins))}
	for i := range a.Records {
		r := &a.Records[i]
		hit := false
		for k, in := range ins {
			if in.covers(r) {
				v.incident[k] = math.Max(v.incident[k], r.RecordScore)
				hit = true
			}
		}
		if hit {
			continue
		}
		lt := r.Timestamp.In(seoul)
		learnt := r.Timestamp.Sub(start) >= learnDays*24*time.Hour
		switch {
		case inMonthEnd(lt) || inMonthEnd(lt.Add(time.Hour)):
			v.monthEnd = math.Max(v.monthEnd, r.RecordScore)
		case learnt && lt.Weekday() == time.Monday && lt.Hour() >= 8 && lt.Hour() < 13:
			v.monday = math.Max(v.monday, r.RecordScore)
		case learnt && r.RecordScore > v.other:
			v.other, v.otherRec = r.RecordScore, *r
		}
	}
	return v
}

func main() {
	seed := flag.Uint64("seed", 1, "random seed")
	png := flag.String("png", "insider.png", "chart of the incidents' employees")
	write := flag.String("write", "", "also write DIR/job.json and DIR/events.ndjson for examples/jobrun")
	minShow := flag.Float64("show", 50, "print records with record_score at least this")
	flag.Parse()
	evs := generate(*seed)
	demo.MustWrite(*write, func(dir string) error { return writeData(dir, evs) })
	t0 := time.Now()
	a, err := analyse(evs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("audit log: %d events over %d days, %d customer lookups analysed (%d other events filtered), %d hourly buckets, %.2f s\n\n",
		len(evs), days, a.Stats.Events, a.Stats.Filtered, a.Buckets, time.Since(t0).Seconds())
	printRecords(a.Records, *minShow)
	v := a.verdict()
	fmt.Println()
	for k, in := range incidents() {
		fmt.Printf("%-32s %s %s: top record score %5.1f (%s)\n", in.name, in.user, in.from.Format("Mon 2006-01-02 15:04"),
			v.incident[k], timeseries.SeverityOf(v.incident[k]))
	}
	fmt.Printf("%-32s after week 2:          top record score %5.1f (%s)\n", "Monday-morning peaks", v.monday, timeseries.SeverityOf(v.monday))
	fmt.Printf("%-32s (calendar):            top record score %5.1f (%s)\n", "month-end closes", v.monthEnd, timeseries.SeverityOf(v.monthEnd))
	fmt.Printf("%-32s after week 2:          top record score %5.1f (%s)\n", "anything else", v.other, timeseries.SeverityOf(v.other))
	if *png != "" {
		if err := chart(*png, a); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("chart written to %s\n", *png)
	}
}

func printRecords(recs []timeseries.Record, minScore float64) {
	demo.PrintRecords(os.Stdout, "time (Seoul)\temployee\tactual\ttypical\tscore\tseverity\twhy", recs, minScore,
		func(r *timeseries.Record) demo.Row {
			return demo.Row{Time: r.Timestamp.In(seoul).Format("Mon 2006-01-02 15:04"), Entity: entity(r),
				Actual: actual(r), Typical: typical(r), Why: why(r)}
		})
}

func actual(r *timeseries.Record) string {
	if r.Function == "time_of_week" {
		return weekHour(r.Actual)
	}
	return fmt.Sprintf("%.0f lookups", r.Actual)
}

func typical(r *timeseries.Record) string {
	if r.Function == "time_of_week" {
		return weekHour(r.Typical)
	}
	return fmt.Sprintf("%.1f", r.Typical)
}

// weekHour formats seconds since Monday 00:00 (Seoul), as the
// time_of_week detector reports times.
func weekHour(sec float64) string {
	s := int(math.Mod(sec, 7*86400))
	if s < 0 {
		s += 7 * 86400
	}
	return fmt.Sprintf("%s %02d:%02d", []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}[s/86400], s%86400/3600, s%3600/60)
}

func why(r *timeseries.Record) string {
	var s string
	switch {
	case r.Function == "time_of_week":
		s = "unusual hour of the week"
	case r.OverFieldName != "":
		s = r.PartitionFieldValue + " lookups unusual among colleagues"
	default:
		s = "lookup volume"
	}
	for _, inf := range r.Influencers {
		if inf.FieldName == "network.name" || inf.FieldName == "source.ip" {
			s += "; " + inf.FieldName + "=" + strings.Join(inf.FieldValues[:min(2, len(inf.FieldValues))], ",")
		}
	}
	return s
}

// chart draws the hourly lookups of the 20×-day and the VPN employees, with
// the model's 95% bounds and the anomalies, over the week of each incident.
func chart(path string, a *analysis) error {
	p1, err := panel(a, bigUser, start.Add((bigDay-2)*24*time.Hour), start.Add((bigDay+3)*24*time.Hour), "lookups per hour: "+bigUser+" (20× day)")
	if err != nil {
		return err
	}
	p2, err := panel(a, nightUser, start.Add((nightDay-3)*24*time.Hour), start.Add((nightDay+2)*24*time.Hour), "lookups per hour: "+nightUser+" (02:00 Sunday over VPN)")
	if err != nil {
		return err
	}
	img := vgimgCanvas(10*vg.Inch, 7*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(8)}
	canvases := plot.Align([][]*plot.Plot{{p1}, {p2}}, tiles, dc)
	p1.Draw(canvases[0][0])
	p2.Draw(canvases[1][0])
	return savePNG(img, path)
}

func panel(a *analysis, user string, from, to time.Time, title string) (*plot.Plot, error) {
	act, lo, hi := demo.Band(a.Plot, func(m *timeseries.ModelPlot) bool {
		return m.DetectorIndex == 0 && m.ByFieldValue == user && !m.Timestamp.Before(from) && m.Timestamp.Before(to)
	})
	var marks demo.Marks
	for i := range a.Records {
		r := &a.Records[i]
		if entity(r) != user || r.Timestamp.Before(from) || !r.Timestamp.Before(to) {
			continue
		}
		y := 0.0
		for _, m := range a.Plot {
			if m.DetectorIndex == 0 && m.ByFieldValue == user && m.Timestamp.Equal(r.Timestamp) {
				y = m.Actual
			}
		}
		marks.Add(float64(r.Timestamp.Unix()), y, r.RecordScore)
	}
	ticks := plot.TimeTicks{Format: "Mon Jan 2\n15:04", Time: plot.UnixTimeIn(seoul)}
	if len(act) == 0 {
		p := plot.New()
		p.Title.Text, p.Y.Label.Text, p.X.Tick.Marker = title, "lookups", ticks
		return p, nil
	}
	p, err := demo.BandPlot(title, "lookups", act, lo, hi, marks, markStyle)
	if err != nil {
		return nil, err
	}
	p.X.Tick.Marker = ticks
	return p, nil
}

var markStyle = demo.MarkStyle{Radius: vg.Points(3.5), Major: demo.RGB(230, 140, 20), Critical: demo.RGB(230, 20, 20), CriticalShape: draw.CircleGlyph{}}

// writeData writes the job and the events as examples/jobrun reads them.
func writeData(dir string, evs []*lookup) error {
	return demo.WriteJob(dir, jobText(), len(evs), func(w *bufio.Writer, i int) {
		l := evs[i]
		ts := l.t.UTC().Format(time.RFC3339Nano)
		if i%2 == 0 {
			fmt.Fprintf(w, `{"@timestamp":%q,"event":{"action":%q},"user":{"name":%q},"network":{"name":%q},"source":{"ip":%q}`,
				ts, l.action, l.user, l.network, l.ip)
		} else {
			fmt.Fprintf(w, `{"@timestamp":%q,"event.action":%q,"user.name":%q,"network.name":%q,"source.ip":%q`,
				ts, l.action, l.user, l.network, l.ip)
		}
		if l.customer != "" {
			fmt.Fprintf(w, `,"customer.id":%q,"customer.tier":%q`, l.customer, l.tier)
		}
		w.WriteString("}")
	})
}
