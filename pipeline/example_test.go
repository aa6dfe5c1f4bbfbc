package pipeline_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/iforest"
	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/lof"
	"github.com/vigil-ml/vigil/pipeline"
	"github.com/vigil-ml/vigil/score"
)

// A k-NN + LOF pipeline, 0.6·z(KNN) + 0.4·z(LOF), fitted, persisted as one
// blob, reloaded and used to score a suspicious row.
func Example() {
	r := rand.New(rand.NewPCG(1, 2))
	X := mat.NewDense(500, 3, nil)
	for i := 0; i < 500; i++ {
		X.SetRow(i, []float64{r.NormFloat64(), 10 + 2*r.NormFloat64(), 100 + 5*r.NormFloat64()})
	}
	p, err := pipeline.Fit(context.Background(), X, pipeline.Config{
		Detectors: []pipeline.Detector{
			{Config: knn.Config{K: 10, Standardize: true}},
			{Config: lof.Config{K: 20, Standardize: true}},
		},
		Combine:      score.CombinerConfig{Weights: []float64{0.6, 0.4}},
		FeatureNames: []string{"latency", "requests", "bytes"},
	})
	if err != nil {
		log.Fatal(err)
	}
	blob, err := p.MarshalBinary() // one file: detectors, normalisers, weights, threshold
	if err != nil {
		log.Fatal(err)
	}

	var loaded pipeline.Pipeline // in another process
	if err := loaded.UnmarshalBinary(blob); err != nil {
		log.Fatal(err)
	}
	res, err := loaded.Score([]float64{0.1, 10.5, 100.2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("typical row: label %d, %s\n", res.Label, res.Severity)
	res, err = loaded.Score([]float64{0.2, 24, 101})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("odd row: label %d, %s at %.0f%% of the threshold\n", res.Label, res.Severity, 100*res.Ratio)
	// Output:
	// typical row: label 0, normal
	// odd row: label 1, critical at 733% of the threshold
}

// Labels from a contamination rate, as PyOD's and scikit-learn's
// contamination set them: the threshold is the 1 − c quantile of the
// training scores, so a fraction c of the training rows is labelled 1.
func ExamplePipeline_Predict() {
	r := rand.New(rand.NewPCG(3, 4))
	X := mat.NewDense(1000, 2, nil)
	for i := 0; i < 1000; i++ {
		X.SetRow(i, []float64{r.NormFloat64(), r.NormFloat64()})
	}
	p, err := pipeline.Fit(context.Background(), X, pipeline.Config{
		Detectors:     []pipeline.Detector{{Config: iforest.Config{Seed: 1}}},
		Contamination: 0.02,
	})
	if err != nil {
		log.Fatal(err)
	}
	labels, err := p.Predict(context.Background(), X)
	if err != nil {
		log.Fatal(err)
	}
	flagged := 0
	for _, l := range labels {
		flagged += l
	}
	fmt.Printf("%d of %d training rows labelled 1\n", flagged, len(labels))
	// Output:
	// 20 of 1000 training rows labelled 1
}

// The features that explain an alert, largest share first.
func ExamplePipeline_Explain() {
	r := rand.New(rand.NewPCG(5, 6))
	X := mat.NewDense(600, 3, nil)
	for i := 0; i < 600; i++ {
		z := r.NormFloat64()
		X.SetRow(i, []float64{z + 0.1*r.NormFloat64(), 2*z + 0.1*r.NormFloat64(), r.NormFloat64()})
	}
	p, err := pipeline.Fit(context.Background(), X, pipeline.Config{
		Detectors:    []pipeline.Detector{{Config: knn.Config{K: 10, Standardize: true}}, {Config: lof.Config{Standardize: true}}},
		FeatureNames: []string{"cpu", "load", "latency"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// cpu and load agree as usual; latency is far out.
	res, err := p.Score([]float64{0.5, 1.0, 5.5})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", res.Severity)
	for _, c := range p.Top(res.Explanation, 2) {
		fmt.Printf("%s: %.0f %%\n", c.Name, 100*c.Share)
	}
	// Output:
	// critical
	// latency: 93 %
	// load: 3 %
}

// A service saves its fitted pipeline to a file, loads it in another process
// with a check that the feed's columns are the ones it was fit on, and
// prints each alert with its reason.
func ExampleLoad() {
	r := rand.New(rand.NewPCG(7, 8))
	names := []string{"requests", "errors", "bytes"}
	X := mat.NewDense(500, 3, nil)
	for i := 0; i < 500; i++ {
		X.SetRow(i, []float64{100 + 10*r.NormFloat64(), 2 + r.Float64(), 5000 + 300*r.NormFloat64()})
	}
	p, err := pipeline.Fit(context.Background(), X, pipeline.Config{
		Detectors:    []pipeline.Detector{{Config: knn.Config{K: 10, Standardize: true}}},
		FeatureNames: names,
	})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "vigil")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.vgl")
	if err := p.Save(path); err != nil {
		log.Fatal(err)
	}

	loaded, err := pipeline.Load(path, names...) // in another process
	if err != nil {
		log.Fatal(err)
	}
	x := []float64{104, 2.5, 9000}
	res, err := loaded.Score(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %s\n", res.Severity, loaded.Reason(x, res, 2))
	// Output:
	// critical: bytes 9e+03 (typ. 5e+03) 99%
}
