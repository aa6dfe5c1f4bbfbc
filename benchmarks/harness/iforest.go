package harness

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/iforest"
)

func iforestConfig(seed uint64, o Options) iforest.Config {
	return iforest.Config{
		Trees:          o.Trees,
		SampleSize:     o.SampleSize,
		MaxFeatures:    o.MaxFeatures,
		Bootstrap:      o.Bootstrap,
		ExtensionLevel: o.Extension,
		Seed:           seed,
		Workers:        o.Workers,
	}
}

// fitIForest fits a forest; scoring is ScoreBatch over the training rows,
// matching scikit-learn's fit(X) then -score_samples(X).
func fitIForest(ctx context.Context, X *mat.Dense, seed uint64, o Options) (ScoreFunc, error) {
	m, err := iforest.Fit(ctx, X, iforestConfig(seed, o))
	if err != nil {
		return nil, err
	}
	return func(context.Context) ([]float64, error) { return m.ScoreBatch(X) }, nil
}

func iforestParams(o Options) map[string]any {
	orDefault := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	p := map[string]any{
		"trees":       orDefault(o.Trees, 100),
		"sample_size": orDefault(o.SampleSize, 256),
	}
	if o.MaxFeatures != 0 {
		p["max_features"] = o.MaxFeatures
	}
	if o.Extension != 0 {
		p["extension_level"] = o.Extension
	}
	if o.Bootstrap {
		p["bootstrap"] = true
	}
	return p
}
