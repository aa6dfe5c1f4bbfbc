package harness

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/autoencoder"
)

// fitAutoencoder trains the default autoencoder (10 epochs, batches of 32)
// on every row and scores them all, as
// benchmarks/scripts/sklearn_autoencoder.py does with MLPRegressor.
func fitAutoencoder(ctx context.Context, X *mat.Dense, seed uint64, o Options) (ScoreFunc, error) {
	m, err := autoencoder.Fit(ctx, X, autoencoder.Config{Seed: seed, Workers: o.Workers})
	if err != nil {
		return nil, err
	}
	return func(context.Context) ([]float64, error) { return m.ScoreBatch(X) }, nil
}

func autoencoderParams(Options) map[string]any {
	return map[string]any{
		"hidden": autoencoder.DefaultHidden, "hidden_cap_per_feature": 8,
		"activation": "relu", "init": "xavier", "epochs": autoencoder.DefaultEpochs,
		"batch_size": autoencoder.DefaultBatchSize, "learning_rate": autoencoder.DefaultLearningRate,
		"weight_decay": autoencoder.DefaultWeightDecay,
	}
}
