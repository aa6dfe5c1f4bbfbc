package iforest

import (
	"context"
	"math"
	"runtime/debug"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/parallel"
	"github.com/vigil-ml/vigil/internal/rng"
)

const pkg = "iforest"

// Errors returned by this package; errors.Is matches them across Vigil.
var (
	ErrEmpty     = check.ErrEmpty
	ErrNonFinite = check.ErrNonFinite
	ErrDimension = check.ErrDimension
	ErrConfig    = check.ErrConfig
	ErrCorrupt   = check.ErrCorrupt
	// ErrNotFitted is returned by every method of a zero Model.
	ErrNotFitted = check.ErrNotFitted
)

// Error is the type of every error this package returns: errors.As gives
// its Kind (one of the sentinels above) and, for bad input, the Row and Col
// of the offending value.
type Error = check.Error

// Config sets up a forest. The zero value gives scikit-learn's defaults.
type Config struct {
	// Trees is the number of isolation trees; 0 means 100. Fit refuses,
	// with ErrConfig and before allocating, a forest whose node count
	// (up to 2·SampleSize − 1 per tree) exceeds 2^31 − 1, or whose size
	// (24 bytes per node) exceeds the machine's RAM or Go's memory limit.
	Trees int
	// SampleSize is ψ, the rows drawn for each tree; 0 means 256. It is
	// capped at the number of training rows, as scikit-learn does, and must
	// be at least 2.
	SampleSize int
	// MaxFeatures is the fraction of features, in (0, 1], that each tree
	// draws without replacement and splits on; 0 means 1 (all features).
	// A tree uses max(1, floor(MaxFeatures·d)) features.
	MaxFeatures float64
	// Bootstrap draws each tree's rows with replacement instead of without.
	Bootstrap bool
	// ExtensionLevel selects Extended Isolation Forest when > 0: each cut is
	// a hyperplane with ExtensionLevel+1 non-zero components. 0 is standard
	// Isolation Forest; the maximum is the features per tree minus one.
	ExtensionLevel int
	// Seed makes the forest reproducible.
	Seed uint64
	// Workers bounds the goroutines used by Fit and ScoreBatch; 0 means
	// runtime.GOMAXPROCS(0). Results do not depend on it. A model keeps it
	// for scoring; WithWorkers changes it on a copy (a decoded model uses
	// GOMAXPROCS).
	Workers int
}

// node is one node of a tree in the forest's flat node array. An internal
// node sends x to child left when x[feature] ≤ split and to left+1 otherwise.
// A leaf is a node that is its own left child with split +Inf, so that a walk
// may take more steps than the leaf's depth and stay put: scoring then runs
// a fixed number of branch-free steps per tree. For an extended forest,
// feature indexes the node's hyperplane.
type node struct {
	split   float64
	feature int32
	left    int32
}

// Model is a fitted forest. It is immutable and safe for concurrent use.
type Model struct {
	dim       int     // features of the training data
	psi       int     // rows per tree
	ext       int     // extension level; 0 for axis-parallel cuts
	workers   int     // for ScoreBatch
	norm      float64 // c(psi)·trees: the divisor of the summed path lengths
	depth     int     // height limit: no leaf is deeper
	nodes     []node
	vals      []float64 // a leaf's path length, depth + c(size); 0 elsewhere
	roots     []int32   // index of each tree's root in nodes
	planeIdx  []int32   // extended only: ext+1 feature indices per hyperplane
	planeCoef []float64 // extended only: the matching normal components
	sizes     []int32   // training rows that reached each node (Explain)
	lgSize    []float64 // log2 of sizes
	splitLo   []float64 // smallest split value on each feature (Explain)
	splitHi   []float64 // largest
}

