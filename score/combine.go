package score

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/internal/rng"
)

// Scorer is what the scoring layer consumes: anything that gives one sample
// a score, higher meaning more anomalous. Every Vigil detector model
// satisfies it (knn.Model, lof.Model, iforest.Model, ...), and so does
// Ensemble.
type Scorer interface {
	Score(x []float64) (float64, error)
}

// BatchScorer is a Scorer that also scores the rows of a matrix at once,
// as every Vigil detector does (iforest.Model, knn.Model, lof.Model, ...);
// an Ensemble uses it to score batches in the detectors' own parallel
// loops.
type BatchScorer interface {
	Scorer
	ScoreBatchContext(ctx context.Context, X mat.Matrix) ([]float64, error)
}

// CombineMethod is the rule that merges the normalised scores of several
// detectors into one.
type CombineMethod int

const (
	// WeightedSum is Σ wᵢ·zᵢ with the weights as given: α·KNN + β·LOF on
	// normalised scores. With weights that sum to 1 (the default, 1/m each)
	// the result stays on the scale of one normalised score. The zero value
	// and the default.
	WeightedSum CombineMethod = iota
	// Average is the weighted mean Σ wᵢ·zᵢ / Σ wᵢ (PyOD's average with
	// estimator_weights; the plain mean without weights).
	Average
	// Maximum is the largest normalised score (PyOD's maximization): one
	// detector that is sure is enough.
	Maximum
	// AOM, average of maximum (Aggarwal and Sathe 2015, PyOD's aom with
	// method "static"): detectors are shuffled into Buckets equal groups,
	// each group gives its maximum, and the maxima are averaged.
	AOM
	// MOA, maximum of average: the same groups, each gives its mean, and the
	// largest mean is the result.
	MOA
)

var combineNames = [...]string{"weighted-sum", "average", "maximum", "aom", "moa"}

// String returns the method's name.
func (m CombineMethod) String() string {
	if m < 0 || int(m) >= len(combineNames) {
		return "CombineMethod(?)"
	}
	return combineNames[m]
}

// CombinerConfig configures a Combiner. The zero value is the specified
// case: z-score each detector on its reference scores, then add them with
// equal weights 1/m.
type CombinerConfig struct {
	// Method merges the normalised scores; default WeightedSum.
	Method CombineMethod
	// Norm is the normaliser fitted on each detector's reference scores;
	// default ZScore.
	Norm Norm
	// Weights, one per detector, for WeightedSum and Average: finite, ≥ 0,
	// not all zero. Nil means 1/m each. Other methods take no weights.
	Weights []float64
	// Buckets is the number of groups for AOM and MOA; it must divide the
	// number of detectors m. Zero means PyOD's 5 when 5 divides m, else the
	// largest divisor of m in [2, 5], else m (one detector per group, which
	// makes AOM the mean and MOA the maximum).
	Buckets int
	// Seed drives the shuffle that assigns detectors to AOM/MOA groups.
	Seed uint64
}

// Combiner merges the scores of several detectors into one score. Raw
// scores of different detectors cannot be added as they are: a KNN score is
// a distance in the units of the feature space (its size depends on the
// data's scale and dimension and has no upper bound), while a LOF score is a
// dimensionless density ratio close to 1 for inliers. Added raw, whichever
// has the larger spread decides the sum alone and the weights α and β mean
// nothing. The Combiner therefore first maps each detector's score through a
// normaliser fitted on that detector's reference scores, so that every
// component reads as "how unusual compared with normal data" on one scale,
// and only then weighs them.
//
// A Combiner works on scores, not samples: Combine takes one raw score per
// detector. To score samples, bind it to detectors with NewEnsemble. It is
// immutable and safe for concurrent use. A zero Combiner is not fitted: its
// methods return ErrNotFitted (and NaN where a score is due).
type Combiner struct {
	method  CombineMethod
	norms   []*Normalizer
	weights []float64 // WeightedSum, Average
	groups  [][]int   // AOM, MOA: detector indices per bucket
}

