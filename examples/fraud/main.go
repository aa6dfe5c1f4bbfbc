// Command fraud watches a bank's transactions for account takeover of a
// dormant account, the way an Elastic ML fraud job would, with no cluster.
//
// It generates nine weeks of transactions of 500 customers (Seoul time,
// amounts in won): card payments through the day, online transfers to the
// few people each customer pays, ATM withdrawals, salaries paid by the
// bank's batch on payday (the 25th, or the Friday before), standing orders
// (rent and loans on the 1st, utilities on the 10th, executed by the batch
// at 06:00), and on payday evening many customers move part of their salary
// to their own savings account. One account, used for two weeks in
// January, then falls silent. On 4 March at 04:00 it receives a 1,000-won
// deposit from an account never seen before (the fraudster testing it),
// and 30 minutes later 12,000,000 won leave it for another never-seen
// account.
//
// The job is Elastic's JSON (jobJSON below), in 15-minute buckets: an
// account's largest amount against all customers' on the channel (max
// over account.id, partitioned by transaction.channel) and the time of
// day an account uses a channel against all customers (time_of_day by
// transaction.channel over account.id, Seoul time). An account's own
// history of amounts and hours is too thin (a few transfers a week) to
// tell a payday transfer from a theft; the population's is not. The
// counterparty is an influencer: the critical withdrawal record names the
// never-seen account the money went to. (A rare detector on the
// counterparty cannot carry this alone: a customer pays a handful of
// people, so the rarity of a new payee is about one over the account's few
// transfers, and a dormant account's history has decayed; rare by
// counterparty.account partitioned by account.id scores nothing here.) The bank's own scheduled payments (channel
// "batch": salaries, standing orders) recur monthly, too seldom to learn
// in weeks, and say nothing about the customer: a custom rule scoped by a
// filter of scheduled channels skips their results. model_prune_window is
// 120 days, so that a dormant account keeps its history.
//
// The program prints the anomalies an analyst acts on (time, account,
// actual vs typical, score, severity, why), checks the takeover against
// the paydays and standing orders, and charts the dormant account's
// online amounts with their bounds to fraud.png. With -write DIR it writes
// DIR/job.json and DIR/events.ndjson so that
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
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/vigil-ml/vigil/examples/internal/demo"
	"github.com/vigil-ml/vigil/timeseries"
)

const jobJSON = `{
  "job_id": "fraud-dormant-accounts",
  "description": "Account takeover: amounts, counterparties and hours per account (core banking transactions)",
  "analysis_config": {
    "bucket_span": "15m",
    "time_zone": "Asia/Seoul",
    "model_prune_window": "120d",
    "detectors": [
      {"function": "max", "field_name": "transaction.amount", "over_field_name": "account.id",
       "partition_field_name": "transaction.channel",
       "detector_description": "an amount unusual among all customers of the channel",
       "custom_rules": [{"actions": ["skip_result"],
         "scope": {"transaction.channel": {"filter_id": "scheduled_channels", "filter_type": "include"}}}]},
      {"function": "time_of_day", "by_field_name": "transaction.channel", "over_field_name": "account.id",
       "detector_description": "a time of day unusual among all customers of the channel",
       "custom_rules": [{"actions": ["skip_result"],
         "scope": {"transaction.channel": {"filter_id": "scheduled_channels", "filter_type": "include"}}}]}
    ],
    "influencers": ["account.id", "counterparty.account", "transaction.channel", "transaction.type"]
  },
  "analysis_limits": {"model_memory_limit": "128mb"},
  "data_description": {"time_field": "@timestamp"},
  "model_plot_config": {"enabled": true, "terms": "online"},
  "datafeed_config": {"indices": ["corebanking-transactions-*"],
    "query": {"bool": {"must_not": [{"term": {"transaction.status": "declined"}}]}}},
  "filters": [{"filter_id": "scheduled_channels", "description": "the bank's own scheduled payments",
               "items": ["batch"]}]
}`

// Scenario constants.
var (
	seoul = mustZone("Asia/Seoul")
	start = time.Date(2026, 1, 5, 0, 0, 0, 0, seoul) // a Monday
	// The takeover.
	testDeposit = time.Date(2026, 3, 4, 4, 2, 17, 0, seoul)
	withdrawal  = testDeposit.Add(30 * time.Minute)
)

