package pipeline

import (
	"context"
	"errors"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/parallel"
	"github.com/vigil-ml/vigil/score"
)

const pkg = "pipeline"

// Errors returned by this package; errors.Is matches them across Vigil.
var (
	ErrEmpty     = check.ErrEmpty
	ErrNonFinite = check.ErrNonFinite
	ErrDimension = check.ErrDimension
	ErrConfig    = check.ErrConfig
	ErrCorrupt   = check.ErrCorrupt
	ErrNotFitted = check.ErrNotFitted
)

// Error is the type of every error this package returns, the same type as
// every Vigil package's: errors.As gives the package, the kind and, for bad
// input, the row and column. A detector's error is passed on as it is, so
// that its Pkg names the detector ("knn").
type Error = check.Error

func errorf(kind error, format string, args ...any) error {
	return check.Errorf(pkg, kind, format, args...)
}

// Detector names one detector of a pipeline and configures it.
type Detector struct {
	// Name labels the detector in results and error messages. Empty means
	// its kind ("knn"), with "#2", "#3", ... appended to repeats. Names
	// must be unique.
	Name string
	// Config selects the detector by its type and configures it: an
	// iforest.Config, knn.Config, lof.Config, ocsvm.Config or
	// autoencoder.Config, as a value or a pointer.
	Config any
}

// Config describes a pipeline. Only Detectors is required; every other zero
// value means the documented default.
type Config struct {
	// Detectors are fitted on the same rows and combined, in this order.
	// The order is part of the fitted pipeline: it is stored, and checked
	// when the pipeline is loaded.
	Detectors []Detector
	// Combine normalises each detector's scores on its reference scores
	// and merges them (score.CombinerConfig). The zero value z-scores each
	// detector and adds them with equal weights 1/m; Weights {α, β} on
	// {knn, lof} gives α·z(KNN) + β·z(LOF).
	Combine score.CombinerConfig
	// Quantile of the reference's combined scores at which the threshold
	// is set, in (0, 1); default 0.95. Exclusive with Contamination.
	Quantile float64
	// Contamination is the expected fraction of anomalies in the training
	// rows, in (0, 0.5], as PyOD's and scikit-learn's contamination: the
	// threshold is then at the 1 − Contamination quantile, so Predict on
	// the training rows labels that fraction of them 1.
	Contamination float64
	// Tiers are the severity bounds as fractions of the distance from the
	// reference's median to the threshold; zero fields mean 100 %, 120 %
	// and 150 %.
	Tiers score.Tiers
	// FeatureNames, if given, name the columns (one per column, unique and
	// not empty). They are stored, label explanations, and are checked by
	// CheckFeatures.
	FeatureNames []string
}

// Pipeline is a fitted pipeline: detectors, their normalisation and
// combination, and the threshold with its severity tiers, fitted together and
// persisted as one blob. It is immutable and safe for concurrent use.
type Pipeline struct {
	d         int
	names     []string // feature names, nil or d long
	parts     []part
	comb      *score.Combiner
	thr       *score.Threshold
	quantile  float64 // NaN when set by Contamination
	contam    float64 // 0 when set by Quantile
	probes    []float64
	probeRaw  []float64 // nProbes × len(parts), row-major
	probeComb []float64
	workers   int // set by WithWorkers; 0 means GOMAXPROCS
	// training holds the combined reference scores of the training rows;
	// only a pipeline returned by Fit has them (they are not persisted).
	training []float64
}

type part struct {
	kind *kind
	name string
	det  detector
	// median is the normalised median of the detector's reference scores:
	// the score of a typical row, from which its explanation share is
	// measured.
	median float64
}