// FitCombiner fits one normaliser per detector on its reference scores
// (refs[i] are detector i's scores of normal data, for instance
// knn.Model.TrainingScores) and returns the combiner. At least one detector
// is needed; the reference vectors may differ in length.
func FitCombiner(cfg CombinerConfig, refs ...[]float64) (*Combiner, error) {
	m := len(refs)
	if m == 0 {
		return nil, check.Errorf(pkg, ErrEmpty, "no detectors to combine")
	}
	if cfg.Method < 0 || int(cfg.Method) >= len(combineNames) {
		return nil, check.Errorf(pkg, ErrConfig, "unknown combine method %d", int(cfg.Method))
	}
	c := &Combiner{method: cfg.Method, norms: make([]*Normalizer, m)}
	for i, r := range refs {
		n, err := FitNormalizer(cfg.Norm, r)
		if err != nil {
			return nil, check.Errorf(pkg, errKind(err), "detector %d: %v", i, unwrapMsg(err))
		}
		c.norms[i] = n
	}
	switch cfg.Method {
	case WeightedSum, Average:
		w, err := checkWeights(cfg.Weights, m)
		if err != nil {
			return nil, err
		}
		c.weights = w
	default:
		if cfg.Weights != nil {
			return nil, check.Errorf(pkg, ErrConfig, "weights apply to weighted-sum and average, not %v", cfg.Method)
		}
	}
	if cfg.Method == AOM || cfg.Method == MOA {
		b := cfg.Buckets
		if b == 0 {
			b = defaultBuckets(m)
		}
		if b < 1 || b > m || m%b != 0 {
			return nil, check.Errorf(pkg, ErrConfig, "%d buckets do not divide %d detectors evenly", b, m)
		}
		perm := rng.New(cfg.Seed, 0).Perm(m)
		size := m / b
		for g := range b {
			c.groups = append(c.groups, perm[g*size:(g+1)*size])
		}
	} else if cfg.Buckets != 0 {
		return nil, check.Errorf(pkg, ErrConfig, "buckets apply to aom and moa, not %v", cfg.Method)
	}
	return c, nil
}

func errKind(err error) error {
	if e, ok := err.(*check.Error); ok {
		return e.Kind
	}
	return ErrConfig
}

func unwrapMsg(err error) string {
	if e, ok := err.(*check.Error); ok {
		return e.Msg
	}
	return err.Error()
}

func checkWeights(w []float64, m int) ([]float64, error) {
	if w == nil {
		out := make([]float64, m)
		for i := range out {
			out[i] = 1 / float64(m)
		}
		return out, nil
	}
	if len(w) != m {
		return nil, check.Errorf(pkg, ErrDimension, "%d weights for %d detectors", len(w), m)
	}
	var sum float64
	for i, v := range w {
		if !isFinite(v) || v < 0 {
			return nil, check.Errorf(pkg, ErrConfig, "weight %d is %v, want a finite value ≥ 0", i, v)
		}
		sum += v
	}
	if sum == 0 {
		return nil, check.Errorf(pkg, ErrConfig, "all weights are zero")
	}
	if math.IsInf(sum, 0) {
		return nil, check.Errorf(pkg, ErrConfig, "weights sum beyond float64; scale them down (only their ratios matter for average)")
	}
	return append([]float64(nil), w...), nil
}

func defaultBuckets(m int) int {
	for b := 5; b >= 2; b-- {
		if m%b == 0 {
			return b
		}
	}
	return m
}

// CombineScores is the one-call form for score vectors of the same samples:
// it fits the combiner with each detector's own vector as its reference and
// returns the combined score of every sample. CombineScores(CombinerConfig{},
// knnScores, lofScores) is the equal-weight sum of z-scores.
func CombineScores(cfg CombinerConfig, scores ...[]float64) ([]float64, error) {
	c, err := FitCombiner(cfg, scores...)
	if err != nil {
		return nil, err
	}
	return c.CombineBatch(scores...)
}

