package score

import (
	"math"
	"slices"
	"sort"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
)

// Norm names a way of putting a detector's scores on a common scale. Every
// normaliser is fitted on reference scores (normally the detector's scores of
// its own, mostly normal, training data) and maps new scores with the
// reference's parameters, so a new score is read as "how unusual compared
// with the reference".
type Norm int

const (
	// ZScore maps s to (s − mean)/std of the reference, with the population
	// standard deviation (ddof 0), as scikit-learn's StandardScaler and PyOD's
	// standardizer do. A constant reference has std 0 and then scale 1, as in
	// StandardScaler. It is the zero value and the default.
	ZScore Norm = iota
	// RobustZScore maps s to (s − median)/(1.4826·MAD), the median absolute
	// deviation scaled to estimate the standard deviation of normal data
	// (scipy.stats.median_abs_deviation with scale="normal"). Anomalies in
	// the reference barely move it. When the MAD is 0 (more than half the
	// reference equal), the mean absolute deviation from the median times
	// sqrt(π/2) is used instead, and 1 when that is 0 too.
	RobustZScore
	// MinMax maps s to (s − min)/(max − min) of the reference: reference
	// scores fall in [0, 1], new scores may fall outside (they are not
	// clipped, so that a score far beyond the reference stays visibly far).
	// A constant reference gives scale 1.
	MinMax
	// Rank maps s to the empirical CDF of the reference, the fraction of
	// reference scores ≤ s, in [0, 1] (scipy.stats.percentileofscore with
	// kind="weak", divided by 100). It keeps the sorted reference, so its
	// memory and encoded size grow with the reference.
	Rank
	// Unify is the Gaussian scaling of Kriegel, Kröger, Schubert and Zimek
	// (2011), "Interpreting and unifying outlier scores", as in PyOD's
	// predict_proba(method="unify"): max(0, erf(z/√2)) where z is the
	// z-score. It reads as a probability-like value in [0, 1): a score at
	// the reference mean or below is 0, z = 1.036 gives 0.7 and z = 1.645
	// (the 95th percentile of a normal distribution) gives 0.9.
	Unify
)

var normNames = [...]string{"zscore", "robust-zscore", "minmax", "rank", "unify"}

// String returns the normaliser's name.
func (n Norm) String() string {
	if n < 0 || int(n) >= len(normNames) {
		return "Norm(?)"
	}
	return normNames[n]
}

func (n Norm) valid() bool { return n >= 0 && int(n) < len(normNames) }

// madToSigma is 1/Φ⁻¹(3/4): it makes the MAD of normal data estimate σ.
const madToSigma = 1.482602218505602

// Normalizer maps raw scores onto a common scale with parameters fitted on
// reference scores. It is immutable after FitNormalizer and safe for
// concurrent use.
//
// A zero Normalizer is not fitted: Normalize returns NaN, and Transform and
// MarshalBinary return ErrNotFitted.
type Normalizer struct {
	kind       Norm
	loc, scale float64
	sorted     []float64 // Rank only
}

// FitNormalizer fits a normaliser of the given kind on reference scores,
// which must be non-empty and finite.
func FitNormalizer(kind Norm, ref []float64) (*Normalizer, error) {
	if !kind.valid() {
		return nil, check.Errorf(pkg, ErrConfig, "unknown normaliser %d", int(kind))
	}
	if len(ref) == 0 {
		return nil, check.Errorf(pkg, ErrEmpty, "no reference scores to fit a %v normaliser", kind)
	}
	if err := finite(ref); err != nil {
		return nil, err
	}
	n := &Normalizer{kind: kind}
	switch kind {
	case ZScore, Unify:
		n.loc, n.scale = meanStd(ref)
	case RobustZScore:
		s := slices.Clone(ref)
		slices.Sort(s)
		med := quantileSorted(s, 0.5)
		dev := make([]float64, len(s))
		var sum float64
		for i, v := range s {
			dev[i] = math.Abs(v - med)
			sum += dev[i]
		}
		slices.Sort(dev)
		n.loc, n.scale = med, madToSigma*quantileSorted(dev, 0.5)
		if n.scale == 0 {
			n.scale = math.Sqrt(math.Pi/2) * sum / float64(len(dev))
		}
		if math.IsInf(n.scale, 0) || math.IsNaN(n.scale) {
			return nil, check.Errorf(pkg, ErrNonFinite, "reference scores spread beyond float64 (deviation from the median overflows)")
		}
	case MinMax:
		lo, hi := slices.Min(ref), slices.Max(ref)
		n.loc, n.scale = lo, hi-lo
		if math.IsInf(n.scale, 0) {
			return nil, check.Errorf(pkg, ErrNonFinite, "reference scores range from %g to %g, a span beyond float64", lo, hi)
		}
	case Rank:
		n.sorted = slices.Clone(ref)
		slices.Sort(n.sorted)
		n.scale = 1
	}
	if n.scale == 0 {
		n.scale = 1
	}
	return n, nil
}

