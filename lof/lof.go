package lof

import (
	"context"
	"math"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/internal/neighbors"
	"gonum.org/v1/gonum/mat"
)

// DefaultK is the neighbour count used when Config.K is 0, scikit-learn's
// default n_neighbors.
const DefaultK = 20

// Jitter is added to the mean reachability distance before inverting it, as
// scikit-learn does, so that a point whose K neighbours all coincide with it
// gets a density of 1e10 instead of +Inf.
const Jitter = 1e-10

// Config configures Fit. The zero value means K=20, no standardisation,
// GOMAXPROCS workers.
type Config struct {
	// K is the number of neighbours (MinPts); 0 means 20, scikit-learn's
	// default. It must be less than the number of training rows.
	K int
	// Standardize z-scores every column with the training mean and
	// standard deviation before any distance is taken (see the package doc).
	Standardize bool
	// Workers bounds the goroutines of Fit and ScoreBatch; 0 or less means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Workers int
}

// Model is a fitted LOF detector. It is immutable and safe for concurrent
// use.
type Model struct {
	cfg   Config
	base  *neighbors.Base
	kdist []float64 // distance of each training row to its K-th neighbour
	lrd   []float64 // local reachability density of each training row
	train []float64 // LOF of each training row
}

// Fit indexes the rows of X and computes their k-distances, local
// reachability densities and LOF values, each row left out of its own
// neighbourhood.
func Fit(ctx context.Context, X mat.Matrix, cfg Config) (*Model, error) {
	if cfg.K == 0 {
		cfg.K = DefaultK
	}
	base, dist, idx, err := neighbors.FitBase(ctx, pkg, X, cfg.K, cfg.Standardize, cfg.Workers)
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, base: base}
	n := len(dist) / cfg.K
	k := cfg.K
	m.kdist = make([]float64, n)
	for i := range m.kdist {
		m.kdist[i] = dist[i*k+k-1]
	}
	m.lrd = make([]float64, n)
	for i := range m.lrd {
		m.lrd[i] = m.density(dist[i*k:(i+1)*k], idx[i*k:(i+1)*k])
	}
	m.train = make([]float64, n)
	for i := range m.train {
		m.train[i] = m.factor(m.lrd[i], idx[i*k:(i+1)*k])
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// validate checks what Fit guarantees of the per-row values beyond the rows
// (which neighbors checks): one of each per row, k-distances finite and
// non-negative, densities in (0, 1/Jitter], LOF values finite and positive.
// UnmarshalBinary runs the same check, so a decoded model is one Fit could
// have made.
func (m *Model) validate() error {
	n := m.base.Index.Len()
	if len(m.kdist) != n || len(m.lrd) != n || len(m.train) != n {
		return check.Errorf(pkg, check.ErrCorrupt, "model has %d, %d and %d per-row values for %d rows", len(m.kdist), len(m.lrd), len(m.train), n)
	}
	for i := range m.kdist {
		kd, lrd, s := m.kdist[i], m.lrd[i], m.train[i]
		if !(kd >= 0 && kd <= math.MaxFloat64) || !(lrd > 0 && lrd <= 1/Jitter) || !(s > 0 && s <= math.MaxFloat64) {
			return check.ErrorAt(pkg, check.ErrCorrupt, i, -1, "row %d has k-distance %v, density %v and LOF %v", i, kd, lrd, s)
		}
	}
	return nil
}

// density is the local reachability density of a point with the given
// neighbours: the inverse of its mean reachability distance, where the
// reachability distance to neighbour o is max(d(p, o), k-distance(o)).
func (m *Model) density(dist []float64, idx []int32) float64 {
	var s float64
	for j, o := range idx {
		s += max(dist[j], m.kdist[o])
	}
	return 1 / (s/float64(len(idx)) + Jitter)
}

// factor is the mean ratio of the neighbours' densities to the point's.
func (m *Model) factor(lrd float64, idx []int32) float64 {
	var s float64
	for _, o := range idx {
		s += m.lrd[o] / lrd
	}
	return s / float64(len(idx))
}

func (m *Model) score(dist []float64, idx []int32) float64 {
	return m.factor(m.density(dist, idx), idx)
}

// Config returns the configuration with defaults filled in.
func (m *Model) Config() Config { return m.cfg }

// TrainingScores returns the LOF of each training row, in the order of the
// rows: scikit-learn's -negative_outlier_factor_. The slice is the model's
// own: do not modify it.
func (m *Model) TrainingScores() []float64 { return m.train }

// Score returns the LOF of one new sample relative to the training rows,
// scikit-learn's -score_samples with novelty=True. It does not allocate.
// On error the score is NaN, as on every Vigil detector, so that a caller
// who ignores the error cannot mistake it for a normal score.
func (m *Model) Score(x []float64) (float64, error) { return m.base.Score(pkg, x, m.score) }

// ScoreBatch scores the rows of X as Score does, in parallel. On error it
// returns nil.
func (m *Model) ScoreBatch(X mat.Matrix) ([]float64, error) {
	return m.base.ScoreBatch(context.Background(), pkg, X, m.score)
}

// ScoreBatchContext is ScoreBatch that stops early, returning ctx.Err(),
// when ctx is cancelled.
func (m *Model) ScoreBatchContext(ctx context.Context, X mat.Matrix) ([]float64, error) {
	return m.base.ScoreBatch(ctx, pkg, X, m.score)
}

// ScoreTo is ScoreBatch into dst, which must have one element per row. On
// error every element of dst is NaN.
func (m *Model) ScoreTo(dst []float64, X mat.Matrix) error {
	return m.base.ScoreTo(context.Background(), pkg, dst, X, m.score)
}

// ScoreToContext is ScoreTo that stops early, returning ctx.Err(), when ctx
// is cancelled (dst is then all NaN, as on any error).
func (m *Model) ScoreToContext(ctx context.Context, dst []float64, X mat.Matrix) error {
	return m.base.ScoreTo(ctx, pkg, dst, X, m.score)
}

// WithWorkers returns a copy of the model that scores batches on up to n
// goroutines (0 or less: GOMAXPROCS), for a model loaded on a machine
// other than the one that fitted it. The copy shares the training rows and
// index with m, which it leaves unchanged; scores do not depend on n.
func (m *Model) WithWorkers(n int) *Model {
	c := *m
	c.cfg.Workers, c.base = n, m.base.WithWorkers(n)
	return &c
}

// Explain says which features make x's LOF: each feature's share of the
// squared distance from x to its K neighbours, whose reachability
// distances set its density and so its score, on the scale the model
// measures distance (standardised with Standardize). The shares are
// non-negative and sum to 1; larger means more responsible. A sample that
// coincides with its neighbours gets all zeros.
func (m *Model) Explain(x []float64) ([]float64, error) {
	return m.base.Explain(pkg, x, func(k int) (int, int) { return 0, k })
}

const (
	magic   = "VLOF"
	version = 1
)

// MarshalBinary encodes the model, training rows included.
func (m *Model) MarshalBinary() ([]byte, error) {
	if m.base == nil {
		return nil, errUnfitted()
	}
	e := codec.NewEncoder(magic, version)
	e.Int(m.cfg.K)
	e.Int(m.cfg.Workers)
	neighbors.EncodeBase(e, m.base)
	e.Float64s(m.kdist)
	e.Float64s(m.lrd)
	e.Float64s(m.train)
	return e.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary. Bytes that are
// corrupt, or that decode to a model Fit cannot produce (rows beyond the
// value bound, non-finite or out-of-range per-row values, a scaler that
// would blow values up, K not below the row count), are refused with
// ErrCorrupt and leave m unchanged.
func (m *Model) UnmarshalBinary(b []byte) error {
	dec, _, err := codec.NewDecoder(pkg, magic, version, b)
	if err != nil {
		return err
	}
	var cfg Config
	cfg.K = dec.IntIn("K", 1, math.MaxInt32)
	cfg.Workers = dec.Int()
	blob := neighbors.DecodeBase(dec)
	kdist := dec.Float64s()
	lrd := dec.Float64s()
	train := dec.Float64s()
	if err := dec.Err(); err != nil {
		return err
	}
	base, err := blob.Build(pkg, cfg.K, cfg.Workers)
	if err != nil {
		return err
	}
	cfg.Standardize = base.Scaler != nil
	dm := Model{cfg: cfg, base: base, kdist: kdist, lrd: lrd, train: train}
	if err := dm.validate(); err != nil {
		return err
	}
	*m = dm
	return nil
}

// errUnfitted reports a zero Model used before Fit or UnmarshalBinary.
func errUnfitted() error {
	return check.NotFitted(pkg)
}