// Fit grows a forest on the rows of X.
func Fit(ctx context.Context, X mat.Matrix, cfg Config) (*Model, error) {
	// The forest keeps no rows, so a contiguous *mat.Dense is read in place.
	var d int
	if X != nil {
		_, d = X.Dims()
	}
	data, n, err := check.View(pkg, X, d)
	if err != nil {
		return nil, err
	}
	cfg, psi, nFeat, err := resolve(cfg, n, d)
	if err != nil {
		return nil, err
	}
	if cfg.ExtensionLevel > 0 {
		// Hyperplane cuts take dot products, which overflow on huge values.
		if err := check.Bounded(pkg, data, d); err != nil {
			return nil, err
		}
	}
	trees := make([]builtTree, cfg.Trees)
	err = parallel.For(ctx, cfg.Trees, 1, cfg.Workers, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			b := builder{
				data: data, d: d, ext: cfg.ExtensionLevel,
				maxDepth: heightLimit(psi),
				r:        rng.New(cfg.Seed, uint64(t)),
			}
			trees[t] = b.grow(n, psi, nFeat, cfg.Bootstrap)
		}
	})
	if err != nil {
		return nil, err
	}
	m := &Model{dim: d, psi: psi, ext: cfg.ExtensionLevel, workers: cfg.Workers}
	m.pack(trees)
	if err := m.validate(); err != nil {
		// Fit and UnmarshalBinary share one definition of a valid forest.
		panic("iforest: Fit built an invalid forest: " + err.Error())
	}
	m.deriveSizes()
	return m, nil
}

// resolve applies defaults and checks cfg against data of n rows and d
// columns, returning the sample size and features per tree.
func resolve(cfg Config, n, d int) (Config, int, int, error) {
	if cfg.Trees < 0 {
		return cfg, 0, 0, check.Errorf(pkg, ErrConfig, "Trees is %d, want ≥ 1 (or 0 for 100)", cfg.Trees)
	}
	if cfg.Trees == 0 {
		cfg.Trees = 100
	}
	if cfg.SampleSize < 0 || cfg.SampleSize == 1 {
		return cfg, 0, 0, check.Errorf(pkg, ErrConfig, "SampleSize is %d, want ≥ 2 (or 0 for 256)", cfg.SampleSize)
	}
	if cfg.SampleSize == 0 {
		cfg.SampleSize = 256
	}
	if n < 2 {
		return cfg, 0, 0, check.Errorf(pkg, ErrEmpty, "%d training row, need at least 2", n)
	}
	psi := min(cfg.SampleSize, n)
	if math.IsNaN(cfg.MaxFeatures) || cfg.MaxFeatures < 0 || cfg.MaxFeatures > 1 {
		return cfg, 0, 0, check.Errorf(pkg, ErrConfig, "MaxFeatures is %v, want a fraction in (0, 1]", cfg.MaxFeatures)
	}
	if cfg.MaxFeatures == 0 {
		cfg.MaxFeatures = 1
	}
	nFeat := max(1, int(cfg.MaxFeatures*float64(d)))
	if cfg.ExtensionLevel < 0 || cfg.ExtensionLevel >= nFeat {
		return cfg, 0, 0, check.Errorf(pkg, ErrConfig, "ExtensionLevel is %d, want 0 to %d (features per tree − 1)", cfg.ExtensionLevel, nFeat-1)
	}
	if cfg.Workers < 0 {
		return cfg, 0, 0, check.Errorf(pkg, ErrConfig, "Workers is %d, want ≥ 1 (or 0 for GOMAXPROCS)", cfg.Workers)
	}
	if err := checkSize(cfg.Trees, psi, cfg.ExtensionLevel); err != nil {
		return cfg, 0, 0, err
	}
	return cfg, psi, nFeat, nil
}

// maxNodesPerTree bounds the nodes of a tree of ψ rows: 2ψ − 1 for
// axis-parallel cuts, each of which leaves rows on both sides; a hyperplane
// can leave a side empty, and then the height limit bounds the tree.
func maxNodesPerTree(psi, ext int) int {
	if ext == 0 {
		return 2*psi - 1
	}
	return min(1<<(heightLimit(psi)+1)-1, 4*psi-1)
}

// forestBytes is the most a forest can take: 24 bytes per node (the node
// and its path length) plus 12 per hyperplane component.
func forestBytes(trees, psi, ext int) float64 {
	nodes := float64(trees) * float64(maxNodesPerTree(psi, ext))
	b := 24 * nodes
	if ext > 0 {
		b += 12 * float64(ext+1) * nodes / 2
	}
	return b
}

// checkSize refuses forests that the format cannot index (node numbers are
// int32) or that would not fit in memory: more than the machine's RAM, or
// than Go's memory limit when one is set (GOMEMLIMIT). Without this check
// Trees: 1<<40 ends the process with an out-of-memory kill.
func checkSize(trees, psi, ext int) error {
	if nodes := float64(trees) * float64(maxNodesPerTree(psi, ext)); nodes > math.MaxInt32 {
		return check.Errorf(pkg, ErrConfig, "Trees is %d: a forest of %d trees of up to %d nodes exceeds the %d nodes a model can index",
			trees, trees, maxNodesPerTree(psi, ext), math.MaxInt32)
	}
	need := forestBytes(trees, psi, ext)
	limit := memoryLimit()
	if limit > 0 && need > float64(limit) {
		return check.Errorf(pkg, ErrConfig, "Trees is %d with SampleSize %d: the forest may need %.3g GB, more than the %.3g GB this process can use",
			trees, psi, need/1e9, float64(limit)/1e9)
	}
	return nil
}