// Result is the verdict on one row.
type Result struct {
	// Score is the combined score, on the scale of the normalised scores
	// (z-scores by default). NaN on error.
	Score float64
	// Ratio is (Score − median)/(threshold − median), with the median of
	// the reference's combined scores: 0 for a typical row, 1 at the
	// threshold, 1.2 at 120 %.
	Ratio float64
	// Severity is the tier of Ratio: Caution from 100 %, Warning from
	// 120 %, Critical from 150 % (by default).
	Severity score.Severity
	// Label is 1 when Score is at or above the threshold, else 0 (PyOD's
	// labels; scikit-learn's predict gives −1 for 1 and 1 for 0).
	Label int
	// Detectors holds each detector's normalised score, in Config order:
	// which detector saw the row as unusual.
	Detectors []float64
	// Explanation holds one non-negative contribution per feature
	// (see Pipeline.Explain), filled for rows labelled 1 when every
	// detector can explain; nil otherwise.
	Explanation []float64
}

// Fit fits every detector of cfg on the rows of X, which should be mostly
// normal, and then fits the combination and the threshold on the detectors'
// reference scores of those rows: each normaliser on its detector's scores,
// the threshold at cfg's quantile of the combined scores and the severity
// scale from their median.
func Fit(ctx context.Context, X mat.Matrix, cfg Config) (*Pipeline, error) {
	if X == nil {
		return nil, errorf(ErrEmpty, "nil matrix")
	}
	n, d := X.Dims()
	if n == 0 || d == 0 {
		return nil, errorf(ErrEmpty, "matrix is %d×%d", n, d)
	}
	if len(cfg.Detectors) == 0 {
		return nil, errorf(ErrConfig, "Config.Detectors is empty: name at least one detector")
	}
	if cfg.Quantile != 0 && cfg.Contamination != 0 {
		return nil, errorf(ErrConfig, "set Quantile or Contamination, not both")
	}
	names, err := checkNames(cfg.FeatureNames, d)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{d: d, names: names, quantile: math.NaN(), contam: cfg.Contamination}
	if cfg.Contamination == 0 {
		p.quantile = cfg.Quantile
		if p.quantile == 0 {
			p.quantile = 0.95
		}
	}
	partNames, err := detectorNames(cfg.Detectors)
	if err != nil {
		return nil, err
	}
	refs := make([][]float64, len(cfg.Detectors))
	for i, dc := range cfg.Detectors {
		k, err := kindOfConfig(dc.Config)
		if err != nil {
			return nil, errorf(ErrConfig, "detector %d (%s): %v", i, partNames[i], unwrapMsg(err))
		}
		det, ref, err := k.fit(ctx, X, dc.Config)
		if err != nil {
			return nil, err
		}
		p.parts = append(p.parts, part{kind: k, name: partNames[i], det: det})
		refs[i] = ref
	}
	if p.comb, err = score.FitCombiner(cfg.Combine, refs...); err != nil {
		return nil, err
	}
	combined, err := p.comb.CombineBatch(refs...)
	if err != nil {
		return nil, err
	}
	for i := range p.parts {
		med, err := score.Quantile(refs[i], 0.5)
		if err != nil {
			return nil, err
		}
		p.parts[i].median = p.comb.Normalizer(i).Normalize(med)
	}
	if p.thr, err = fitThreshold(combined, cfg); err != nil {
		return nil, err
	}
	p.training = combined
	if err := p.bindProbes(X); err != nil {
		return nil, err
	}
	return p, nil
}

// fitThreshold sets the threshold on the reference's combined scores, with
// package score's scale: measured from their median, or from their minimum
// when at least half of them tie at the threshold. A reference whose lowest
// score is already the threshold leaves no scale to grade on and is refused.
func fitThreshold(combined []float64, cfg Config) (*score.Threshold, error) {
	t, err := score.FitThreshold(combined, score.ThresholdConfig{Quantile: cfg.Quantile, Contamination: cfg.Contamination, Tiers: cfg.Tiers})
	if err != nil {
		return nil, err
	}
	if !(t.Origin() < t.Value()) {
		return nil, errorf(ErrConfig, "the training rows' combined scores are all %g up to the threshold, so there is no scale to grade severity on: the training rows are (nearly) all alike", t.Value())
	}
	return t, nil
}

