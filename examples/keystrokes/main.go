// Command keystrokes watches per-user input events for the repeated-input
// pattern: scripts that hammer one input, and credential-stuffing bursts.
//
// It generates a training morning of people typing into an application
// (each with their own rhythm and vocabulary), cuts every user's events into
// 10-second windows, describes each window by the mean and spread of the
// gaps between inputs, how often the same input repeats and the inputs per
// second, drops training sessions whose summaries lie beyond 3σ (a test
// script ran during training too), and fits KNN, LOF and an autoencoder on
// the rest. It then replays a live half hour in which a script repeats one
// input, a second script paces itself like a person, and a session tries a
// list of stolen credentials, scores each
// window as α·KNN + β·LOF + γ·AE on z-scores (the autoencoder's score is
// its reconstruction error, and its worst-reconstructed feature says why),
// grades it against the 95th percentile of the training scores, and raises
// an alert when a user stays at warning or critical for two windows in a
// row (score.Sustain), at most one per user per 5 minutes (score.Throttle).
// Who is a script is never told to the detectors; the last tables compare
// what they found with what was injected, and what adding the autoencoder
// to α·KNN + β·LOF changed: the sessions whose peak tier moved and the
// windows' ROC-AUC with and without it. A streaming threshold runs
// alongside to show that the script's and the burst's windows do not raise
// its bar.
package main

import (
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/autoencoder"
	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/lof"
	"github.com/vigil-ml/vigil/score"
)

const (
	windowLen = 10 * time.Second
	minInputs = 4 // windows with fewer inputs say nothing about rhythm
	// Weights of KNN, LOF and the autoencoder in the combined score. The
	// comparison without the autoencoder uses α = β = 0.5.
	alpha = 0.4
	beta  = 0.4
	gamma = 0.2
	// sustainFor is how many consecutive windows at warning or above make
	// an alert.
	sustainFor = 2
)

var featureNames = []string{"gap mean", "gap sd", "repeats", "inputs/s"}

type event struct {
	at      time.Time
	user    string
	session int // a user's active spell: inputs without a pause over 30 s
	input   string
}

type window struct {
	user     string
	session  int
	end      time.Time
	inputs   int
	gapMean  float64 // seconds
	gapSD    float64 // seconds
	repeats  int     // inputs minus distinct inputs
	rate     float64 // inputs per second
	injected string  // ground truth, for the final table only
}

// features is what the detectors see. Gaps span orders of magnitude (a
// script at 0.05 s, a person at 3 s), so they enter on a log scale, where a
// person's natural variation is about as wide as the other features'.
func (w window) features() []float64 {
	return []float64{
		math.Log10(w.gapMean),
		math.Log10(w.gapSD + 0.01),
		float64(w.repeats),
		w.rate,
	}
}

// person is a human typist: a personal tempo, bursts of activity separated
// by pauses, and a vocabulary drawn with a skew so that some inputs recur.
type person struct {
	name  string
	tempo float64 // median seconds between inputs while active
	words []string
}

func people(r *rand.Rand, n int) []person {
	var ps []person
	for i := range n {
		p := person{name: fmt.Sprintf("user%02d", i+1), tempo: 1.2 + 2.3*r.Float64()}
		for j := range 200 {
			p.words = append(p.words, fmt.Sprintf("%s-w%02d", p.name, j))
		}
		ps = append(ps, p)
	}
	return ps
}

// typeAway generates a person's inputs between from and to.
func (p person) typeAway(r *rand.Rand, from, to time.Time) []event {
	var ev []event
	t := from.Add(time.Duration(r.Float64() * 60 * float64(time.Second)))
	for t.Before(to) {
		// An active spell of 20 to 200 inputs, then a pause of 40 s to 3 min.
		session := nextSession()
		for k := 20 + r.IntN(180); k > 0 && t.Before(to); k-- {
			// Zipf-like choice: low indices recur.
			w := p.words[int(float64(len(p.words))*math.Pow(r.Float64(), 2))]
			ev = append(ev, event{t, p.name, session, w})
			gap := math.Min(25, p.tempo*math.Exp(0.5*r.NormFloat64()))
			t = t.Add(time.Duration(gap * float64(time.Second)))
		}
		t = t.Add(time.Duration((40 + 140*r.Float64()) * float64(time.Second)))
	}
	return ev
}

