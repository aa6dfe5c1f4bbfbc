package ocsvm

import (
	"context"
	"math"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/parallel"
	"github.com/vigil-ml/vigil/internal/scale"
)

// Model is a fitted one-class SVM. It is immutable and safe for concurrent
// use.
type Model struct {
	cfg    Config // defaults resolved, Gamma included
	dim    int
	n      int // training rows
	kern   kernelFunc
	scaler *scale.Scaler // nil without Standardize

	// Exact solver.
	sv      []float64 // support vectors, row-major, in the model's space
	svIndex []int     // their training row indices, ascending
	coef    []float64 // their αᵢ
	rho     float64
	iter    int
	gap     float64
	obj     float64
	stopped bool // MaxIter reached before the stopping rule

	// Approximations (nil for the exact solver).
	fm *featureModel

	// The support vectors again, each padded with zeros to stride values (a
	// multiple of 4) for the vector kernels of Score.
	svp    []float64
	stride int

	pool sync.Pool // *[]float64 scratch of dim (+ Components) values
}

// Fit trains a one-class SVM on the rows of X.
func Fit(ctx context.Context, X mat.Matrix, cfg Config) (*Model, error) {
	cfg, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	data, n, d, err := check.Dense(pkg, X)
	if err != nil {
		return nil, err
	}
	// Squared norms of larger values overflow.
	if err := check.Bounded(pkg, data, d); err != nil {
		return nil, err
	}
	m := &Model{dim: d, n: n}
	if cfg.Standardize {
		m.scaler = scale.Fit(data, n, d)
		m.scaler.ApplyRows(data, n)
	}
	if cfg.Gamma == 0 {
		cfg.Gamma = scaleGamma(data, d)
	}
	m.kern = kernelFunc{kind: cfg.Kernel, gamma: cfg.Gamma, coef0: cfg.Coef0, degree: cfg.Degree}
	if cfg.Kernel == Linear {
		m.kern.gamma = 0
	}
	m.cfg = cfg
	if cfg.Approximation != Exact {
		if err := m.fitApprox(ctx, data, n, d); err != nil {
			return nil, err
		}
		m.initPool()
		return m, nil
	}
	// The cache grows up to its budget or to every row in full, whichever
	// is smaller: refuse a budget the process cannot hold before the fit
	// runs into it.
	cacheBytes := min(int64(cfg.CacheMiB)<<20, int64(n)*int64(n)*4+int64(n)*4*headerFloats)
	if lim := check.MemoryLimit(); cacheBytes > lim {
		return nil, check.Errorf(pkg, ErrConfig, "CacheMiB is %d: a kernel cache of %d rows may grow to %d bytes, more than the %d bytes this process can hold", cfg.CacheMiB, n, cacheBytes, lim)
	}
	s := newSolver(ctx, data, n, d, m.kern, cfg)
	for i, v := range s.qd {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.IsInf(s.sq[i], 0) {
			return nil, check.ErrorAt(pkg, ErrNonFinite, i, -1, "row %d: kernel value K(x, x) = %v overflows; rescale the data or the kernel parameters", i, v)
		}
	}
	if err := s.solve(cfg.Nu); err != nil {
		return nil, err
	}
	m.rho = s.rho()
	m.iter, m.gap, m.obj, m.stopped = s.iter, s.gap, s.objective(), s.stopped
	// Support vectors in training order, as libsvm lists them.
	pos := make([]int, n)
	for p, orig := range s.order {
		pos[orig] = p
	}
	for orig := 0; orig < n; orig++ {
		p := pos[orig]
		if a := s.alpha[p]; a > 0 {
			m.svIndex = append(m.svIndex, orig)
			m.coef = append(m.coef, a)
			m.sv = append(m.sv, s.x[p*s.d:p*s.d+d]...)
		}
	}
	m.initPool()
	return m, nil
}

// scaleGamma is scikit-learn's gamma='scale': 1/(d·Var(X)) over every value
// of X, or 1 when the variance is 0.
func scaleGamma(data []float64, d int) float64 {
	nf := float64(len(data))
	var mean float64
	for _, v := range data {
		mean += v
	}
	mean /= nf
	var ss, corr float64
	for _, v := range data {
		t := v - mean
		corr += t
		ss += t * t
	}
	v := (ss - corr*corr/nf) / nf
	if !(v > 0) || math.IsInf(v, 0) {
		return 1
	}
	return 1 / (float64(d) * v)
}

// initPool prepares the padded support vectors and the scratch pool; Fit
// and UnmarshalBinary call it last.
func (m *Model) initPool() {
	p := (m.dim + 3) &^ 3
	m.stride = p
	nsv := len(m.coef)
	m.svp = make([]float64, nsv*p)
	for k := 0; k < nsv; k++ {
		copy(m.svp[k*p:k*p+m.dim], m.sv[k*m.dim:(k+1)*m.dim])
	}
	m.pool.New = func() any {
		// Values past dim stay zero: they are the padding.
		b := make([]float64, p)
		return &b
	}
}

