package pipeline_test

import (
	"context"
	"testing"

	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/lof"
	"github.com/vigil-ml/vigil/pipeline"
)

// The pipeline's cost over its detectors' own: BenchmarkScore/detectors
// scores one row with the two models and combines by hand, as a service did
// before the pipeline; BenchmarkScore/pipeline does the same through
// Pipeline.Score (normalisation, combination, severity, the Result).
func BenchmarkScore(b *testing.B) {
	ctx := context.Background()
	X := blobs(5000, 8, 1)
	p, err := pipeline.Fit(ctx, X, pipeline.Config{Detectors: []pipeline.Detector{{Config: knn.Config{}}, {Config: lof.Config{}}}})
	if err != nil {
		b.Fatal(err)
	}
	km := p.Model(0).(*knn.Model)
	lm := p.Model(1).(*lof.Model)
	comb := p.Combiner()
	Q := blobs(256, 8, 2)
	b.Run("detectors", func(b *testing.B) {
		raw := make([]float64, 2)
		for i := 0; b.Loop(); i++ {
			x := Q.RawRowView(i % 256)
			raw[0], _ = km.Score(x)
			raw[1], _ = lm.Score(x)
			s, _ := comb.Combine(raw)
			_ = p.Threshold().Severity(s)
		}
	})
	b.Run("pipeline", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := p.Score(Q.RawRowView(i % 256)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("batch", func(b *testing.B) {
		for b.Loop() {
			if _, err := p.ScoreBatch(ctx, Q); err != nil {
				b.Fatal(err)
			}
		}
	})
}
