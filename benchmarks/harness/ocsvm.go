package harness

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/ocsvm"
)

// ocsvmExactMaxN is the largest set the harness gives the exact solver,
// whose time grows with n²; larger sets get the Nyström approximation.
const ocsvmExactMaxN = 20000

// ocsvmConfig is scikit-learn's OneClassSVM defaults (ν = 0.5, RBF, gamma
// 'scale') on z-scored features, the protocol of
// benchmarks/scripts/sklearn_ocsvm.py: gamma 'scale' assumes comparable
// feature scales, so the harness always standardises.
func ocsvmConfig(n int, seed uint64, o Options) ocsvm.Config {
	cfg := ocsvm.Config{Standardize: true, Workers: o.Workers, Seed: seed}
	if n > ocsvmExactMaxN {
		cfg.Approximation = ocsvm.Nystroem
	}
	return cfg
}

// fitOCSVM fits on every row and scores them with ScoreBatch, so that
// −scores is scikit-learn's decision_function(X).
func fitOCSVM(ctx context.Context, X *mat.Dense, seed uint64, o Options) (ScoreFunc, error) {
	n, _ := X.Dims()
	m, err := ocsvm.Fit(ctx, X, ocsvmConfig(n, seed, o))
	if err != nil {
		return nil, err
	}
	return func(context.Context) ([]float64, error) { return m.ScoreBatch(X) }, nil
}

func ocsvmParams(Options) map[string]any {
	return map[string]any{
		"nu": 0.5, "kernel": "rbf", "gamma": "scale", "standardize": true,
		"solver": "exact (SMO) up to 20000 rows, nystroem(300) + SGD above",
	}
}
