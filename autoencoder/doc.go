// Package autoencoder detects anomalies by reconstruction error: a small
// fully connected autoencoder learns to reproduce the training rows through
// a narrow code layer, and a sample it reproduces badly is unlike them.
// The features it reproduces worst say why, which is what an analyst asks
// first (Model.Explain).
//
// # Network and training
//
// Fit standardises every feature with the mean and population standard
// deviation of the training rows (scikit-learn's StandardScaler; a constant
// column is centred and left unscaled, so a later sample that leaves the
// constant value shows its raw deviation as error), then trains the network
// d → Hidden… → d with hidden layers of the chosen Activation and a linear
// output layer. The loss is the squared error, as scikit-learn's
// MLPRegressor defines it: per mini-batch of B rows,
//
//	Σ_rows Σ_features (x̂ − x)² / (2B) + WeightDecay·Σ w² / (2B)
//
// where the penalty covers the weights but not the biases. Adam takes one
// step per batch with scikit-learn's bias-corrected step size (β₁ 0.9, β₂
// 0.999, ε 1e-8); batches are drawn from a fresh shuffle of the rows every
// epoch. The zero Config is scikit-learn's MLPRegressor defaults (ReLU,
// Adam at 1e-3, alpha 1e-4, batches of 32, Glorot initialisation) with
// PyOD's 10 epochs and PyOD's [64, 32, 64] layers, narrowed on inputs of
// fewer than 8 features (see Config.Hidden). Dropout, a validation split
// with early stopping and a progress callback are options.
//
// # Scores
//
// Score is the mean over the features of the squared reconstruction error
// on the standardised scale, so that every feature counts in units of its
// own spread; higher is more anomalous. Explain returns the per-feature
// terms of that mean, Encode the code layer's activations and Reconstruct
// what the model expected the sample to be, in the original units. Score,
// ScoreBatch and ScoreTo give the same bits for the same row;
// ScoreBatchContext and ScoreToContext are those batches cancellable between
// blocks of 64 rows, and WithWorkers a copy that scores on a chosen number of
// goroutines (a decoded model uses GOMAXPROCS until told otherwise).
//
// # Speed and determinism
//
// The network computes in float32, as PyTorch and PyOD do, unless
// Config.Float64 asks for float64; inputs, the standardisation and the
// scores are float64 either way. The matrix products run on gonum's native
// BLAS (Sgemm or Dgemm from gonum.org/v1/gonum/blas/gonum), called directly
// so that the arithmetic does not change with the BLAS a program registers;
// each layer's weights are stored so that the kernels' inner loops run
// along the wider side of the layer. Training is data-parallel over Config.Workers:
// each mini-batch is cut into fixed micro-shards of 16 rows, whose
// gradients are computed independently and added in shard order. The shard
// boundaries and the order of the additions do not depend on the number of
// workers, nor do the dropout masks (a hash of the seed, the step and the
// unit's place in the batch), so the same data, Config and Seed give the
// same weights, bit for bit, for any Workers. Scoring runs blocks of 64
// rows in parallel.
//
// # Input
//
// Fit needs at least two rows; NaN and ±Inf are refused, in training data
// and in samples, naming the row and column, and so are magnitudes beyond
// ±1e150, whose squares overflow. Epochs and BatchSize must be positive (or
// zero for the defaults), Hidden nil or a list of positive widths.
package autoencoder