var sessions int

func nextSession() int { sessions++; return sessions }

// script repeats one input at a steady pace with a little jitter.
func script(r *rand.Rand, user, input string, from time.Time, d, every time.Duration) []event {
	var ev []event
	session := nextSession()
	for t := from; t.Before(from.Add(d)); {
		ev = append(ev, event{t, user, session, input})
		jitter := 1 + 0.04*r.NormFloat64()
		t = t.Add(time.Duration(float64(every) * jitter))
	}
	return ev
}

// paced is a script that hides its rhythm behind a human tempo: distinct
// inputs (a list of report IDs), one every `every` with a jitter of a few
// per cent. Each feature alone is within people's range; the combination, a
// person's pace with a machine's regularity, is not.
func paced(r *rand.Rand, user string, from time.Time, d, every time.Duration) []event {
	var ev []event
	session := nextSession()
	for t := from; t.Before(from.Add(d)); {
		ev = append(ev, event{t, user, session, fmt.Sprintf("report-%05d", r.IntN(100_000))})
		t = t.Add(time.Duration(float64(every) * (1 + 0.08*r.NormFloat64())))
	}
	return ev
}

// stuffing tries distinct stolen credentials as fast as the form allows.
func stuffing(r *rand.Rand, user string, from time.Time, d time.Duration, perSecond float64) []event {
	var ev []event
	session := nextSession()
	for t := from; t.Before(from.Add(d)); {
		ev = append(ev, event{t, user, session, fmt.Sprintf("cred-%06d", r.IntN(1_000_000))})
		t = t.Add(time.Duration(r.ExpFloat64() / perSecond * float64(time.Second)))
	}
	return ev
}

// cut groups each user's events into 10-second windows and describes those
// with at least minInputs inputs.
func cut(events []event, injected map[string]string) []window {
	byKey := map[string][]event{}
	var keys []string
	for _, e := range events {
		k := fmt.Sprint(e.session, "|", e.at.Truncate(windowLen).Unix())
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], e)
	}
	var ws []window
	for _, k := range keys {
		ev := byKey[k]
		if len(ev) < minInputs {
			continue
		}
		slices.SortFunc(ev, func(a, b event) int { return a.at.Compare(b.at) })
		gaps := make([]float64, len(ev)-1)
		distinct := map[string]bool{}
		for i, e := range ev {
			distinct[e.input] = true
			if i > 0 {
				gaps[i-1] = e.at.Sub(ev[i-1].at).Seconds()
			}
		}
		mean, sd := meanSD(gaps)
		ws = append(ws, window{
			user:     ev[0].user,
			session:  ev[0].session,
			end:      ev[0].at.Truncate(windowLen).Add(windowLen),
			inputs:   len(ev),
			gapMean:  mean,
			gapSD:    sd,
			repeats:  len(ev) - len(distinct),
			rate:     float64(len(ev)) / windowLen.Seconds(),
			injected: injected[ev[0].user],
		})
	}
	slices.SortStableFunc(ws, func(a, b window) int { return a.end.Compare(b.end) })
	return ws
}

func meanSD(x []float64) (float64, float64) {
	var m, ss float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return m, math.Sqrt(ss / float64(len(x)))
}