// Detectors returns the number of detectors the combiner merges.
func (c *Combiner) Detectors() int { return len(c.norms) }

// Method returns the combination rule.
func (c *Combiner) Method() CombineMethod { return c.method }

// Normalizer returns detector i's normaliser.
func (c *Combiner) Normalizer(i int) *Normalizer { return c.norms[i] }

// Weights returns a copy of the weights (nil for Maximum, AOM and MOA).
func (c *Combiner) Weights() []float64 { return append([]float64(nil), c.weights...) }

// Groups returns a copy of the AOM/MOA groups of detector indices (nil for
// the other methods).
func (c *Combiner) Groups() [][]int {
	var g [][]int
	for _, x := range c.groups {
		g = append(g, append([]int(nil), x...))
	}
	return g
}

// Combine merges one raw score per detector, in the order of FitCombiner's
// references.
func (c *Combiner) Combine(raw []float64) (float64, error) {
	if len(c.norms) == 0 {
		return math.NaN(), notFitted("combiner")
	}
	if len(raw) != len(c.norms) {
		return math.NaN(), check.Errorf(pkg, ErrDimension, "%d scores for %d detectors", len(raw), len(c.norms))
	}
	if err := finite(raw); err != nil {
		return math.NaN(), err
	}
	var buf [16]float64
	var z []float64
	if len(raw) <= len(buf) {
		z = buf[:len(raw)]
	} else {
		z = make([]float64, len(raw))
	}
	v := c.merge(raw, z)
	if !isFinite(v) {
		return math.NaN(), errOverflow(v)
	}
	return v, nil
}

// errOverflow reports a combined score that left float64's range, which
// finite normalised scores can only do under huge weights.
func errOverflow(v float64) error {
	return check.Errorf(pkg, ErrNonFinite, "combined score is %v: normalised scores times weights overflow float64", v)
}

// merge normalises raw into z and applies the rule.
func (c *Combiner) merge(raw, z []float64) float64 {
	for i, s := range raw {
		z[i] = c.norms[i].Normalize(s)
	}
	switch c.method {
	case WeightedSum:
		var sum float64
		for i, v := range z {
			sum += c.weights[i] * v
		}
		return sum
	case Average:
		// Only the weights' ratios matter: scale them by a power of two
		// that brings Σw into [0.5, 1), which is exact, so that products
		// with subnormal weights do not underflow to 0 and huge ones do not
		// overflow, and normal weights give the same bits as unscaled.
		var wsum float64
		for _, w := range c.weights {
			wsum += w
		}
		_, e := math.Frexp(wsum)
		var sum, ws float64
		for i, v := range z {
			w := math.Ldexp(c.weights[i], -e)
			sum += w * v
			ws += w
		}
		if v := sum / ws; isFinite(v) {
			return v
		}
		// Σ wᵢ·zᵢ overflowed on scores near ±MaxFloat64: weigh by wᵢ/Σw.
		sum = 0
		for i, v := range z {
			sum += math.Ldexp(c.weights[i], -e) / ws * v
		}
		return sum
	case Maximum:
		best := z[0]
		for _, v := range z[1:] {
			best = math.Max(best, v)
		}
		return best
	case AOM:
		var sum float64
		for _, g := range c.groups {
			best := z[g[0]]
			for _, i := range g[1:] {
				best = math.Max(best, z[i])
			}
			sum += best
		}
		return sum / float64(len(c.groups))
	default: // MOA
		best := math.Inf(-1)
		for _, g := range c.groups {
			var sum float64
			for _, i := range g {
				sum += z[i]
			}
			best = math.Max(best, sum/float64(len(g)))
		}
		return best
	}
}

