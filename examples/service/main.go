// Command service is the life of a detection service on Vigil's pipeline API:
// fit a k-NN + LOF pipeline on normal traffic and persist it as one file,
// then, in a second process, load it, score every client's minute of traffic
// concurrently under a deadline, grade each score's severity, explain it, and raise an alert
// when a client stays at warning or worse for three minutes in a row, at
// most one per client per five minutes.
//
//	go run ./examples/service                      # both steps: fit, then serve in a child process
//	go run ./examples/service -mode fit -model m.vgl
//	go run ./examples/service -mode serve -model m.vgl -workers 8
//
// The traffic is simulated (traffic.go): 150 API clients, with credential
// stuffing, a bulk export and a one-minute retry storm in the live hour.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/lof"
	"github.com/vigil-ml/vigil/pipeline"
	"github.com/vigil-ml/vigil/score"
)

func main() {
	log.SetFlags(0)
	mode := flag.String("mode", "demo", "fit, serve, or demo (fit, then serve in a second process)")
	path := flag.String("model", filepath.Join(os.TempDir(), "vigil-service.vgl"), "the pipeline file")
	workers := flag.Int("workers", runtime.NumCPU(), "goroutines scoring each batch")
	flag.Parse()
	ctx := context.Background()
	switch *mode {
	case "fit":
		fit(ctx, *path)
	case "serve":
		serve(*path, *workers)
	case "demo":
		fit(ctx, *path)
		self, err := os.Executable()
		if err != nil {
			log.Fatal(err)
		}
		child := exec.CommandContext(ctx, self, "-mode", "serve", "-model", *path, "-workers", strconv.Itoa(*workers))
		child.Stdout, child.Stderr = os.Stdout, os.Stderr
		if err := child.Run(); err != nil {
			log.Fatal(err)
		}
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}

// fit trains on two hours of normal traffic and writes the pipeline: both
// detectors, their normalisers, the weights, the threshold and its tiers.
func fit(ctx context.Context, path string) {
	train := training(1, 120)
	p, err := pipeline.Fit(ctx, rows(train), pipeline.Config{
		Detectors: []pipeline.Detector{
			{Config: knn.Config{K: 10, Standardize: true}},
			{Config: lof.Config{K: 20, Standardize: true}},
		},
		Combine:      score.CombinerConfig{Weights: []float64{0.5, 0.5}}, // 0.5·z(KNN) + 0.5·z(LOF)
		Quantile:     0.99,
		FeatureNames: featureNames,
	})
	if err != nil {
		log.Fatal(err)
	}
	blob, err := p.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, blob, 0o600); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("[fit, pid %d] %d windows; %s; bar %.2f at the 99th percentile; wrote %s (%d kB)\n",
		os.Getpid(), len(train), strings.Join(p.Kinds(), "+"), p.Threshold().Value(), path, len(blob)>>10)
}

// serve loads the pipeline and watches the live hour.
func serve(path string, workers int) {
	blob, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var loaded pipeline.Pipeline
	if err := loaded.UnmarshalBinary(blob); err != nil { // refuses a file whose parts do not belong together
		log.Fatal(err)
	}
	if err := loaded.CheckFeatures(featureNames); err != nil { // refuses a feed whose columns moved
		log.Fatal(err)
	}
	p := loaded.WithWorkers(workers) // this machine's choice, not the training machine's
	typical := p.Typical()
	fmt.Printf("[serve, pid %d] loaded %s, scoring on %d workers\n", os.Getpid(), strings.Join(p.Kinds(), "+"), workers)
	sustain, err := score.NewSustain(score.SustainConfig{Windows: 3, Window: time.Minute}) // warning or worse, 3 minutes running
	if err != nil {
		log.Fatal(err)
	}
	var throttle score.Throttle // zero value: one alert per client per 5 minutes
	scored, hits := 0, 0
	for _, minute := range live(1, 60) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a minute's budget
		results, err := p.ScoreBatch(ctx, rows(minute))                         // concurrent, cancellable
		cancel()
		if err != nil {
			log.Printf("minute ending %s not scored: %v", minute[0].end.Format("15:04"), err)
			continue
		}
		scored += len(minute)
		for i, w := range minute {
			r := results[i]
			if r.Severity >= score.Warning {
				hits++
			}
			if !sustain.Observe(w.client, w.end, r.Severity).Sustained {
				continue
			}
			if d := throttle.Allow(w.client, w.end); d.Allowed {
				fmt.Printf("%s ALERT %-8s %-8s score %5.2f (%4.0f %% of bar, %d held back before)  %s  [%s]\n", w.end.Format("15:04"),
					w.client, r.Severity, r.Score, 100*r.Ratio, d.Suppressed, why(p, r, w.features, typical), w.injected)
			}
		}
	}
	st := throttle.Stats()
	fmt.Printf("[serve] %d windows scored, %d at warning or worse; %d alerts sent, %d held back by the throttle\n",
		scored, hits, st.Allowed, st.Suppressed)
}

// rows stacks the windows' features into a matrix, one row per window.
func rows(ws []window) *mat.Dense {
	X := mat.NewDense(len(ws), len(featureNames), nil)
	for i, w := range ws {
		X.SetRow(i, w.features)
	}
	return X
}

// why names the three features that explain a result, actual vs typical.
func why(p *pipeline.Pipeline, r pipeline.Result, x, typical []float64) string {
	var s []string
	for _, c := range p.Top(r.Explanation, 3) {
		if c.Share < 0.05 {
			break
		}
		s = append(s, fmt.Sprintf("%s %.3g (typ. %.3g) %.0f%%", c.Name, x[c.Feature], typical[c.Feature], 100*c.Share))
	}
	return strings.Join(s, ", ")
}
