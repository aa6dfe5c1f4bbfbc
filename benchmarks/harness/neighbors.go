package harness

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/lof"
	"github.com/vigil-ml/vigil/score"
)

func knnMethod(name string) (knn.Method, error) {
	switch name {
	case "", "largest":
		return knn.Largest, nil
	case "mean":
		return knn.Mean, nil
	case "median":
		return knn.Median, nil
	}
	return 0, fmt.Errorf("harness: unknown knn method %q (largest, mean or median)", name)
}

func fitKNNModel(ctx context.Context, X *mat.Dense, o Options) (*knn.Model, error) {
	method, err := knnMethod(o.Method)
	if err != nil {
		return nil, err
	}
	return knn.Fit(ctx, X, knn.Config{K: o.K, Method: method, Standardize: o.Standardize, Workers: o.Workers})
}

func fitLOFModel(ctx context.Context, X *mat.Dense, o Options) (*lof.Model, error) {
	return lof.Fit(ctx, X, lof.Config{K: o.K, Standardize: o.Standardize, Workers: o.Workers})
}

// fitKNN scores the training rows as PyOD's KNN does: each row left out of
// its own neighbourhood. The work happens in Fit, so "score" is near 0.
func fitKNN(ctx context.Context, X *mat.Dense, _ uint64, o Options) (ScoreFunc, error) {
	m, err := fitKNNModel(ctx, X, o)
	if err != nil {
		return nil, err
	}
	return func(context.Context) ([]float64, error) { return m.TrainingScores(), nil }, nil
}

// fitLOF scores the training rows as scikit-learn's -negative_outlier_factor_.
func fitLOF(ctx context.Context, X *mat.Dense, _ uint64, o Options) (ScoreFunc, error) {
	m, err := fitLOFModel(ctx, X, o)
	if err != nil {
		return nil, err
	}
	return func(context.Context) ([]float64, error) { return m.TrainingScores(), nil }, nil
}

// fitKNNLOF is the specified combination: equal weights on the z-scores of
// KNN's and LOF's training scores. -k, when set, applies to both.
func fitKNNLOF(ctx context.Context, X *mat.Dense, _ uint64, o Options) (ScoreFunc, error) {
	k, err := fitKNNModel(ctx, X, o)
	if err != nil {
		return nil, err
	}
	l, err := fitLOFModel(ctx, X, o)
	if err != nil {
		return nil, err
	}
	return func(context.Context) ([]float64, error) {
		return score.CombineScores(score.CombinerConfig{}, k.TrainingScores(), l.TrainingScores())
	}, nil
}

func neighborParams(defaultK int, withMethod bool) func(Options) map[string]any {
	return func(o Options) map[string]any {
		p := map[string]any{"k": defaultK, "standardize": o.Standardize}
		if o.K != 0 {
			p["k"] = o.K
		}
		if withMethod {
			p["method"] = "largest"
			if o.Method != "" {
				p["method"] = o.Method
			}
		}
		return p
	}
}

func knnLOFParams(o Options) map[string]any {
	p := map[string]any{"knn_k": knn.DefaultK, "lof_k": 20, "standardize": o.Standardize,
		"combiner": "0.5·z(knn) + 0.5·z(lof)"}
	if o.K != 0 {
		p["knn_k"], p["lof_k"] = o.K, o.K
	}
	return p
}
