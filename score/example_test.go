package score_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/iforest"
	"github.com/vigil-ml/vigil/score"
)

// Every Vigil detector scores batches as an Ensemble expects.
var _ score.BatchScorer = (*iforest.Model)(nil)

func ExampleThreshold() {
	// Anomaly scores of normal data: 1, 2, ..., 100.
	ref := make([]float64, 100)
	for i := range ref {
		ref[i] = float64(i + 1)
	}
	th, _ := score.FitThreshold(ref, score.ThresholdConfig{}) // 95th percentile, scale from the median
	fmt.Printf("typical %.2f, threshold %.2f\n", th.Origin(), th.Value())
	for _, s := range []float64{50, 96, 104, 118} {
		fmt.Printf("score %3.0f: %3.0f%% %v\n", s, 100*th.Ratio(s), th.Severity(s))
	}
	// Output:
	// typical 50.50, threshold 95.05
	// score  50:  -1% normal
	// score  96: 102% caution
	// score 104: 120% warning
	// score 118: 152% critical
}

func ExampleThrottle() {
	th, _ := score.NewThrottle(score.ThrottleConfig{}) // one alert per key per 5 minutes
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 1000 {
		th.Allow("alice/credential-stuffing", start.Add(time.Duration(i)*100*time.Millisecond))
	}
	d := th.Allow("alice/credential-stuffing", start.Add(6*time.Minute))
	st := th.Stats()
	fmt.Printf("allowed %d, suppressed %d; the alert at 09:06 stands for %d more\n", st.Allowed, st.Suppressed, d.Suppressed)
	// Output: allowed 2, suppressed 999; the alert at 09:06 stands for 999 more
}

func ExampleStream() {
	// Scores of normal traffic, then a burst of attack scores.
	// A window of 10,000 scores resists bursts up to Window/10 = 1,000.
	s, _ := score.NewStream(score.StreamConfig{Window: 10_000, Blocks: 10, Summary: 200}, nil)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		_, _ = s.Observe(r.NormFloat64())
	}
	before, _ := s.Threshold()
	flagged := 0
	for range 300 {
		if res, _ := s.Observe(6 + r.NormFloat64()); res.Exceeds {
			flagged++
		}
	}
	for range 5000 {
		_, _ = s.Observe(r.NormFloat64())
	}
	after, _ := s.Threshold()
	fmt.Printf("95th percentile before %.2f, after %.2f\n", before, after)
	fmt.Printf("burst: %d of 300 flagged, %d quarantined\n", flagged, s.Stats().Quarantined)
	// Output:
	// 95th percentile before 1.65, after 1.67
	// burst: 300 of 300 flagged, 294 quarantined
}

func ExampleNormalizer() {
	// KNN distances of normal training data, then of two new samples.
	ref := []float64{1.1, 0.9, 1.0, 1.2, 0.8, 1.0, 1.1, 0.9}
	z, _ := score.FitNormalizer(score.ZScore, ref)
	rank, _ := score.FitNormalizer(score.Rank, ref)
	for _, s := range []float64{1.0, 1.6} {
		fmt.Printf("distance %.1f: z %.2f, rank %.3f\n", s, z.Normalize(s), rank.Normalize(s))
	}
	// Output:
	// distance 1.0: z 0.00, rank 0.625
	// distance 1.6: z 4.90, rank 1.000
}

func ExampleROCAUC() {
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	anomaly := []bool{false, false, true, true}
	auc, _ := score.ROCAUC(scores, anomaly)
	ap, _ := score.AveragePrecision(scores, anomaly)
	fmt.Printf("ROC-AUC %.2f, PR-AUC %.3f\n", auc, ap)
	// Output: ROC-AUC 0.75, PR-AUC 0.833
}

func ExampleCombiner() {
	// Training scores of two detectors on the same normal data: KNN
	// distances and LOF ratios live on unrelated scales.
	knn := []float64{10, 12, 11, 9, 13, 10, 12, 11}
	lof := []float64{1.00, 1.05, 0.98, 1.02, 1.10, 0.97, 1.01, 1.03}
	// α·KNN + β·LOF on z-scores, α = 0.4, β = 0.6.
	c, _ := score.FitCombiner(score.CombinerConfig{Weights: []float64{0.4, 0.6}}, knn, lof)
	for _, s := range [][]float64{{11, 1.02}, {19, 1.9}} {
		v, _ := c.Combine(s)
		fmt.Printf("knn %4.1f lof %.2f -> %.2f\n", s[0], s[1], v)
	}
	// Output:
	// knn 11.0 lof 1.02 -> 0.00
	// knn 19.0 lof 1.90 -> 16.25
}

// Page on a user only when three consecutive one-minute windows reach
// Warning, and then at most once per 5 minutes.
func ExampleSustain() {
	sus, _ := score.NewSustain(score.SustainConfig{Windows: 3, Window: time.Minute})
	thr, _ := score.NewThrottle(score.ThrottleConfig{})
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tiers := []score.Severity{score.Warning, score.Normal, score.Warning, score.Critical, score.Warning, score.Warning, score.Critical}
	for i, sev := range tiers {
		end := start.Add(time.Duration(i+1) * time.Minute)
		r := sus.Observe("bob", end, sev)
		if r.Sustained && thr.Allow("bob", end).Allowed {
			fmt.Printf("%s page: bob at %v for %d windows\n", end.Format("15:04"), sev, r.Streak)
		}
	}
	fmt.Printf("%d windows sustained, %d pages held back\n", sus.Stats().Sustained, thr.Stats().Suppressed)
	// Output:
	// 09:05 page: bob at warning for 3 windows
	// 3 windows sustained, 2 pages held back
}

// Throttle state survives a restart: snapshot it and restore it.
func ExampleThrottle_MarshalBinary() {
	th, _ := score.NewThrottle(score.ThrottleConfig{})
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	th.Allow("alice", t0)
	snap, _ := th.MarshalBinary()

	var restored score.Throttle
	if err := restored.UnmarshalBinary(snap); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("after restart, alice at 09:02 allowed:", restored.Allow("alice", t0.Add(2*time.Minute)).Allowed)
	// Output: after restart, alice at 09:02 allowed: false
}

// An Ensemble scores a batch through each detector's own batch method.
func ExampleEnsemble_ScoreBatch() {
	r := rand.New(rand.NewPCG(3, 4))
	X := mat.NewDense(400, 2, nil)
	for i := range 400 {
		X.Set(i, 0, r.NormFloat64())
		X.Set(i, 1, r.NormFloat64())
	}
	ctx := context.Background()
	a, _ := iforest.Fit(ctx, X, iforest.Config{Seed: 1})
	b, _ := iforest.Fit(ctx, X, iforest.Config{Seed: 2, ExtensionLevel: 1})
	ra, _ := a.ScoreBatch(X)
	rb, _ := b.ScoreBatch(X)
	c, _ := score.FitCombiner(score.CombinerConfig{Method: score.Maximum}, ra, rb)
	e, _ := score.NewEnsemble(c, a, b)
	probe := mat.NewDense(2, 2, []float64{0, 0, 6, -6})
	s, _ := e.ScoreBatch(probe)
	fmt.Printf("centre %.1f, far corner %.1f (z-scores, the larger of the two forests)\n", s[0], s[1])
	// Output: centre -0.8, far corner 5.2 (z-scores, the larger of the two forests)
}