// threeSigma screens training sessions, since the training period is
// unlabelled and may hold a script too: each session is summarised by the
// mean of its windows' features, and a session with any summary beyond 3
// standard deviations of the sessions' mean is dropped with its windows.
// Screening whole sessions rather than single windows keeps the natural
// spread of people's windows in the training set.
func threeSigma(ws []window) (kept []window, sessions, dropped int) {
	d := len(ws[0].features())
	sum := map[int][]float64{}
	count := map[int]int{}
	var ids []int
	for _, w := range ws {
		if sum[w.session] == nil {
			sum[w.session] = make([]float64, d)
			ids = append(ids, w.session)
		}
		for j, v := range w.features() {
			sum[w.session][j] += v
		}
		count[w.session]++
	}
	for _, id := range ids {
		for j := range d {
			sum[id][j] /= float64(count[id])
		}
	}
	out := map[int]bool{}
	col := make([]float64, len(ids))
	for j := range d {
		for i, id := range ids {
			col[i] = sum[id][j]
		}
		mean, sd := meanSD(col)
		for i, id := range ids {
			if sd > 0 && math.Abs(col[i]-mean) > 3*sd {
				out[id] = true
			}
		}
	}
	for _, w := range ws {
		if !out[w.session] {
			kept = append(kept, w)
		}
	}
	return kept, len(ids), len(out)
}

