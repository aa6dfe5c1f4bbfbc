// Command service is the life of a detection service on Vigil's pipeline API:
// fit a k-NN + LOF pipeline on normal traffic and save it as one file, then,
// in a second process, load it, score every client's minute of traffic
// concurrently under a deadline, grade each score's severity, explain it, and
// raise an alert when a client stays at warning or worse for three minutes in
// a row, at most one per client per five minutes.
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
	switch *mode {
	case "fit":
		fit(*path)
	case "serve":
		serve(*path, *workers)
	case "demo":
		fit(*path)
		self, err := os.Executable()
		must(err)
		child := exec.Command(self, "-mode", "serve", "-model", *path, "-workers", fmt.Sprint(*workers))
		child.Stdout, child.Stderr = os.Stdout, os.Stderr
		must(child.Run())
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}

// fit trains on two hours of normal traffic and saves the pipeline: both
// detectors, their normalisers, the weights, the threshold and its tiers.
func fit(path string) {
	train := training(1, 120)
	p, err := pipeline.Fit(context.Background(), rows(train), pipeline.Config{
		Detectors:    []pipeline.Detector{{Config: knn.Config{K: 10, Standardize: true}}, {Config: lof.Config{K: 20, Standardize: true}}},
		Combine:      score.CombinerConfig{Weights: []float64{0.5, 0.5}}, // 0.5·z(KNN) + 0.5·z(LOF)
		Quantile:     0.99,
		FeatureNames: featureNames,
	})
	must(err)
	must(p.Save(path))
	fmt.Printf("[fit, pid %d] %d windows; %v; bar %.2f at the 99th percentile; saved %s\n",
		os.Getpid(), len(train), p.Kinds(), p.Threshold().Value(), path)
}

// serve loads the pipeline and watches the live hour.
func serve(path string, workers int) {
	loaded, err := pipeline.Load(path, featureNames...) // refuses parts that do not belong together, or moved columns
	must(err)
	p := loaded.WithWorkers(workers) // this machine's choice, not the training machine's
	fmt.Printf("[serve, pid %d] loaded %v, scoring on %d workers\n", os.Getpid(), p.Kinds(), workers)
	sustain, err := score.NewSustain(score.SustainConfig{Windows: 3, Window: time.Minute}) // warning or worse, 3 minutes running
	must(err)
	var throttle score.Throttle // zero value: one alert per client per 5 minutes
	for _, minute := range live(1, 60) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a minute's budget
		results, err := p.ScoreBatch(ctx, rows(minute))                         // concurrent, cancellable
		cancel()
		if err != nil {
			log.Printf("minute ending %s not scored: %v", minute[0].end.Format("15:04"), err)
			continue
		}
		for i, w := range minute {
			r := results[i]
			if !sustain.Observe(w.client, w.end, r.Severity).Sustained {
				continue
			}
			if d := throttle.Allow(w.client, w.end); d.Allowed {
				fmt.Printf("%s ALERT %-8s %-8s score %5.2f (%4.0f %% of bar, %d held back before)  %s  [%s]\n", w.end.Format("15:04"),
					w.client, r.Severity, r.Score, 100*r.Ratio, d.Suppressed, p.Reason(w.features, r, 3), w.injected)
			}
		}
	}
	ss, st := sustain.Stats(), throttle.Stats()
	fmt.Printf("[serve] %d windows scored, %d in a sustained run at warning or worse; %d alerts sent, %d held back by the throttle\n",
		ss.Windows, ss.Sustained, st.Allowed, st.Suppressed)
}

// rows stacks the windows' features into a matrix, one row per window.
func rows(ws []window) *mat.Dense {
	X := mat.NewDense(len(ws), len(featureNames), nil)
	for i, w := range ws {
		X.SetRow(i, w.features)
	}
	return X
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