const (
	days        = 63
	customers   = 500
	dormant     = "110-2387-4410"
	showcase    = "110-1000-0007" // an ordinary customer, for the chart
	dormantFrom = 12              // the dormant account's last day of use
	testSender  = "3020-88-1174021"
	muleAccount = "3333-01-5550123"
	bigAmount   = 12_000_000
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// tx is one transaction.
type tx struct {
	t                     time.Time
	account, counterparty string
	channel, typ, status  string
	amount                float64
}

func (x *tx) Time() time.Time { return x.t }
func (x *tx) Text(f string) (string, bool) {
	switch f {
	case "account.id":
		return x.account, true
	case "counterparty.account":
		return x.counterparty, x.counterparty != ""
	case "transaction.channel":
		return x.channel, true
	case "transaction.type":
		return x.typ, true
	case "transaction.status":
		return x.status, true
	}
	return "", false
}
func (x *tx) Number(f string) (float64, bool) {
	if f == "transaction.amount" {
		return x.amount, true
	}
	return 0, false
}

// businessDay moves a date on a weekend to the next (forward) or previous
// business day.
func businessDay(d time.Time, forward bool) time.Time {
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		if forward {
			d = d.AddDate(0, 0, 1)
		} else {
			d = d.AddDate(0, 0, -1)
		}
	}
	return d
}

// paydays and standingDays are the scheduled dates within the data.
func paydays() []time.Time {
	var out []time.Time
	for m := time.January; m <= time.March; m++ {
		out = append(out, businessDay(time.Date(2026, m, 25, 0, 0, 0, 0, seoul), false))
	}
	return out
}

func standingDays() []time.Time {
	var out []time.Time
	for m := time.January; m <= time.March; m++ {
		for _, d := range []int{1, 10} {
			out = append(out, businessDay(time.Date(2026, m, d, 0, 0, 0, 0, seoul), true))
		}
	}
	return out
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.In(seoul).Date()
	by, bm, bd := b.In(seoul).Date()
	return ay == by && am == bm && ad == bd
}

func isPayday(t time.Time) bool {
	for _, d := range paydays() {
		if sameDay(t, d) {
			return true
		}
	}
	return false
}

func isStandingDay(t time.Time) bool {
	for _, d := range standingDays() {
		if sameDay(t, d) {
			return true
		}
	}
	return false
}

type customer struct {
	id       string
	payees   []string
	savings  string
	salary   float64
	rent     float64
	utility  float64
	cardRate float64 // card payments per day
	xferRate float64 // online transfers per day
	saver    bool    // moves money to savings on payday
	evening  float64 // share of online activity in the evening (else lunchtime)
}

func population(r *rand.Rand) []customer {
	out := make([]customer, customers)
	for i := range out {
		c := customer{id: fmt.Sprintf("110-%04d-%04d", 1000+i/10000, i%10000), savings: fmt.Sprintf("120-%04d-%04d", 1000+i/10000, i%10000)}
		if i == 7 {
			c.id = showcase
		}
		if i == 42 {
			c.id = dormant
		}
		c.payees = append(c.payees, c.savings)
		for k := 1 + r.IntN(3); k > 0; k-- {
			c.payees = append(c.payees, fmt.Sprintf("%03d-%02d-%07d", 100+r.IntN(300), r.IntN(100), r.IntN(10_000_000)))
		}
		c.salary = 1e4 * math.Round(250+r.Float64()*300)
		c.rent = 1e4 * math.Round(40+r.Float64()*80)
		c.utility = 1e3 * math.Round(60+r.Float64()*140)
		c.cardRate = 1 + 3*r.Float64()
		c.xferRate = 0.2 + 0.5*r.Float64()
		c.saver = r.Float64() < 0.6
		c.evening = 0.6 + 0.3*r.Float64()
		out[i] = c
	}
	return out
}

// logNormal draws a won amount with the given median and log-spread,
// rounded to 100 won.
func logNormal(r *rand.Rand, median, spread float64) float64 {
	return math.Max(100, 100*math.Round(median*math.Exp(spread*r.NormFloat64())/100))
}

// hourIn draws a time of day (hours) from a mixture of normal habits.
func hourIn(r *rand.Rand, mean, sd, lo, hi float64) float64 {
	for {
		h := mean + sd*r.NormFloat64()
		if h >= lo && h < hi {
			return h
		}
	}
}

func at(day time.Time, hours float64) time.Time {
	return day.Add(time.Duration(hours * float64(time.Hour)))
}

