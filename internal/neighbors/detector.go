package neighbors

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/parallel"
	"github.com/vigil-ml/vigil/internal/scale"
	"gonum.org/v1/gonum/mat"
)

// Base is the plumbing the knn and lof detectors share: the (optionally
// standardised) training rows, their index, and pooled scratch space that
// keeps single-sample scoring free of allocation.
type Base struct {
	Pkg     string
	K       int
	Workers int
	Scaler  *scale.Scaler // nil when standardisation is off
	Index   *Index
	pool    sync.Pool
}

// NewBase indexes data (n×d, validated; standardised in place when scaler
// is not nil, and kept by the index).
func NewBase(pkg string, data []float64, n, d, k, workers int, scaler *scale.Scaler) *Base {
	b, _ := newBaseContext(context.Background(), pkg, data, n, d, k, workers, scaler)
	return b
}

// newBaseContext is NewBase that stops indexing once ctx is cancelled.
func newBaseContext(ctx context.Context, pkg string, data []float64, n, d, k, workers int, scaler *scale.Scaler) (*Base, error) {
	if scaler != nil {
		scaler.ApplyRows(data, n)
	}
	ix, err := NewContext(ctx, data, n, d, Auto)
	if err != nil {
		return nil, err
	}
	b := &Base{Pkg: pkg, K: k, Workers: workers, Scaler: scaler, Index: ix}
	b.pool.New = func() any { return b.newHits() }
	return b, nil
}