// memoryLimit is the smaller of the machine's RAM and Go's memory limit, 0
// when neither is known.
func memoryLimit() uint64 {
	limit := physicalMemory()
	if l := debug.SetMemoryLimit(-1); l > 0 && l < math.MaxInt64 && (limit == 0 || uint64(l) < limit) {
		limit = uint64(l)
	}
	return limit
}

// heightLimit is ceil(log2 ψ), the depth at which a tree stops growing.
func heightLimit(psi int) int {
	return int(math.Ceil(math.Log2(float64(psi))))
}

// eulerGamma is the Euler–Mascheroni constant.
const eulerGamma = 0.57721566490153286061

// harmonic returns H(n) = 1 + 1/2 + … + 1/n: summed exactly for small n and
// from its asymptotic series, accurate to about 1e-16 relative, beyond.
func harmonic(n int) float64 {
	if n <= 64 {
		h := 0.0
		for i := n; i >= 1; i-- {
			h += 1 / float64(i)
		}
		return h
	}
	x := float64(n)
	x2 := x * x
	return math.Log(x) + eulerGamma + 1/(2*x) - 1/(12*x2) + 1/(120*x2*x2) - 1/(252*x2*x2*x2)
}

// avgPath is c(n), the average path length of an unsuccessful search in a
// binary search tree of n keys.
func avgPath(n int) float64 {
	switch {
	case n <= 1:
		return 0
	case n == 2:
		return 1
	}
	return 2*harmonic(n-1) - 2*float64(n-1)/float64(n)
}

func errUnfitted() error { return check.NotFitted(pkg) }

// Features returns the number of features the model was fit on.
func (m *Model) Features() int { return m.dim }

// Score returns the anomaly score of one sample, in (0, 1]. It does not
// allocate. On error the score is NaN, as for every Vigil detector, so that
// an ignored error cannot pass for a normal score.
func (m *Model) Score(x []float64) (float64, error) {
	if m.nodes == nil {
		return math.NaN(), errUnfitted()
	}
	if err := check.Row(pkg, x, m.dim); err != nil {
		return math.NaN(), err
	}
	return m.score(x), nil
}

func (m *Model) score(x []float64) float64 {
	var sum float64
	nodes, vals := m.nodes, m.vals
	if m.ext == 0 {
		// Walk eight trees level by level. The direction at each node is
		// close to a coin toss, so a branch there would be mispredicted
		// half the time; a flag move is not, and the eight walks are
		// independent chains whose cache latencies the CPU overlaps.
		// Plain variables rather than an array keep them in registers.
		roots := m.roots
		k := 0
		for ; k+8 <= len(roots); k += 8 {
			r := roots[k : k+8]
			a0, a1, a2, a3, a4, a5, a6, a7 := r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
			for range m.depth {
				n0, n1, n2, n3 := &nodes[a0], &nodes[a1], &nodes[a2], &nodes[a3]
				n4, n5, n6, n7 := &nodes[a4], &nodes[a5], &nodes[a6], &nodes[a7]
				a0 = n0.left + b2i(x[n0.feature] > n0.split)
				a1 = n1.left + b2i(x[n1.feature] > n1.split)
				a2 = n2.left + b2i(x[n2.feature] > n2.split)
				a3 = n3.left + b2i(x[n3.feature] > n3.split)
				a4 = n4.left + b2i(x[n4.feature] > n4.split)
				a5 = n5.left + b2i(x[n5.feature] > n5.split)
				a6 = n6.left + b2i(x[n6.feature] > n6.split)
				a7 = n7.left + b2i(x[n7.feature] > n7.split)
			}
			sum += vals[a0]
			sum += vals[a1]
			sum += vals[a2]
			sum += vals[a3]
			sum += vals[a4]
			sum += vals[a5]
			sum += vals[a6]
			sum += vals[a7]
		}
		for ; k < len(roots); k++ {
			a := roots[k]
			for range m.depth {
				na := &nodes[a]
				a = na.left + b2i(x[na.feature] > na.split)
			}
			sum += vals[a]
		}
		return math.Exp2(-sum / m.norm)
	}
	stride := m.ext + 1
	for _, i := range m.roots {
		for {
			nd := &nodes[i]
			if nd.left == i {
				sum += vals[i]
				break
			}
			off := int(nd.feature) * stride
			idx := m.planeIdx[off : off+stride]
			coef := m.planeCoef[off : off+stride]
			var dot float64
			for j, f := range idx {
				dot += coef[j] * x[f]
			}
			i = nd.left
			if dot > nd.split {
				i++
			}
		}
	}
	return math.Exp2(-sum / m.norm)
}