// generate makes the transaction log, sorted by time.
func generate(seed uint64) []*tx {
	r := rand.New(rand.NewPCG(seed, 0xf4a0d))
	pop := population(r)
	var out []*tx
	add := func(x *tx) {
		if x.status == "" {
			x.status = "approved"
		}
		out = append(out, x)
	}
	for d := 0; d < days; d++ {
		day := start.AddDate(0, 0, d)
		payday, standing := isPayday(day), isStandingDay(day)
		for _, c := range pop {
			if c.id == dormant && d > dormantFrom {
				continue
			}
			for k := demo.Poisson(r, c.cardRate, math.Inf(1)); k > 0; k-- {
				h := hourIn(r, 13, 4, 7.5, 23.5)
				if r.Float64() < 0.4 {
					h = hourIn(r, 19.5, 1.5, 17, 23.5)
				}
				add(&tx{t: at(day, h), account: c.id, channel: "card", typ: "payment", amount: logNormal(r, 15_000, 0.8)})
				if r.Float64() < 0.01 {
					add(&tx{t: at(day, h+0.01), account: c.id, channel: "card", typ: "payment", status: "declined", amount: logNormal(r, 200_000, 1)})
				}
			}
			nx := demo.Poisson(r, c.xferRate, math.Inf(1))
			if d < len(c.payees) {
				nx++ // every payee is paid in the first days
			}
			for k := 0; k < nx; k++ {
				h := hourIn(r, 12.5, 0.6, 11, 14)
				if r.Float64() < c.evening {
					h = hourIn(r, 21, 1.2, 18, 23.9)
				}
				payee := c.payees[r.IntN(len(c.payees))]
				if k == 0 && d < len(c.payees) {
					payee = c.payees[d]
				}
				add(&tx{t: at(day, h), account: c.id, counterparty: payee, channel: "online", typ: "transfer_out",
					amount: logNormal(r, 150_000, 0.7)})
			}
			if r.Float64() < 0.15 {
				add(&tx{t: at(day, hourIn(r, 14, 3, 8, 22)), account: c.id, channel: "atm", typ: "withdrawal", amount: 1e4 * float64(5+r.IntN(30))})
			}
			if payday {
				add(&tx{t: at(day, 9+r.Float64()/6), account: c.id, counterparty: "900-00-0000001", channel: "batch", typ: "salary", amount: c.salary})
				if c.saver {
					add(&tx{t: at(day, hourIn(r, 21, 1, 18.5, 23.9)), account: c.id, counterparty: c.savings, channel: "online", typ: "transfer_out",
						amount: 1e4 * math.Round(c.salary*(0.1+0.15*r.Float64())/1e4)})
				}
			}
			if standing {
				dom := day.Day()
				if dom <= 3 {
					add(&tx{t: at(day, 6+r.Float64()/4), account: c.id, counterparty: c.payees[len(c.payees)-1], channel: "batch", typ: "standing_order", amount: c.rent})
				} else {
					add(&tx{t: at(day, 6+r.Float64()/4), account: c.id, counterparty: "800-00-0000002", channel: "batch", typ: "standing_order", amount: c.utility})
				}
			}
		}
	}
	// The takeover of the dormant account.
	add(&tx{t: testDeposit, account: dormant, counterparty: testSender, channel: "online", typ: "deposit", amount: 1_000})
	add(&tx{t: withdrawal, account: dormant, counterparty: muleAccount, channel: "online", typ: "transfer_out", amount: bigAmount})
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out
}

// analysis is what the job found.
type analysis struct{ demo.Analysis }

func analyse(evs []*tx) (*analysis, error) {
	a, err := demo.Analyse(jobJSON, evs)
	if err != nil {
		return nil, err
	}
	return &analysis{*a}, nil
}

// account is the account a record is about.
func account(r *timeseries.Record) string {
	switch {
	case r.OverFieldName == "account.id":
		return r.OverFieldValue
	case r.PartitionFieldName == "account.id":
		return r.PartitionFieldValue
	}
	return r.ByFieldValue
}

// verdict sums up the checks: the injected anomalies' top scores (and
// whether the withdrawal's record names the never-seen counterparty), the
// top scores of the recurring patterns of every other account (paydays'
// salary run and online savings transfers; the 06:00 standing-order run),
// and of anything else after two weeks.
type verdict struct {
	deposit, amount         float64
	namesMule               bool
	payday, standing, other float64
	otherRec                timeseries.Record
}

func bucketOf(t time.Time) time.Time { return t.Truncate(15 * time.Minute) }