func (m *Model) fitted() bool { return m.dim > 0 }

// Features returns the number of features the model was fit on.
func (m *Model) Features() int { return m.dim }

// Config returns the configuration with every default resolved; Gamma is
// the γ actually used (0 for the linear kernel).
func (m *Model) Config() Config {
	c := m.cfg
	c.Progress = nil
	c.Gamma = m.kern.gamma
	return c
}

// Rho returns ρ, the offset of the decision function in libsvm's scaling
// (scikit-learn's offset_, −intercept_). For an approximation it is the
// offset of the linear one-class SVM. NaN for a zero Model, as are Gap and
// Objective; a zero Model has not Converged.
func (m *Model) Rho() float64 { return m.unfittedNaN(m.rho) }

// SupportVectors returns a copy of the support vectors, one per row in
// training order, in the space the model works in (standardised when
// Config.Standardize is set). Nil for an approximation.
func (m *Model) SupportVectors() *mat.Dense {
	if len(m.coef) == 0 {
		return nil
	}
	return mat.NewDense(len(m.coef), m.dim, append([]float64(nil), m.sv...))
}

// SupportIndices returns the training row index of each support vector
// (scikit-learn's support_). The slice is a copy.
func (m *Model) SupportIndices() []int { return append([]int(nil), m.svIndex...) }

// Coefficients returns the dual coefficient αᵢ of each support vector, in
// (0, 1] and summing to ν·n (scikit-learn's dual_coef_). The slice is a
// copy. For an approximation it is the weight vector of the linear
// one-class SVM over the mapped features.
func (m *Model) Coefficients() []float64 {
	if m.fm != nil {
		return append([]float64(nil), m.fm.w...)
	}
	return append([]float64(nil), m.coef...)
}

// Iterations returns the number of SMO iterations (scikit-learn's n_iter_),
// or of SGD steps for an approximation.
func (m *Model) Iterations() int { return m.iter }

// Gap returns the maximal violating pair gap at the end of the fit: below
// Config.Tol when the solver converged. NaN for an approximation.
func (m *Model) Gap() float64 { return m.unfittedNaN(m.gap) }

// Objective returns the final dual objective ½αᵀQα (exact) or the primal
// objective of the linear one-class SVM (approximations).
func (m *Model) Objective() float64 { return m.unfittedNaN(m.obj) }

// Converged reports whether the fit met its stopping rule; false means
// Config.MaxIter stopped it first.
func (m *Model) Converged() bool { return m.fitted() && !m.stopped }

// unfittedNaN is v, or NaN for a zero Model, whose accessors have no error
// to return and must not read as a fitted model's 0.
func (m *Model) unfittedNaN(v float64) float64 {
	if !m.fitted() {
		return math.NaN()
	}
	return v
}

// Decision returns the decision function at x: Σ αᵢK(svᵢ, x) − ρ, positive
// inside the learnt region, scikit-learn's decision_function. It does not
// allocate. Values beyond ±1e150 are refused, as by Fit, and so is a sample
// whose kernel values overflow (a polynomial kernel of a huge sample): the
// error is ErrNonFinite and the value NaN, never a NaN or ±Inf score.
func (m *Model) Decision(x []float64) (float64, error) {
	if !m.fitted() {
		return math.NaN(), check.NotFitted(pkg)
	}
	if err := check.Row(pkg, x, m.dim); err != nil {
		return math.NaN(), err
	}
	if err := check.Bounded(pkg, x, len(x)); err != nil {
		return math.NaN(), err
	}
	bp := m.pool.Get().(*[]float64)
	v := m.decision(x, *bp)
	m.pool.Put(bp)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return math.NaN(), overflow(0)
	}
	return v, nil
}

// overflow is the error of a sample whose decision value is not finite.
func overflow(row int) error {
	return check.ErrorAt(pkg, ErrNonFinite, row, -1, "row %d: the decision function overflows (kernel values beyond float64); rescale the data or the kernel parameters", row)
}

// Score returns the anomaly score of x, −Decision(x): higher is more
// anomalous and positive outside the learnt region. On error the score is
// NaN. It does not allocate.
func (m *Model) Score(x []float64) (float64, error) {
	v, err := m.Decision(x)
	return -v, err
}

// svBlock is the number of kernel values Score computes per pass.
const svBlock = 64

// decision evaluates the decision function at the checked x with scratch
// space buf (stride values, zero past dim).
func (m *Model) decision(x, buf []float64) float64 {
	d, p := m.dim, m.stride
	xb := buf[:p]
	if m.scaler != nil {
		m.scaler.Apply(xb[:d], x)
	} else {
		copy(xb[:d], x)
	}
	if m.fm != nil {
		return m.fm.decision(xb[:d], nil) - m.rho
	}
	// Σ αₖ K(svₖ, x) in the order of the support vectors, four at a time
	// by the vector kernels; RBF distances are summed from differences,
	// as libsvm scores.
	nsv := len(m.coef)
	n4 := nsv &^ 3
	var tmp [svBlock]float64
	var sum float64
	for g := 0; g < n4; g += svBlock {
		c := min(svBlock, n4-g)
		blk := tmp[:c]
		coef := m.coef[g : g+c]
		if m.kern.kind == RBF {
			quadsSq(xb, m.svp[g*p:], c/4, p, blk)
			ng := -m.kern.gamma
			for t, v := range blk {
				sum += coef[t] * fastExp(ng*v)
			}
		} else {
			quads1(xb, m.svp[g*p:], c/4, p, blk)
			for t, v := range blk {
				sum += coef[t] * m.kern.fromDot(v, 0, 0)
			}
		}
	}
	for k := n4; k < nsv; k++ {
		sum += m.coef[k] * m.kern.eval(xb, m.svp[k*p:k*p+p])
	}
	return sum - m.rho
}