// meanStd returns the mean and population standard deviation of x, in two
// passes for accuracy. Where the plain sums would overflow (values near
// ±1.8e308) it works on x divided by its largest magnitude, so that finite
// input always gives a finite mean and deviation (both are bounded by that
// magnitude).
func meanStd(x []float64) (mean, std float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		d := v - mean
		ss += d * d
	}
	std = math.Sqrt(ss / float64(len(x)))
	if isFinite(mean) && isFinite(std) {
		return mean, std
	}
	var big float64
	for _, v := range x {
		big = math.Max(big, math.Abs(v))
	}
	mean, ss = 0, 0
	for _, v := range x {
		mean += v / big
	}
	mean /= float64(len(x))
	for _, v := range x {
		d := v/big - mean
		ss += d * d
	}
	return mean * big, math.Sqrt(ss/float64(len(x))) * big
}

// Kind returns the kind of normaliser.
func (n *Normalizer) Kind() Norm { return n.kind }

// Params returns the location and scale the normaliser applies: mean and
// std for ZScore and Unify, median and scaled MAD for RobustZScore, min and
// range for MinMax; 0 and 1 for Rank.
func (n *Normalizer) Params() (loc, scale float64) { return n.loc, n.scale }

// Normalize maps one score. It does not check its input: NaN maps to NaN.
// A finite score maps to a finite value: a z-score or min-max value beyond
// float64's range (a score near 1e308 against a reference of spread 1e-10)
// saturates at ±math.MaxFloat64.
func (n *Normalizer) Normalize(s float64) float64 {
	if n.scale == 0 {
		return math.NaN() // not fitted
	}
	switch n.kind {
	case Rank:
		if math.IsNaN(s) {
			return s
		}
		// Number of reference scores ≤ s.
		k := sort.Search(len(n.sorted), func(i int) bool { return n.sorted[i] > s })
		return float64(k) / float64(len(n.sorted))
	case Unify:
		// Divide by √2 after the scale: scale·√2 overflows for a
		// reference spread near 1e308, and s/Inf would read as typical.
		return math.Max(0, math.Erf(n.zscore(s)/math.Sqrt2))
	default:
		return n.zscore(s)
	}
}

// zscore is (s − loc)/scale, saturated at ±math.MaxFloat64 where s − loc or
// the division overflows.
func (n *Normalizer) zscore(s float64) float64 {
	z := (s - n.loc) / n.scale
	if math.IsInf(z, 0) {
		z = math.Copysign(math.MaxFloat64, z)
	}
	return z
}

// Transform maps every score of scores into a new slice. Scores must be
// finite.
func (n *Normalizer) Transform(scores []float64) ([]float64, error) {
	if n.scale == 0 {
		return nil, notFitted("normaliser")
	}
	if err := finite(scores); err != nil {
		return nil, err
	}
	out := make([]float64, len(scores))
	for i, s := range scores {
		out[i] = n.Normalize(s)
	}
	return out, nil
}

const normMagic, normVersion = "SNRM", 1

// MarshalBinary encodes the normaliser in Vigil's versioned binary format.
func (n *Normalizer) MarshalBinary() ([]byte, error) {
	if n.scale == 0 {
		return nil, notFitted("normaliser")
	}
	e := codec.NewEncoder(normMagic, normVersion)
	n.encode(e)
	return e.Bytes(), nil
}

func (n *Normalizer) encode(e *codec.Encoder) {
	e.Int(int(n.kind))
	e.Float64(n.loc)
	e.Float64(n.scale)
	e.Float64s(n.sorted)
}

// UnmarshalBinary decodes a normaliser written by MarshalBinary. Corrupt or
// truncated input returns an error matching ErrCorrupt.
func (n *Normalizer) UnmarshalBinary(data []byte) error {
	d, _, err := codec.NewDecoder(pkg, normMagic, normVersion, data)
	if err != nil {
		return err
	}
	var m Normalizer
	m.decode(d)
	if err := d.Err(); err != nil {
		return err
	}
	*n = m
	return nil
}

func (n *Normalizer) decode(d *codec.Decoder) {
	n.kind = Norm(d.IntIn("normaliser kind", 0, len(normNames)-1))
	n.loc = d.Float64()
	n.scale = d.Float64()
	if n.sorted = d.Float64s(); len(n.sorted) == 0 {
		n.sorted = nil
	}
	if !isFinite(n.loc) || !(n.scale > 0) || math.IsInf(n.scale, 0) {
		d.Fail("normaliser has location %v and scale %v", n.loc, n.scale)
	}
	if n.kind == Rank {
		if len(n.sorted) == 0 || !slices.IsSorted(n.sorted) || finite(n.sorted) != nil {
			d.Fail("rank normaliser reference is empty, unsorted or not finite")
		}
	} else if len(n.sorted) != 0 {
		d.Fail("%v normaliser carries %d reference scores", n.kind, len(n.sorted))
	}
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