func (a *analysis) verdict() verdict {
	var v verdict
	for i := range a.Records {
		r := &a.Records[i]
		if account(r) == dormant && !r.Timestamp.Before(bucketOf(testDeposit)) {
			switch {
			case r.Timestamp.Equal(bucketOf(testDeposit)):
				v.deposit = math.Max(v.deposit, r.RecordScore)
			case r.Timestamp.Equal(bucketOf(withdrawal)) && r.Function == "max":
				v.amount = math.Max(v.amount, r.RecordScore)
				for _, inf := range r.Influencers {
					if inf.FieldName == "counterparty.account" && len(inf.FieldValues) > 0 && inf.FieldValues[0] == muleAccount {
						v.namesMule = true
					}
				}
			}
			continue
		}
		lt := r.Timestamp.In(seoul)
		channel := r.PartitionFieldValue
		if r.Function == "time_of_day" {
			channel = r.ByFieldValue
		}
		switch {
		case isPayday(lt) && (channel == "batch" || channel == "online"):
			// the salary run and the savings transfers
			v.payday = math.Max(v.payday, r.RecordScore)
		case isStandingDay(lt) && (channel == "batch" || lt.Hour() == 6):
			// the standing-order run at 06:00
			v.standing = math.Max(v.standing, r.RecordScore)
		case r.Timestamp.Sub(start) >= 14*24*time.Hour && r.RecordScore > v.other:
			v.other, v.otherRec = r.RecordScore, *r
		}
	}
	return v
}

func main() {
	seed := flag.Uint64("seed", 1, "random seed")
	png := flag.String("png", "fraud.png", "chart of the dormant account")
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
	fmt.Printf("transactions: %d over %d days of %d customers, %d analysed (%d declined, filtered), %d buckets, %.2f s\n\n",
		len(evs), days, customers, a.Stats.Events, a.Stats.Filtered, a.Buckets, time.Since(t0).Seconds())
	printRecords(a.Records, *minShow)
	v := a.verdict()
	fmt.Println()
	fmt.Printf("%-44s top record score %5.1f (%s)\n", "1,000-won deposit at 04:00 ("+dormant+")", v.deposit, timeseries.SeverityOf(v.deposit))
	fmt.Printf("%-44s top record score %5.1f (%s)\n", "12,000,000 won withdrawn 30 minutes later", v.amount, timeseries.SeverityOf(v.amount))
	fmt.Printf("%-44s %v\n", "... names the never-seen counterparty "+muleAccount, v.namesMule)
	fmt.Printf("%-44s top record score %5.1f (%s)\n", "paydays: salaries, savings transfers", v.payday, timeseries.SeverityOf(v.payday))
	fmt.Printf("%-44s top record score %5.1f (%s)\n", "standing orders (06:00 run)", v.standing, timeseries.SeverityOf(v.standing))
	fmt.Printf("%-44s top record score %5.1f (%s)\n", "anything else after week 2", v.other, timeseries.SeverityOf(v.other))
	if *png != "" {
		if err := chart(*png, a, evs); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("chart written to %s\n", *png)
	}
}

func printRecords(recs []timeseries.Record, minScore float64) {
	demo.PrintRecords(os.Stdout, "time (Seoul)\taccount\tactual\ttypical\tscore\tseverity\twhy", recs, minScore,
		func(r *timeseries.Record) demo.Row {
			return demo.Row{Time: r.Timestamp.In(seoul).Format("Mon 2006-01-02 15:04"), Entity: account(r),
				Actual: actual(r), Typical: typical(r), Why: why(r)}
		})
}

func actual(r *timeseries.Record) string {
	switch r.Function {
	case "rare":
		return r.ByFieldValue
	case "time_of_day":
		return clock(r.Actual)
	}
	return won(r.Actual)
}

func typical(r *timeseries.Record) string {
	switch r.Function {
	case "rare":
		return fmt.Sprintf("p=%.2g", r.Typical)
	case "time_of_day":
		return clock(r.Typical)
	}
	return won(r.Typical)
}

func clock(sec float64) string {
	s := int(math.Mod(sec, 86400)+86400) % 86400
	return fmt.Sprintf("%02d:%02d", s/3600, s%3600/60)
}

// won formats an amount with thousands separators.
func won(v float64) string {
	s := fmt.Sprintf("%.0f", math.Abs(v))
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if v < 0 {
		return "-" + b.String() + " won"
	}
	return b.String() + " won"
}

