// Command quickstart finds abnormal login activity with an Isolation Forest.
//
// It generates a day of per-account login windows (seconds between attempts,
// session-token length, failed-attempt ratio, distinct source IPs), injects a
// handful of attacks, fits a forest on everything, as one would on unlabelled
// logs, and prints the most anomalous windows against the 95th-percentile
// threshold of the scores.
package main

import (
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"text/tabwriter"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/iforest"
	"github.com/vigil-ml/vigil/score"
)

type window struct {
	account  string
	features []float64 // interval s, token length, failed ratio, distinct IPs
	attack   string    // empty for normal activity
}

func main() {
	r := rand.New(rand.NewPCG(2026, 11))
	var windows []window
	for i := 0; i < 3000; i++ {
		windows = append(windows, window{
			account: fmt.Sprintf("user%04d", i%1200),
			features: []float64{
				math.Exp(6 + 0.8*r.NormFloat64()),   // a few minutes between attempts
				math.Round(212 + 4*r.NormFloat64()), // JWT-sized session token
				0.08 * r.Float64() * r.Float64(),    // the odd typo
				float64(1 + r.IntN(2)),              // home and phone
			},
		})
	}
	attacks := []window{
		{"user0042", []float64{0.4, 212, 0.97, 1}, "password brute force"},
		{"user0977", []float64{1.8, 211, 0.91, 38}, "credential stuffing"},
		{"svc-backup", []float64{420, 512, 0.0, 2}, "forged / stolen token"},
		{"user0311", []float64{45, 214, 0.62, 7}, "password spraying"},
		{"user0815", []float64{25, 209, 0.1, 6}, "impossible travel"},
		{"admin", []float64{2.5, 96, 0.4, 3}, "scripted token replay"},
	}
	for i, a := range attacks { // spread the attacks through the day
		pos := (i + 1) * len(windows) / (len(attacks) + 1)
		windows = append(windows[:pos], append([]window{a}, windows[pos:]...)...)
	}

	// Intervals span orders of magnitude, so the forest sees their log:
	// on the raw scale a quiet hour would look as odd as a burst.
	X := mat.NewDense(len(windows), 4, nil)
	for i, w := range windows {
		X.SetRow(i, w.features)
		X.Set(i, 0, math.Log10(w.features[0]))
	}
	m, err := iforest.Fit(context.Background(), X, iforest.Config{Trees: 200, Seed: 7})
	if err != nil {
		log.Fatal(err)
	}
	scores, err := m.ScoreBatch(X)
	if err != nil {
		log.Fatal(err)
	}
	threshold, err := score.Quantile(scores, 0.95)
	if err != nil {
		log.Fatal(err)
	}

	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })

	fmt.Printf("%d login windows scored; 95th-percentile threshold %.3f\n\n", len(windows), threshold)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rank\taccount\tscore\tsecs between\ttoken len\tfailed\tIPs\tinjected as")
	caught := 0
	for rank, i := range order[:12] {
		w := windows[i]
		f := w.features
		truth := w.attack
		if truth == "" {
			truth = "-"
		} else {
			caught++
		}
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t%.1f\t%.0f\t%.0f%%\t%.0f\t%s\n", rank+1, w.account, scores[i], f[0], f[1], 100*f[2], f[3], truth)
	}
	tw.Flush()
	flagged := 0
	for _, s := range scores {
		if s >= threshold {
			flagged++
		}
	}
	fmt.Printf("\n%d of %d injected attacks rank in the top 12; %d windows are at or above the threshold.\n",
		caught, len(attacks), flagged)
	for rank, i := range order {
		if a := windows[i].attack; a != "" {
			fmt.Printf("  %-22s rank %4d  score %.3f\n", a, rank+1, scores[i])
		}
	}
}