// CombineBatch merges score vectors: raw[i] holds detector i's scores of the
// same n samples, and the result holds the n combined scores.
func (c *Combiner) CombineBatch(raw ...[]float64) ([]float64, error) {
	if len(c.norms) == 0 {
		return nil, notFitted("combiner")
	}
	if len(raw) != len(c.norms) {
		return nil, check.Errorf(pkg, ErrDimension, "%d score vectors for %d detectors", len(raw), len(c.norms))
	}
	n := len(raw[0])
	for i, r := range raw {
		if len(r) != n {
			return nil, check.Errorf(pkg, ErrDimension, "detector %d has %d scores, detector 0 has %d", i, len(r), n)
		}
		for j, v := range r {
			if !isFinite(v) {
				return nil, check.Errorf(pkg, ErrNonFinite, "detector %d score %d is %v", i, j, v)
			}
		}
	}
	out := make([]float64, n)
	row := make([]float64, len(raw))
	z := make([]float64, len(raw))
	for j := range out {
		for i := range raw {
			row[i] = raw[i][j]
		}
		out[j] = c.merge(row, z)
		if !isFinite(out[j]) {
			return nil, errOverflow(out[j])
		}
	}
	return out, nil
}

const combMagic, combVersion = "SCMB", 1

// MarshalBinary encodes the combiner (its normalisers, weights and groups).
func (c *Combiner) MarshalBinary() ([]byte, error) {
	if len(c.norms) == 0 {
		return nil, notFitted("combiner")
	}
	e := codec.NewEncoder(combMagic, combVersion)
	e.Int(int(c.method))
	e.Int(len(c.norms))
	for _, n := range c.norms {
		n.encode(e)
	}
	e.Float64s(c.weights)
	e.Int(len(c.groups))
	for _, g := range c.groups {
		v := make([]int32, len(g))
		for i, x := range g {
			v[i] = int32(x)
		}
		e.Int32s(v)
	}
	return e.Bytes(), nil
}

// UnmarshalBinary decodes a combiner written by MarshalBinary. Corrupt or
// truncated input returns an error matching ErrCorrupt.
func (c *Combiner) UnmarshalBinary(data []byte) error {
	d, _, err := codec.NewDecoder(pkg, combMagic, combVersion, data)
	if err != nil {
		return err
	}
	var x Combiner
	x.method = CombineMethod(d.IntIn("combine method", 0, len(combineNames)-1))
	// Each normaliser takes at least 32 bytes, which bounds m by the input.
	m := d.IntIn("detector count", 1, len(data)/32)
	for range m {
		n := new(Normalizer)
		n.decode(d)
		x.norms = append(x.norms, n)
	}
	if x.weights = d.Float64s(); len(x.weights) == 0 {
		x.weights = nil
	}
	ng := d.IntIn("group count", 0, m)
	seen := make([]bool, m)
	for g := range ng {
		v := d.Int32s()
		if v == nil {
			break // truncated: the decoder has recorded it
		}
		if len(v)*ng != m {
			d.Fail("group %d has %d detectors, want %d", g, len(v), m/max(ng, 1))
			break
		}
		grp := make([]int, len(v))
		for i, idx := range v {
			if idx < 0 || int(idx) >= m || seen[idx] {
				d.Fail("group %d has bad or repeated detector index %d", g, idx)
				break
			}
			seen[idx] = true
			grp[i] = int(idx)
		}
		x.groups = append(x.groups, grp)
	}
	if err := d.Err(); err != nil {
		return err
	}
	switch x.method {
	case WeightedSum, Average:
		if _, err := checkWeights(x.weights, m); err != nil || x.weights == nil || ng != 0 {
			return check.Errorf(pkg, ErrCorrupt, "combiner has bad weights or groups")
		}
	case Maximum:
		if x.weights != nil || ng != 0 {
			return check.Errorf(pkg, ErrCorrupt, "maximum combiner carries weights or groups")
		}
	default:
		if x.weights != nil || ng == 0 {
			return check.Errorf(pkg, ErrCorrupt, "%v combiner has weights or no groups", x.method)
		}
	}
	*c = x
	return nil
}

