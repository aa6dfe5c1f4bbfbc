package knn

import (
	"context"
	"math"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/internal/neighbors"
	"gonum.org/v1/gonum/mat"
)

// Method turns the distances to the K nearest neighbours into one score.
type Method int

const (
	// Largest scores by the distance to the K-th neighbour (PyOD's default).
	Largest Method = iota
	// Mean scores by the mean distance to the K neighbours.
	Mean
	// Median scores by the median of the K distances.
	Median
)

func (m Method) String() string {
	switch m {
	case Largest:
		return "largest"
	case Mean:
		return "mean"
	case Median:
		return "median"
	}
	return "Method(?)"
}

// DefaultK is the neighbour count used when Config.K is 0 (PyOD's default).
const DefaultK = 5

// Config configures Fit. The zero value means K=5, Largest, no
// standardisation, GOMAXPROCS workers.
type Config struct {
	// K is the number of neighbours; 0 means 5, as PyOD's KNN. It must be
	// less than the number of training rows.
	K int
	// Method combines the K distances; Largest by default.
	Method Method
	// Standardize z-scores every column with the training mean and
	// standard deviation before any distance is taken (see the package doc).
	Standardize bool
	// Workers bounds the goroutines of Fit and ScoreBatch; 0 or less means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Workers int
}

// Model is a fitted k-NN detector. It is immutable and safe for concurrent
// use.
type Model struct {
	cfg   Config
	base  *neighbors.Base
	train []float64
}

// Fit indexes the rows of X and scores each of them against the others.
func Fit(ctx context.Context, X mat.Matrix, cfg Config) (*Model, error) {
	if cfg.K == 0 {
		cfg.K = DefaultK
	}
	if cfg.Method < Largest || cfg.Method > Median {
		return nil, check.Errorf(pkg, check.ErrConfig, "unknown Method %d", int(cfg.Method))
	}
	base, dist, _, err := neighbors.FitBase(ctx, pkg, X, cfg.K, cfg.Standardize, cfg.Workers)
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, base: base}
	n := len(dist) / cfg.K
	m.train = make([]float64, n)
	k := cfg.K
	for i := range m.train {
		m.train[i] = m.combine(dist[i*k : (i+1)*k])
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// validate checks what Fit guarantees of the training scores beyond the
// rows (which neighbors checks): one per row, finite and non-negative.
// UnmarshalBinary runs the same check, so a decoded model is one Fit could
// have made.
func (m *Model) validate() error {
	if len(m.train) != m.base.Index.Len() {
		return check.Errorf(pkg, check.ErrCorrupt, "model has %d training scores for %d rows", len(m.train), m.base.Index.Len())
	}
	for i, s := range m.train {
		if !(s >= 0 && s <= math.MaxFloat64) {
			return check.ErrorAt(pkg, check.ErrCorrupt, i, -1, "training score of row %d is %v", i, s)
		}
	}
	return nil
}

// combine reduces ascending distances to a score.
func (m *Model) combine(dist []float64) float64 {
	k := len(dist)
	switch m.cfg.Method {
	case Mean:
		var s float64
		for _, v := range dist {
			s += v
		}
		return s / float64(k)
	case Median:
		if k%2 == 1 {
			return dist[k/2]
		}
		return (dist[k/2-1] + dist[k/2]) / 2
	}
	return dist[k-1]
}

// Config returns the configuration with defaults filled in.
func (m *Model) Config() Config { return m.cfg }

// TrainingScores returns the score of each training row with the row left
// out of its own neighbourhood, in the order of the rows. The slice is the
// model's own: do not modify it.
func (m *Model) TrainingScores() []float64 { return m.train }

// Score scores one new sample against the training rows; a sample equal to
// a training row counts that row as a neighbour at distance 0. It does not
// allocate. On error the score is NaN, as on every Vigil detector, so that
// a caller who ignores the error cannot mistake it for a normal score.
func (m *Model) Score(x []float64) (float64, error) { return m.base.Score(pkg, x, m.scoreHits) }

// ScoreBatch scores the rows of X as Score does, in parallel. On error it
// returns nil.
func (m *Model) ScoreBatch(X mat.Matrix) ([]float64, error) {
	return m.base.ScoreBatch(context.Background(), pkg, X, m.scoreHits)
}

// ScoreBatchContext is ScoreBatch that stops early, returning ctx.Err(),
// when ctx is cancelled.
func (m *Model) ScoreBatchContext(ctx context.Context, X mat.Matrix) ([]float64, error) {
	return m.base.ScoreBatch(ctx, pkg, X, m.scoreHits)
}

// ScoreTo is ScoreBatch into dst, which must have one element per row. On
// error every element of dst is NaN.
func (m *Model) ScoreTo(dst []float64, X mat.Matrix) error {
	return m.base.ScoreTo(context.Background(), pkg, dst, X, m.scoreHits)
}

// ScoreToContext is ScoreTo that stops early, returning ctx.Err(), when ctx
// is cancelled (dst is then all NaN, as on any error).
func (m *Model) ScoreToContext(ctx context.Context, dst []float64, X mat.Matrix) error {
	return m.base.ScoreTo(ctx, pkg, dst, X, m.scoreHits)
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

// Explain says which features make x's score: each feature's share of the
// squared distance from x to the neighbours that set the score (the K-th
// for Largest, all K for Mean, the middle one or two for Median), on the
// scale the model measures distance (standardised with Standardize). The
// shares are non-negative and sum to 1; larger means more responsible. A
// sample that coincides with those neighbours gets all zeros.
func (m *Model) Explain(x []float64) ([]float64, error) {
	return m.base.Explain(pkg, x, m.setters)
}

// setters is the range of ascending neighbour positions that set a score.
func (m *Model) setters(k int) (lo, hi int) {
	switch m.cfg.Method {
	case Mean:
		return 0, k
	case Median:
		if k%2 == 1 {
			return k / 2, k/2 + 1
		}
		return k/2 - 1, k/2 + 1
	}
	return k - 1, k
}

// scoreHits adapts combine to the neighbour callback; knn needs no indices.
func (m *Model) scoreHits(dist []float64, _ []int32) float64 { return m.combine(dist) }

const (
	magic   = "VKNN"
	version = 1
)

// MarshalBinary encodes the model, training rows included.
func (m *Model) MarshalBinary() ([]byte, error) {
	if m.base == nil {
		return nil, errUnfitted()
	}
	e := codec.NewEncoder(magic, version)
	e.Int(m.cfg.K)
	e.Int(int(m.cfg.Method))
	e.Int(m.cfg.Workers)
	neighbors.EncodeBase(e, m.base)
	e.Float64s(m.train)
	return e.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary. Bytes that are
// corrupt, or that decode to a model Fit cannot produce (rows beyond the
// value bound, non-finite scores, a scaler that would blow values up, K not
// below the row count), are refused with ErrCorrupt and leave m unchanged.
func (m *Model) UnmarshalBinary(b []byte) error {
	dec, _, err := codec.NewDecoder(pkg, magic, version, b)
	if err != nil {
		return err
	}
	var cfg Config
	cfg.K = dec.IntIn("K", 1, math.MaxInt32)
	cfg.Method = Method(dec.IntIn("Method", int(Largest), int(Median)))
	cfg.Workers = dec.Int()
	blob := neighbors.DecodeBase(dec)
	train := dec.Float64s()
	if err := dec.Err(); err != nil {
		return err
	}
	base, err := blob.Build(pkg, cfg.K, cfg.Workers)
	if err != nil {
		return err
	}
	cfg.Standardize = base.Scaler != nil
	dm := Model{cfg: cfg, base: base, train: train}
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