// FitBase validates X and k (K ≥ 1, fewer than the rows, values finite and
// within check.MaxDistanceValue), standardises when asked, indexes the rows
// and returns the k nearest other rows of each: the Fit that knn and lof
// share.
func FitBase(ctx context.Context, pkg string, X mat.Matrix, k int, standardize bool, workers int) (b *Base, dist []float64, idx []int32, err error) {
	if k < 1 {
		return nil, nil, nil, check.Errorf(pkg, check.ErrConfig, "K is %d, want at least 1", k)
	}
	if X != nil {
		// Refuse sizes that cannot be held before copying anything.
		if r, c := X.Dims(); r > 0 && c > 0 {
			if err := checkSize(pkg, r, c, k); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	data, n, d, err := check.Dense(pkg, X)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := validate(pkg, data, n, d, k, nil); err != nil {
		return nil, nil, nil, err
	}
	var sc *scale.Scaler
	if standardize {
		sc = scale.Fit(data, n, d)
	}
	if b, err = newBaseContext(ctx, pkg, data, n, d, k, workers, sc); err != nil {
		return nil, nil, nil, err
	}
	dist, idx, err = b.Index.Train(ctx, k, workers)
	if err != nil {
		return nil, nil, nil, err
	}
	return b, dist, idx, nil
}

// validate checks what every Base holds, whether Fit made it or a decoder
// read it: n rows of d columns (2 ≤ n, 1 ≤ d ≤ MaxDim), 1 ≤ k < n, values
// finite and within ±check.MaxDistanceValue (standardised rows saturate
// there), and a scaler that Fit could have made. Errors name the row and
// column of a bad value.
func validate(pkg string, data []float64, n, d, k int, sc *scale.Scaler) error {
	if err := checkSize(pkg, n, d, k); err != nil {
		return err
	}
	if len(data) != n*d {
		return check.Errorf(pkg, check.ErrDimension, "%d values for %d rows of %d", len(data), n, d)
	}
	if err := check.Finite(pkg, data, d); err != nil {
		return err
	}
	if err := check.Bounded(pkg, data, d); err != nil {
		return err
	}
	if sc != nil {
		if err := sc.Validate(d); err != nil {
			return check.Errorf(pkg, check.ErrCorrupt, "%v", err)
		}
	}
	return nil
}

// MaxDim is the widest data the neighbour detectors accept: with values
// within ±check.MaxDistanceValue, the squared distances and the screened dot
// products of up to 2^24 columns stay below the largest float64.
const MaxDim = 1 << 24

// checkSize validates the shape of a training set of n rows of d columns
// for k neighbours: the width, K against the rows, and the memory Fit will
// ask for (the rows three times over, in the caller's layout, the index and
// its copy, and the neighbour lists with their heaps, 24 bytes per entry),
// all before anything is allocated.
func checkSize(pkg string, n, d, k int) error {
	if n < 1 || d < 1 {
		return check.Errorf(pkg, check.ErrEmpty, "%d rows of %d columns", n, d)
	}
	if d > MaxDim {
		return check.Errorf(pkg, check.ErrDimension, "%d features, at most %d supported", d, MaxDim)
	}
	if err := CheckK(pkg, k, n); err != nil {
		return err
	}
	if n > math.MaxInt32 {
		return check.Errorf(pkg, check.ErrConfig, "%d training rows, at most %d supported", n, math.MaxInt32)
	}
	if err := check.Alloc(pkg, "the training rows", n, 3*8*d); err != nil {
		return err
	}
	return check.Alloc(pkg, fmt.Sprintf("K=%d neighbours of %d rows", k, n), n, 24*k)
}

// CheckK validates a neighbour count against n training rows.
func CheckK(pkg string, k, n int) error {
	if k < 1 {
		return check.Errorf(pkg, check.ErrConfig, "K is %d, want at least 1", k)
	}
	if k >= n {
		return check.Errorf(pkg, check.ErrConfig, "K is %d, need more than K training rows, have %d", k, n)
	}
	return nil
}

// Hits holds the neighbours of one sample.
type Hits struct {
	Dist []float64
	Idx  []int32
	// Q is the sample as searched: standardised when the model is.
	Q []float64
	x []float64
	s *Scratch
}

func (b *Base) newHits() *Hits {
	return &Hits{
		Dist: make([]float64, b.K),
		Idx:  make([]int32, b.K),
		x:    make([]float64, b.Index.Dim()),
		s:    b.Index.NewScratch(b.K),
	}
}

// Find validates x and returns its K nearest training rows. Release the
// result with Put.
func (b *Base) Find(x []float64) (*Hits, error) {
	if err := check.Row(b.Pkg, x, b.Index.Dim()); err != nil {
		return nil, err
	}
	if err := check.Bounded(b.Pkg, x, len(x)); err != nil {
		return nil, err
	}
	h := b.pool.Get().(*Hits)
	q := x
	if b.Scaler != nil {
		b.Scaler.Apply(h.x, x)
		q = h.x
	}
	h.Q = q
	if err := b.Index.Search(q, h.s, h.Dist, h.Idx); err != nil {
		b.pool.Put(h)
		return nil, check.ErrorAt(b.Pkg, check.ErrNonFinite, 0, -1, "sample: %v", err)
	}
	return h, nil
}

// Put returns h to the pool.
func (b *Base) Put(h *Hits) {
	h.Q = nil
	b.pool.Put(h)
}

// Score validates x, finds its neighbours and returns score(them), or NaN
// with the error. It does not allocate. The scoring methods of Base accept a
// nil Base, the state of a zero knn or lof Model, and then return package
// pkg's ErrNotFitted.
func (b *Base) Score(pkg string, x []float64, score func(dist []float64, idx []int32) float64) (float64, error) {
	if b == nil {
		return math.NaN(), check.NotFitted(pkg)
	}
	h, err := b.Find(x)
	if err != nil {
		return math.NaN(), err
	}
	s := score(h.Dist, h.Idx)
	b.Put(h)
	return s, nil
}

// Explain attributes the distance from x to the neighbours that set its
// score to the features: pick returns, from x's K neighbours in ascending
// order, the positions [lo, hi) that set the score. Feature j gets the mean
// over those neighbours o of (x_j − o_j)², on the scale the model searches
// (standardised when it standardises), divided by the mean of ‖x − o‖², so
// the shares are non-negative and sum to 1 (all 0 when x coincides with
// them).
func (b *Base) Explain(pkg string, x []float64, pick func(k int) (lo, hi int)) ([]float64, error) {
	if b == nil {
		return nil, check.NotFitted(pkg)
	}
	h, err := b.Find(x)
	if err != nil {
		return nil, err
	}
	defer b.Put(h)
	d := b.Index.Dim()
	out := make([]float64, d)
	lo, hi := pick(b.K)
	data := b.Index.Data()
	var total float64
	for _, o := range h.Idx[lo:hi] {
		row := data[int(o)*d : int(o)*d+d]
		for j, v := range h.Q {
			t := v - row[j]
			out[j] += t * t
		}
	}
	for _, v := range out {
		total += v
	}
	if total > 0 {
		for j := range out {
			out[j] /= total
		}
	}
	return out, nil
}

// ScoreBatch is ScoreTo into a new slice of one score per row of X.
func (b *Base) ScoreBatch(ctx context.Context, pkg string, X mat.Matrix, score func(dist []float64, idx []int32) float64) ([]float64, error) {
	if b == nil {
		return nil, check.NotFitted(pkg)
	}
	if X == nil {
		return nil, check.Errorf(b.Pkg, check.ErrEmpty, "nil matrix")
	}
	r, _ := X.Dims()
	if err := check.Alloc(b.Pkg, "the scores", r, 8); err != nil {
		return nil, err
	}
	dst := make([]float64, r)
	if err := b.ScoreTo(ctx, pkg, dst, X, score); err != nil {
		return nil, err
	}
	return dst, nil
}

// ScoreTo validates X and writes score(neighbours of row i) to dst[i], in
// parallel blocks. It stops early, returning ctx.Err(), when ctx is
// cancelled. On any error every element of dst is NaN, so that a caller who
// ignores the error cannot take an earlier batch's scores for this one's.
func (b *Base) ScoreTo(ctx context.Context, pkg string, dst []float64, X mat.Matrix, score func(dist []float64, idx []int32) float64) error {
	err := b.scoreTo(ctx, pkg, dst, X, score)
	if err != nil {
		for i := range dst {
			dst[i] = math.NaN()
		}
	}
	return err
}

func (b *Base) scoreTo(ctx context.Context, pkg string, dst []float64, X mat.Matrix, score func(dist []float64, idx []int32) float64) error {
	if b == nil {
		return check.NotFitted(pkg)
	}
	// Unscaled input is read in place when it is a contiguous *mat.Dense;
	// scaled input needs a copy to scale.
	view := check.View
	if b.Scaler != nil {
		view = check.DenseWidth
	}
	data, m, err := view(b.Pkg, X, b.Index.Dim())
	if err != nil {
		return err
	}
	if err := check.Bounded(b.Pkg, data, b.Index.Dim()); err != nil {
		return err
	}
	if len(dst) != m {
		return check.Errorf(b.Pkg, check.ErrDimension, "destination has length %d, matrix has %d rows", len(dst), m)
	}
	if b.Scaler != nil {
		b.Scaler.ApplyRows(data, m)
	}
	const block = 8 * queryBlock
	k, d := b.K, b.Index.Dim()
	var bad atomic.Pointer[IncompleteError]
	err = parallel.For(ctx, m, block, b.Workers, func(lo, hi int) {
		dist := make([]float64, (hi-lo)*k)
		idx := make([]int32, (hi-lo)*k)
		// One worker: the blocks are already spread over the workers.
		if err := b.Index.Query(ctx, data[lo*d:hi*d], hi-lo, k, 1, dist, idx); err != nil {
			var ie *IncompleteError
			if errors.As(err, &ie) {
				bad.CompareAndSwap(nil, &IncompleteError{Row: lo + ie.Row})
			}
			return
		}
		for r := lo; r < hi; r++ {
			o := (r - lo) * k
			dst[r] = score(dist[o:o+k], idx[o:o+k])
		}
	})
	if err != nil {
		return err
	}
	if ie := bad.Load(); ie != nil {
		return check.ErrorAt(b.Pkg, check.ErrNonFinite, ie.Row, -1, "%v", ie)
	}
	return nil
}

// WithWorkers returns a copy of b that scores batches on up to w goroutines
// (0 or less: GOMAXPROCS). The copy shares the immutable rows, scaler and
// index with b; results do not depend on w.
func (b *Base) WithWorkers(w int) *Base {
	if b == nil {
		return nil
	}
	c := &Base{Pkg: b.Pkg, K: b.K, Workers: w, Scaler: b.Scaler, Index: b.Index}
	c.pool.New = func() any { return c.newHits() }
	return c
}

// WithMethod returns a copy of b whose index is rebuilt with the given
// search method; tests use it to run every method over the same model.
func (b *Base) WithMethod(m Method) *Base {
	c := b.WithWorkers(b.Workers)
	c.Index = New(b.Index.Data(), b.Index.Len(), b.Index.Dim(), m)
	return c
}