// bindProbes scores three synthetic rows (the columns' quartiles and median)
// with every part and keeps the raw and combined scores, so that a loaded
// pipeline can prove that each part is the model it was fitted with, in its
// place.
func (p *Pipeline) bindProbes(X mat.Matrix) error {
	n, d := X.Dims()
	qs := []float64{0.25, 0.5, 0.75}
	p.probes = make([]float64, len(qs)*d)
	col := make([]float64, n)
	for j := 0; j < d; j++ {
		for i := range col {
			col[i] = X.At(i, j)
		}
		sort.Float64s(col)
		for a, q := range qs {
			v, err := score.Quantile(col, q)
			if err != nil {
				return errorf(ErrNonFinite, "column %d: %v", j, unwrapMsg(err))
			}
			p.probes[a*d+j] = v
		}
	}
	raw, comb, err := p.scoreProbes()
	if err != nil {
		return err
	}
	p.probeRaw, p.probeComb = raw, comb
	return nil
}

func (p *Pipeline) scoreProbes() (raw, comb []float64, err error) {
	m := len(p.parts)
	np := len(p.probes) / p.d
	raw = make([]float64, np*m)
	comb = make([]float64, np)
	for a := 0; a < np; a++ {
		x := p.probes[a*p.d : (a+1)*p.d]
		for i, pt := range p.parts {
			if raw[a*m+i], err = pt.det.Score(x); err != nil {
				return nil, nil, err
			}
		}
		if comb[a], err = p.comb.Combine(raw[a*m : (a+1)*m]); err != nil {
			return nil, nil, err
		}
	}
	return raw, comb, nil
}

func checkNames(names []string, d int) ([]string, error) {
	if names == nil {
		return nil, nil
	}
	if len(names) != d {
		return nil, errorf(ErrDimension, "%d feature names for %d columns", len(names), d)
	}
	seen := make(map[string]bool, d)
	for j, s := range names {
		if s == "" {
			return nil, errorf(ErrConfig, "feature name %d is empty", j)
		}
		if seen[s] {
			return nil, errorf(ErrConfig, "feature name %q is given twice", s)
		}
		seen[s] = true
	}
	return slices.Clone(names), nil
}