func why(r *timeseries.Record) string {
	var s string
	switch r.Function {
	case "rare":
		s = "never-seen counterparty"
	case "time_of_day":
		s = "time unusual among " + r.ByFieldValue + " customers"
	default:
		s = "amount unusual among " + r.PartitionFieldValue + " customers"
	}
	for _, inf := range r.Influencers {
		if inf.FieldName == "transaction.type" || (inf.FieldName == "counterparty.account" && r.Function != "rare") {
			s += "; " + inf.FieldName + "=" + strings.Join(inf.FieldValues[:min(2, len(inf.FieldValues))], ",")
		}
	}
	return s
}

// chart draws every online amount (log scale) with the population
// model's 95% bounds for the channel, the dormant account's transactions
// and the anomalies.
func chart(path string, a *analysis, evs []*tx) error {
	var lo, hi plotter.XYs
	for _, m := range a.Plot {
		if m.DetectorIndex != 0 || m.PartitionFieldValue != "online" {
			continue
		}
		x := float64(m.Timestamp.Unix())
		lo = append(lo, plotter.XY{X: x, Y: math.Max(m.Lower, 100)})
		hi = append(hi, plotter.XY{X: x, Y: math.Max(m.Upper, 100)})
	}
	var all, dorm plotter.XYs
	for _, x := range evs {
		if x.channel != "online" || x.status == "declined" {
			continue
		}
		pt := plotter.XY{X: float64(x.t.Unix()), Y: math.Max(x.amount, 100)}
		if x.account == dormant {
			dorm = append(dorm, pt)
		} else {
			all = append(all, pt)
		}
	}
	var marks demo.Marks
	for i := range a.Records {
		r := &a.Records[i]
		if r.PartitionFieldValue != "online" && r.ByFieldValue != "online" {
			continue
		}
		y := r.Actual
		if r.Function != "max" {
			y = 1e3 // time-of-day records sit at the bottom
		}
		marks.Add(float64(r.Timestamp.Unix()), math.Max(y, 100), r.RecordScore)
	}
	p := plot.New()
	p.Title.Text = "online amounts (won, log scale): all customers, the dormant account " + dormant + ", population bounds"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.X.Tick.Marker = plot.TimeTicks{Format: "Jan 2", Time: plot.UnixTimeIn(seoul)}
	grey, err := plotter.NewScatter(all)
	if err != nil {
		return err
	}
	grey.GlyphStyle.Color = demo.RGB(170, 170, 170)
	grey.GlyphStyle.Radius = vg.Points(0.6)
	p.Add(grey)
	p.Legend.Add("online amounts", grey)
	if len(hi) > 0 {
		band, low, err := demo.Bounds(lo, hi)
		if err != nil {
			return err
		}
		p.Add(band, low)
		p.Legend.Add("95% bounds (population, largest per 15 min)", band)
	}
	dm, _ := plotter.NewScatter(dorm)
	dm.GlyphStyle.Color = demo.RGB(40, 40, 40)
	dm.GlyphStyle.Shape = draw.BoxGlyph{}
	dm.GlyphStyle.Radius = vg.Points(2)
	p.Add(dm)
	p.Legend.Add(dormant, dm)
	if err := demo.AddMarks(p, marks, markStyle); err != nil {
		return err
	}
	p.Legend.Top, p.Legend.Left = true, true
	return p.Save(11*vg.Inch, 5*vg.Inch, path)
}

var markStyle = demo.MarkStyle{Radius: vg.Points(5), Major: demo.RGB(230, 140, 20), Critical: demo.RGB(230, 20, 20), CriticalShape: draw.RingGlyph{}}

// writeData writes the job and the events as examples/jobrun reads them.
func writeData(dir string, evs []*tx) error {
	return demo.WriteJob(dir, jobJSON, len(evs), func(w *bufio.Writer, i int) {
		x := evs[i]
		ts := x.t.UTC().Format(time.RFC3339Nano)
		if i%2 == 0 {
			fmt.Fprintf(w, `{"@timestamp":%q,"account":{"id":%q},"transaction":{"channel":%q,"type":%q,"status":%q,"amount":%s}`,
				ts, x.account, x.channel, x.typ, x.status, num(x.amount))
		} else {
			fmt.Fprintf(w, `{"@timestamp":%q,"account.id":%q,"transaction.channel":%q,"transaction.type":%q,"transaction.status":%q,"transaction.amount":%s`,
				ts, x.account, x.channel, x.typ, x.status, num(x.amount))
		}
		if x.counterparty != "" {
			fmt.Fprintf(w, `,"counterparty.account":%q`, x.counterparty)
		}
		w.WriteByte('}')
	})
}

func num(v float64) string { return fmt.Sprintf("%.0f", v) }