func b2i(b bool) int32 {
	var i int32
	if b {
		i = 1
	}
	return i
}

// ScoreBatch returns the scores of the rows of X, computed in parallel; each
// equals Score of that row. It is ScoreBatchContext without cancellation.
func (m *Model) ScoreBatch(X mat.Matrix) ([]float64, error) {
	return m.ScoreBatchContext(context.Background(), X)
}

// ScoreBatchContext is ScoreBatch that stops handing out rows once ctx is
// cancelled and then returns ctx's error (and no scores).
func (m *Model) ScoreBatchContext(ctx context.Context, X mat.Matrix) ([]float64, error) {
	if m.nodes == nil {
		return nil, errUnfitted()
	}
	data, n, err := check.View(pkg, X, m.dim)
	if err != nil {
		return nil, err
	}
	dst := make([]float64, n)
	if err := m.scoreRows(ctx, dst, data); err != nil {
		return nil, err
	}
	return dst, nil
}

// ScoreTo writes the scores of the rows of X into dst, which must have one
// element per row. A *mat.Dense with contiguous rows is read in place, so
// the only allocations are the few of the parallel loop. On error every
// element of dst is NaN.
func (m *Model) ScoreTo(dst []float64, X mat.Matrix) error {
	return m.ScoreToContext(context.Background(), dst, X)
}

// ScoreToContext is ScoreTo that stops once ctx is cancelled and returns
// its error. On any error every element of dst is NaN, so that a caller
// who ignores the error cannot take an earlier batch's scores for this
// one's.
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
	if m.nodes == nil {
		return errUnfitted()
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
	return m.scoreRows(ctx, dst, data)
}

func (m *Model) scoreRows(ctx context.Context, dst, data []float64) error {
	d := m.dim
	return parallel.For(ctx, len(dst), 256, m.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = m.score(data[i*d : (i+1)*d])
		}
	})
}

// Workers returns the goroutines the model scores batches with (0 means
// runtime.GOMAXPROCS(0), the default of a decoded model).
func (m *Model) Workers() int { return m.workers }

// WithWorkers returns a copy of the model that scores batches on n
// goroutines (n ≤ 0: runtime.GOMAXPROCS(0)), for instance to fit a loaded
// model to the machine it now runs on. The copy shares the forest, which
// neither ever changes, so it costs a few words; m is unchanged. Results do
// not depend on n.
func (m *Model) WithWorkers(n int) *Model {
	c := *m
	c.workers = max(n, 0)
	return &c
}

// pack lays the trees out in one node array, tree after tree.
func (m *Model) pack(trees []builtTree) {
	total, planes := 0, 0
	for _, t := range trees {
		total += len(t.nodes)
		planes += len(t.planeIdx)
	}
	m.nodes = make([]node, 0, total)
	m.vals = make([]float64, 0, total)
	m.roots = make([]int32, len(trees))
	if m.ext > 0 {
		m.planeIdx = make([]int32, 0, planes)
		m.planeCoef = make([]float64, 0, planes)
	}
	stride := int32(m.ext + 1)
	for ti, t := range trees {
		base := int32(len(m.nodes))
		planeBase := int32(len(m.planeIdx)) / stride
		m.roots[ti] = base
		for _, nd := range t.nodes {
			internal := !math.IsInf(nd.split, 1)
			nd.left += base
			if internal && m.ext > 0 {
				nd.feature += planeBase
			}
			m.nodes = append(m.nodes, nd)
		}
		m.vals = append(m.vals, t.vals...)
		m.planeIdx = append(m.planeIdx, t.planeIdx...)
		m.planeCoef = append(m.planeCoef, t.planeCoef...)
	}
	m.depth = heightLimit(m.psi)
	m.norm = avgPath(m.psi) * float64(len(trees))
}