// ScoreBatch returns the scores of the rows of X, computed in parallel;
// each equals Score of that row, so −ScoreBatch(X) is scikit-learn's
// decision_function(X). On error it returns nil. It is ScoreBatchContext
// without cancellation.
func (m *Model) ScoreBatch(X mat.Matrix) ([]float64, error) {
	return m.ScoreBatchContext(context.Background(), X)
}

// ScoreBatchContext is ScoreBatch that stops early, returning ctx.Err(),
// when ctx is cancelled.
func (m *Model) ScoreBatchContext(ctx context.Context, X mat.Matrix) ([]float64, error) {
	if !m.fitted() {
		return nil, check.NotFitted(pkg)
	}
	if X == nil {
		return nil, check.Errorf(pkg, ErrEmpty, "nil matrix")
	}
	r, _ := X.Dims()
	if err := check.Alloc(pkg, "the scores", r, 8); err != nil {
		return nil, err
	}
	dst := make([]float64, r)
	if err := m.ScoreToContext(ctx, dst, X); err != nil {
		return nil, err
	}
	return dst, nil
}

// ScoreTo writes the scores of the rows of X into dst, which must have one
// element per row. A contiguous *mat.Dense is read in place. On error every
// element of dst is NaN, so that a caller who ignores the error cannot read
// the scores of an earlier batch as this one's.
func (m *Model) ScoreTo(dst []float64, X mat.Matrix) error {
	return m.ScoreToContext(context.Background(), dst, X)
}

// ScoreToContext is ScoreTo that stops early, returning ctx.Err(), when ctx
// is cancelled (dst is then all NaN too).
func (m *Model) ScoreToContext(ctx context.Context, dst []float64, X mat.Matrix) error {
	err := m.scoreTo(ctx, dst, X)
	if err != nil {
		for i := range dst {
			dst[i] = math.NaN()
		}
	}
	return err
}

func (m *Model) scoreTo(ctx context.Context, dst []float64, X mat.Matrix) error {
	if !m.fitted() {
		return check.NotFitted(pkg)
	}
	if X != nil {
		if r, _ := X.Dims(); r != len(dst) {
			return check.Errorf(pkg, ErrDimension, "dst has %d elements for %d rows", len(dst), r)
		}
	}
	data, _, err := check.View(pkg, X, m.dim)
	if err != nil {
		return err
	}
	if err := check.Bounded(pkg, data, m.dim); err != nil {
		return err
	}
	if err := m.scoreRows(ctx, dst, data); err != nil {
		return err
	}
	for i, v := range dst {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return overflow(i)
		}
	}
	return nil
}

// WithWorkers returns a copy of the model that scores batches on up to n
// goroutines (n ≤ 0: runtime.GOMAXPROCS(0)), for instance to fit a loaded
// model to the machine it now runs on. The copy shares the support vectors,
// which neither ever changes; m is unchanged. Results do not depend on n. A
// zero Model gives a zero Model.
func (m *Model) WithWorkers(n int) *Model {
	c := &Model{cfg: m.cfg, dim: m.dim, n: m.n, kern: m.kern, scaler: m.scaler,
		sv: m.sv, svIndex: m.svIndex, coef: m.coef, rho: m.rho, iter: m.iter, gap: m.gap, obj: m.obj,
		stopped: m.stopped, fm: m.fm, svp: m.svp, stride: m.stride}
	c.cfg.Workers = parallel.Workers(n)
	if c.fitted() {
		p := c.stride
		c.pool.New = func() any {
			b := make([]float64, p)
			return &b
		}
	}
	return c
}

// DecisionBatch returns the decision function at every row of X,
// scikit-learn's decision_function(X).
func (m *Model) DecisionBatch(X mat.Matrix) ([]float64, error) {
	s, err := m.ScoreBatch(X)
	for i := range s {
		s[i] = -s[i]
	}
	return s, err
}

func (m *Model) scoreRows(ctx context.Context, dst, data []float64) error {
	d := m.dim
	return parallel.For(ctx, len(dst), 64, m.cfg.Workers, func(lo, hi int) {
		bp := m.pool.Get().(*[]float64)
		for i := lo; i < hi; i++ {
			dst[i] = -m.decision(data[i*d:(i+1)*d], *bp)
		}
		m.pool.Put(bp)
	})
}