func detectorNames(ds []Detector) ([]string, error) {
	out := make([]string, len(ds))
	count := map[string]int{}
	seen := map[string]bool{}
	for i, dc := range ds {
		name := dc.Name
		if name == "" {
			if k, err := kindOfConfig(dc.Config); err == nil {
				name = k.tag
				count[name]++
				if c := count[name]; c > 1 {
					name += "#" + itoa(c)
				}
			} else {
				name = "#" + itoa(i)
			}
		}
		if seen[name] {
			return nil, errorf(ErrConfig, "detector name %q is used twice", name)
		}
		seen[name] = true
		out[i] = name
	}
	return out, nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// unwrapMsg returns an error's message without its package prefix.
func unwrapMsg(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return err.Error()
}

func (p *Pipeline) fitted() error {
	if p == nil || p.comb == nil || p.thr == nil || len(p.parts) == 0 {
		return check.NotFitted(pkg)
	}
	return nil
}

// Score scores one row: the combined score, its ratio and severity on the
// threshold's scale, its label, each detector's normalised score and, for a
// row labelled 1, the explanation. On error Score is NaN.
func (p *Pipeline) Score(x []float64) (Result, error) {
	bad := Result{Score: math.NaN(), Ratio: math.NaN()}
	if err := p.fitted(); err != nil {
		return bad, err
	}
	if err := check.Row(pkg, x, p.d); err != nil {
		return bad, err
	}
	raw := make([]float64, len(p.parts))
	for i, pt := range p.parts {
		s, err := pt.det.Score(x)
		if err != nil {
			return bad, err
		}
		raw[i] = s
	}
	r, err := p.result(raw)
	if err != nil {
		return bad, err
	}
	if r.Label == 1 {
		r.Explanation, _ = p.explainFrom(x, r.Detectors)
	}
	return r, nil
}

// result turns the detectors' raw scores of one row into its Result; raw
// becomes the normalised scores.
func (p *Pipeline) result(raw []float64) (Result, error) {
	c, err := p.comb.Combine(raw)
	if err != nil {
		return Result{Score: math.NaN(), Ratio: math.NaN()}, err
	}
	for i := range raw {
		raw[i] = p.comb.Normalizer(i).Normalize(raw[i])
	}
	r := Result{Score: c, Ratio: p.thr.Ratio(c), Severity: p.thr.Severity(c), Detectors: raw}
	if p.thr.Exceeds(c) {
		r.Label = 1
	}
	return r, nil
}

// ScoreBatch scores the rows of X as Score does. It stops when ctx is
// cancelled and returns ctx's error. Detectors score the whole batch in
// parallel; explanations of the rows labelled 1 are computed in parallel too.
func (p *Pipeline) ScoreBatch(ctx context.Context, X mat.Matrix) ([]Result, error) {
	raw, n, err := p.rawBatch(ctx, X)
	if err != nil {
		return nil, err
	}
	m := len(p.parts)
	out := make([]Result, n)
	var flagged []int
	for r := 0; r < n; r++ {
		// One allocation for the row's Detectors, cut from raw.
		row := make([]float64, m)
		for i := 0; i < m; i++ {
			row[i] = raw[i][r]
		}
		if out[r], err = p.result(row); err != nil {
			return nil, err
		}
		if out[r].Label == 1 {
			flagged = append(flagged, r)
		}
	}
	if len(flagged) == 0 || !p.CanExplain() {
		return out, nil
	}
	x := make([]float64, len(flagged)*p.d)
	for a, r := range flagged {
		for j := 0; j < p.d; j++ {
			x[a*p.d+j] = X.At(r, j)
		}
	}
	err = parallel.For(ctx, len(flagged), 8, p.workers, func(lo, hi int) {
		for a := lo; a < hi; a++ {
			r := flagged[a]
			out[r].Explanation, _ = p.explainFrom(x[a*p.d:(a+1)*p.d], out[r].Detectors)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Predict returns the label of each row of X: 1 when its combined score is
// at or above the threshold, else 0, as PyOD's predict. With
// Config.Contamination c, Predict on the training rows labels a fraction c
// of them 1 (up to ties).
func (p *Pipeline) Predict(ctx context.Context, X mat.Matrix) ([]int, error) {
	raw, n, err := p.rawBatch(ctx, X)
	if err != nil {
		return nil, err
	}
	comb, err := p.comb.CombineBatch(raw...)
	if err != nil {
		return nil, err
	}
	labels := make([]int, n)
	for r, c := range comb {
		if p.thr.Exceeds(c) {
			labels[r] = 1
		}
	}
	return labels, nil
}

// TrainingScores returns the combined reference score of each training row,
// in row order: the scores the threshold was fitted on (leave-one-out for
// knn and lof), PyOD's decision_scores_. Only a pipeline returned by Fit has
// them; a decoded one returns nil, since the artefact does not carry its
// training rows' scores. The slice is the pipeline's own: do not modify it.
func (p *Pipeline) TrainingScores() []float64 {
	if p == nil {
		return nil
	}
	return p.training
}

// TrainingLabels returns 1 for each training row whose reference score is at
// or above the threshold, else 0: PyOD's labels_. With Config.Contamination c
// a fraction c of the rows is labelled 1 (up to ties), also for knn and lof,
// whose reference scores leave each row out of its own neighbourhood, where
// Predict on the training rows would count each row as its own neighbour.
// Nil for a decoded pipeline, as TrainingScores.
func (p *Pipeline) TrainingLabels() []int {
	if p == nil || p.training == nil {
		return nil
	}
	labels := make([]int, len(p.training))
	for i, s := range p.training {
		if p.thr.Exceeds(s) {
			labels[i] = 1
		}
	}
	return labels
}

// rawBatch returns each detector's raw scores of the rows of X.
func (p *Pipeline) rawBatch(ctx context.Context, X mat.Matrix) ([][]float64, int, error) {
	if err := p.fitted(); err != nil {
		return nil, 0, err
	}
	if X == nil {
		return nil, 0, errorf(ErrEmpty, "nil matrix")
	}
	n, c := X.Dims()
	if n == 0 {
		return nil, 0, errorf(ErrEmpty, "matrix has no rows")
	}
	if c != p.d {
		return nil, 0, errorf(ErrDimension, "matrix has %d features, pipeline was fit on %d", c, p.d)
	}
	raw := make([][]float64, len(p.parts))
	for i, pt := range p.parts {
		raw[i] = make([]float64, n)
		if err := scoreTo(ctx, pt.det, raw[i], X); err != nil {
			return nil, 0, err
		}
	}
	return raw, n, nil
}

// WithWorkers returns a copy of the pipeline whose detectors score with n
// workers (0 or less means GOMAXPROCS), for instance on a loaded pipeline
// whose training machine had another number of cores. Results do not depend
// on it.
func (p *Pipeline) WithWorkers(n int) *Pipeline {
	if p == nil {
		return nil
	}
	q := *p
	q.workers = n
	q.parts = slices.Clone(p.parts)
	for i := range q.parts {
		if w := q.parts[i].kind.withWorkers; w != nil {
			q.parts[i].det = w(q.parts[i].det, n)
		}
	}
	return &q
}

// Features returns the number of features the pipeline was fit on.
func (p *Pipeline) Features() int {
	if p == nil {
		return 0
	}
	return p.d
}

// FeatureNames returns a copy of the feature names (nil if none were given).
func (p *Pipeline) FeatureNames() []string {
	if p == nil {
		return nil
	}
	return slices.Clone(p.names)
}

// CheckFeatures reports an error unless names are the pipeline's feature
// names in the same order, so that a service can refuse a data source whose
// columns moved.
func (p *Pipeline) CheckFeatures(names []string) error {
	if err := p.fitted(); err != nil {
		return err
	}
	if p.names == nil {
		return errorf(ErrConfig, "the pipeline was fit without feature names")
	}
	if len(names) != p.d {
		return errorf(ErrDimension, "%d feature names, pipeline was fit on %d", len(names), p.d)
	}
	for j := range names {
		if names[j] != p.names[j] {
			return check.ErrorAt(pkg, ErrDimension, -1, j, "feature %d is %q, pipeline was fit with %q there", j, names[j], p.names[j])
		}
	}
	return nil
}

// Typical returns the median of each feature over the training rows, the
// "typical" value beside which an analyst reads a row's "actual" one.
func (p *Pipeline) Typical() []float64 {
	if p.fitted() != nil {
		return nil
	}
	np := len(p.probes) / p.d
	return slices.Clone(p.probes[(np/2)*p.d : (np/2+1)*p.d])
}

// Detectors returns the detectors' names, in order.
func (p *Pipeline) Detectors() []string {
	if p == nil {
		return nil
	}
	out := make([]string, len(p.parts))
	for i, pt := range p.parts {
		out[i] = pt.name
	}
	return out
}

// Kinds returns the detectors' kinds ("iforest", "knn", "lof", "ocsvm",
// "autoencoder"), in order.
func (p *Pipeline) Kinds() []string {
	if p == nil {
		return nil
	}
	out := make([]string, len(p.parts))
	for i, pt := range p.parts {
		out[i] = pt.kind.tag
	}
	return out
}

// Model returns detector i's fitted model (an *iforest.Model, *knn.Model,
// *lof.Model, *ocsvm.Model or *autoencoder.Model), for reading its own
// figures. It must not be modified. It is nil for an index out of range or
// an unfitted pipeline.
func (p *Pipeline) Model(i int) any {
	if p == nil || i < 0 || i >= len(p.parts) {
		return nil
	}
	return p.parts[i].det
}

// Combiner returns the pipeline's combiner (nil if not fitted).
func (p *Pipeline) Combiner() *score.Combiner {
	if p == nil {
		return nil
	}
	return p.comb
}

// Threshold returns the pipeline's threshold: its value, origin (the
// reference's median combined score) and severity bounds (nil if not
// fitted).
func (p *Pipeline) Threshold() *score.Threshold {
	if p == nil {
		return nil
	}
	return p.thr
}

// Contamination returns Config.Contamination, 0 when the threshold was set
// by a quantile.
func (p *Pipeline) Contamination() float64 {
	if p == nil {
		return 0
	}
	return p.contam
}