// Ensemble binds a Combiner to the detectors whose scores it merges, so that
// it scores samples and is itself a Scorer. It is safe for concurrent use
// when its detectors are. A zero Ensemble returns ErrNotFitted, and NaN for
// a score, as every method does on error.
type Ensemble struct {
	c *Combiner
	d []Scorer
}

// NewEnsemble binds c to detectors, given in the order of the references c
// was fitted on.
func NewEnsemble(c *Combiner, detectors ...Scorer) (*Ensemble, error) {
	if c == nil {
		return nil, check.Errorf(pkg, ErrConfig, "nil combiner")
	}
	if len(c.norms) == 0 {
		return nil, notFitted("combiner")
	}
	if len(detectors) != c.Detectors() {
		return nil, check.Errorf(pkg, ErrDimension, "%d detectors for a combiner of %d", len(detectors), c.Detectors())
	}
	for i, d := range detectors {
		if d == nil {
			return nil, check.Errorf(pkg, ErrConfig, "detector %d is nil", i)
		}
	}
	return &Ensemble{c: c, d: append([]Scorer(nil), detectors...)}, nil
}

// Combiner returns the ensemble's combiner.
func (e *Ensemble) Combiner() *Combiner { return e.c }

// Score returns the combined score of x. A detector's error is returned as
// it is, so that it names the detector's package.
func (e *Ensemble) Score(x []float64) (float64, error) {
	s, _, err := e.Explain(x)
	return s, err
}

// Explain returns the combined score of x and each detector's normalised
// score, which is what an analyst reads to see which detector fired.
func (e *Ensemble) Explain(x []float64) (combined float64, normalised []float64, err error) {
	if e.c == nil {
		return math.NaN(), nil, notFitted("ensemble")
	}
	raw := make([]float64, len(e.d))
	for i, d := range e.d {
		s, err := d.Score(x)
		if err != nil {
			return math.NaN(), nil, err
		}
		if !isFinite(s) {
			return math.NaN(), nil, check.Errorf(pkg, ErrNonFinite, "detector %d returned %v", i, s)
		}
		raw[i] = s
	}
	z := make([]float64, len(raw))
	v := e.c.merge(raw, z)
	if !isFinite(v) {
		return math.NaN(), nil, errOverflow(v)
	}
	return v, z, nil
}

// ScoreBatch returns the combined scores of the rows of X; each equals Score
// of that row.
func (e *Ensemble) ScoreBatch(X mat.Matrix) ([]float64, error) {
	return e.ScoreBatchContext(context.Background(), X)
}

// ScoreBatchContext is ScoreBatch that stops once ctx is cancelled and then
// returns its error. Detectors that implement BatchScorer score the batch
// in their own (parallel) loops; others are called row by row.
func (e *Ensemble) ScoreBatchContext(ctx context.Context, X mat.Matrix) ([]float64, error) {
	if e.c == nil {
		return nil, notFitted("ensemble")
	}
	if X == nil {
		return nil, errorf(ErrEmpty, "nil matrix")
	}
	n, d := X.Dims()
	raw := make([][]float64, len(e.d))
	for i, det := range e.d {
		if b, ok := det.(BatchScorer); ok {
			s, err := b.ScoreBatchContext(ctx, X)
			if err != nil {
				return nil, err
			}
			if len(s) != n {
				return nil, errorf(ErrDimension, "detector %d returned %d scores for %d rows", i, len(s), n)
			}
			raw[i] = s
			continue
		}
		s := make([]float64, n)
		row := make([]float64, d)
		for r := range n {
			if r%256 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			mat.Row(row, r, X)
			v, err := det.Score(row)
			if err != nil {
				return nil, err
			}
			s[r] = v
		}
		raw[i] = s
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, s := range raw {
		for r, v := range s {
			if !isFinite(v) {
				return nil, check.ErrorAt(pkg, ErrNonFinite, r, -1, "detector %d returned %v for row %d", i, v, r)
			}
		}
	}
	return e.c.CombineBatch(raw...)
}