func matrix(ws []window) *mat.Dense {
	X := mat.NewDense(len(ws), len(ws[0].features()), nil)
	for i, w := range ws {
		X.SetRow(i, w.features())
	}
	return X
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(2026, 4))
	staff := people(r, 16)
	morning := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	live := morning.Add(3 * time.Hour)

	// Training: three hours of people at work, unlabelled, during which a
	// test script also ran for a while.
	var train []event
	for _, p := range staff {
		train = append(train, p.typeAway(r, morning, live)...)
	}
	train = append(train, script(r, "qa-runner", "SUBMIT", morning.Add(70*time.Minute), 6*time.Minute, 700*time.Millisecond)...)
	trainWin := cut(train, nil)
	kept, nSessions, dropped := threeSigma(trainWin)

	X := matrix(kept)
	km, err := knn.Fit(ctx, X, knn.Config{K: 5, Standardize: true})
	if err != nil {
		return err
	}
	lm, err := lof.Fit(ctx, X, lof.Config{K: 20, Standardize: true})
	if err != nil {
		return err
	}
	// The autoencoder learns how the four features go together in people's
	// typing; a window whose features contradict each other reconstructs
	// badly even when each value alone is ordinary.
	am, err := autoencoder.Fit(ctx, X, autoencoder.Config{Seed: 1})
	if err != nil {
		return err
	}
	aeTrain, err := am.ScoreBatch(X)
	if err != nil {
		return err
	}
	comb, err := score.FitCombiner(score.CombinerConfig{Weights: []float64{alpha, beta, gamma}},
		km.TrainingScores(), lm.TrainingScores(), aeTrain)
	if err != nil {
		return err
	}
	trainScores, err := comb.CombineBatch(km.TrainingScores(), lm.TrainingScores(), aeTrain)
	if err != nil {
		return err
	}
	th, err := score.FitThreshold(trainScores, score.ThresholdConfig{})
	if err != nil {
		return err
	}
	ens, err := score.NewEnsemble(comb, km, lm, am)
	if err != nil {
		return err
	}
	// The same pipeline without the autoencoder, to show what it changes.
	comb2, err := score.FitCombiner(score.CombinerConfig{Weights: []float64{0.5, 0.5}},
		km.TrainingScores(), lm.TrainingScores())
	if err != nil {
		return err
	}
	train2, err := comb2.CombineBatch(km.TrainingScores(), lm.TrainingScores())
	if err != nil {
		return err
	}
	th2, err := score.FitThreshold(train2, score.ThresholdConfig{})
	if err != nil {
		return err
	}
	ens2, err := score.NewEnsemble(comb2, km, lm)
	if err != nil {
		return err
	}
	sustain, err := score.NewSustain(score.SustainConfig{Windows: sustainFor, Window: windowLen, MinSeverity: score.Warning})
	if err != nil {
		return err
	}
	stream, err := score.NewStream(score.StreamConfig{Window: 4000, Blocks: 10, Summary: 200, Persistence: 1500}, trainScores)
	if err != nil {
		return err
	}
	throttle, err := score.NewThrottle(score.ThrottleConfig{Interval: 5 * time.Minute})
	if err != nil {
		return err
	}

	// Live: the same people, plus a script and a credential-stuffing burst.
	var events []event
	for _, p := range staff {
		events = append(events, p.typeAway(r, live, live.Add(30*time.Minute))...)
	}
	injected := map[string]string{
		"kiosk-07":     "script repeating one input",
		"session-9f3c": "credential stuffing",
		"svc-export":   "script at a human pace",
	}
	events = append(events, script(r, "kiosk-07", "APPLY-COUPON SPRING50", live.Add(4*time.Minute), 12*time.Minute, 900*time.Millisecond)...)
	events = append(events, stuffing(r, "session-9f3c", live.Add(19*time.Minute+17*time.Second), 70*time.Second, 9)...)
	events = append(events, paced(r, "svc-export", live.Add(8*time.Minute), 15*time.Minute, 1800*time.Millisecond)...)
	liveWin := cut(events, injected)

	c, w, k := th.Bounds()
	fmt.Printf("Input monitoring, %d people, 10-second windows with at least %d inputs\n\n", len(staff), minInputs)
	fmt.Printf("Training  %s-%s: %d windows in %d sessions; the 3-sigma rule dropped %d sessions (%d windows)\n",
		morning.Format("15:04"), live.Format("15:04"), len(trainWin), nSessions, dropped, len(trainWin)-len(kept))
	fmt.Printf("          KNN (k=5), LOF (k=20) and an autoencoder %v fitted on the %d windows left\n", am.Config().Hidden, len(kept))
	fmt.Printf("Score     %.1f*z(KNN) + %.1f*z(LOF) + %.1f*z(AE), z-scores against the training windows\n", alpha, beta, gamma)
	fmt.Printf("Threshold %.2f (95th percentile of training); caution from %.2f, warning from %.2f, critical from %.2f\n\n", th.Value(), c, w, k)

	type tally struct {
		windows, suppressed, alerts int
		tiers                       [4]int
		peak                        float64
		injected                    string
	}
	type spell struct { // one live session, scored with and without the autoencoder
		user, injected string
		windows        int
		peak, peak2    float64
		tier, tier2    score.Severity
	}
	spells := map[int]*spell{}
	var spellOrder []int
	var withAE, withoutAE []float64
	var labels []bool
	users := map[string]*tally{}
	var order []string
	startStream, _ := stream.Threshold()
	recent := slices.Clone(trainScores) // for a plain percentile to compare with

	fmt.Printf("Alerts %s-%s: a user at warning or critical for %d windows in a row; at most one alert per user per 5 minutes\n",
		live.Format("15:04"), live.Add(30*time.Minute).Format("15:04"), sustainFor)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "time\tuser\tseverity\tscore\tof thr\tKNN z\tLOF z\tAE z\tAE worst\tinputs/s\tgap mean\tgap sd\trepeats\t")
	for _, win := range liveWin {
		s, z, err := ens.Explain(win.features())
		if err != nil {
			return err
		}
		s2, err := ens2.Score(win.features())
		if err != nil {
			return err
		}
		withAE, withoutAE = append(withAE, s), append(withoutAE, s2)
		labels = append(labels, win.injected != "")
		sp := spells[win.session]
		if sp == nil {
			sp = &spell{user: win.user, injected: win.injected, peak: math.Inf(-1), peak2: math.Inf(-1)}
			spells[win.session] = sp
			spellOrder = append(spellOrder, win.session)
		}
		sp.windows++
		sp.peak, sp.peak2 = math.Max(sp.peak, s), math.Max(sp.peak2, s2)
		sp.tier, sp.tier2 = th.Severity(sp.peak), th2.Severity(sp.peak2)
		if _, err := stream.Observe(s); err != nil {
			return err
		}
		recent = append(recent, s)
		u := users[win.user]
		if u == nil {
			u = &tally{injected: win.injected}
			users[win.user] = u
			order = append(order, win.user)
		}
		sev := th.Severity(s)
		u.windows++
		u.tiers[sev]++
		u.peak = math.Max(u.peak, s)
		// A page needs the user at warning or above for sustainFor
		// consecutive windows: one odd 10 seconds of typing is not an
		// incident, a script is odd in every window.
		if !sustain.Observe(win.user, win.end, sev).Sustained {
			continue
		}
		d := throttle.Allow(win.user, win.end)
		if !d.Allowed {
			u.suppressed++
			continue
		}
		u.alerts++
		errs, err := am.Explain(win.features())
		if err != nil {
			return err
		}
		worst := 0
		for j := range errs {
			if errs[j] > errs[worst] {
				worst = j
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.0f%%\t%.1f\t%.1f\t%.1f\t%s\t%.1f\t%.2fs\t%.2fs\t%d\t\n",
			win.end.Format("15:04:05"), win.user, strings.ToUpper(sev.String()), s, 100*th.Ratio(s),
			z[0], z[1], z[2], featureNames[worst], win.rate, win.gapMean, win.gapSD, win.repeats)
	}
	tw.Flush()

	fmt.Printf("\nPer user (live half hour)\n")
	slices.SortFunc(order, func(a, b string) int {
		if c := -cmpFloat(users[a].peak, users[b].peak); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "user\twindows\tnormal\tcaution\twarning\tcritical\tpeak\talerts\tsuppressed\tinjected as\t")
	humanAlerts, humans := 0, 0
	for _, name := range order {
		u := users[name]
		truth := u.injected
		if truth == "" {
			truth = "-"
			humanAlerts += u.alerts
			humans++
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%.2f\t%d\t%d\t%s\t\n", name, u.windows,
			u.tiers[score.Normal], u.tiers[score.Caution], u.tiers[score.Warning], u.tiers[score.Critical],
			u.peak, u.alerts, u.suppressed, truth)
	}
	tw.Flush()

	st := throttle.Stats()
	ss := stream.Stats()
	endStream, _ := stream.Threshold()
	fmt.Printf("\n%d alerts sent, %d held back by the throttle; %d of them for the %d people.\n",
		st.Allowed, st.Suppressed, humanAlerts, humans)
	plain, err := score.Quantile(recent[len(recent)-4000:], 0.95)
	if err != nil {
		return err
	}
	fmt.Printf("Streaming threshold over the last 4,000 windows: %.2f before the live half hour, %.2f after,\n", startStream, endStream)
	fmt.Printf("  with %d flagged windows kept out of it; a plain 95th percentile of the same windows is %.2f.\n", ss.Quarantined, plain)

	// What the autoencoder changed.
	aucWith, err := score.ROCAUC(withAE, labels)
	if err != nil {
		return err
	}
	aucWithout, err := score.ROCAUC(withoutAE, labels)
	if err != nil {
		return err
	}
	fmt.Printf("\nWhat the autoencoder adds (each pipeline graded against its own 95th percentile)\n")
	fmt.Printf("Windows' ROC-AUC, injected vs people: %.4f with 0.4*KNN + 0.4*LOF + 0.2*AE, %.4f with 0.5*KNN + 0.5*LOF (%d windows, %d injected)\n",
		aucWith, aucWithout, len(labels), countTrue(labels))
	moved := 0
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "session\tuser\twindows\tpeak tier without AE\tpeak tier with AE\tpeak without\tpeak with\tinjected as\t")
	for _, id := range spellOrder {
		sp := spells[id]
		if sp.tier == sp.tier2 {
			continue
		}
		moved++
		truth := sp.injected
		if truth == "" {
			truth = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%.2f\t%.2f\t%s\t\n", id, sp.user, sp.windows, sp.tier2, sp.tier, sp.peak2, sp.peak, truth)
	}
	if moved == 0 {
		fmt.Printf("No live session changed its peak tier.\n")
		return nil
	}
	fmt.Printf("%d of %d live sessions changed their peak tier:\n", moved, len(spellOrder))
	tw.Flush()
	return nil
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
