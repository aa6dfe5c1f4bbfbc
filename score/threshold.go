package score

import (
	"math"
	"slices"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
)

// Severity is the one scale on which Vigil grades a score against its
// threshold: Normal below it, then Caution, Warning and Critical. A
// Threshold, a Stream and everything built on them grade on it, and alerting
// rules (Sustain's minimum, a pipeline's labels) are stated in it.
//
// The tiers are positions on the way from the reference's typical score
// (its median) to the threshold and beyond: a score's ratio is
//
//	r = (s − typical) / (threshold − typical)
//
// so r = 0 is an ordinary score, r = 1 the threshold, and the default tiers
// start at r = 1 (Caution), 1.2 (Warning) and 1.5 (Critical). Measured from
// the typical score rather than from 0, "120 %" is the same distance past
// the bar whatever the detector's units: a fifth of the gap between normal
// and the threshold again. See the package documentation for a worked
// example per detector.
type Severity int

const (
	// Normal is below the threshold (below the Caution tier).
	Normal Severity = iota
	// Caution is from 100 % to 120 % of the way to the threshold by default.
	Caution
	// Warning is from 120 % to 150 % by default.
	Warning
	// Critical is 150 % and above by default.
	Critical
)

var severityNames = [...]string{"normal", "caution", "warning", "critical"}

// String returns the tier's name in lower case.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "Severity(?)"
	}
	return severityNames[s]
}

// Tiers are the severity bounds as ratios r (see Severity). Each zero field
// takes its default; after defaults they must satisfy 0 < Caution < Warning
// < Critical.
type Tiers struct {
	Caution  float64 // default 1.0: the threshold itself
	Warning  float64 // default 1.2
	Critical float64 // default 1.5
}

func (t Tiers) withDefaults() (Tiers, error) {
	if t.Caution == 0 {
		t.Caution = 1
	}
	if t.Warning == 0 {
		t.Warning = 1.2
	}
	if t.Critical == 0 {
		t.Critical = 1.5
	}
	if !(isFinite(t.Caution) && isFinite(t.Critical) && 0 < t.Caution && t.Caution < t.Warning && t.Warning < t.Critical) {
		return t, check.Errorf(pkg, ErrConfig, "tiers %v, %v, %v must satisfy 0 < caution < warning < critical", t.Caution, t.Warning, t.Critical)
	}
	return t, nil
}

// ThresholdConfig configures a Threshold. The zero value is the specified
// case: the 95th percentile of the reference, severity measured from the
// reference's median, tiers at 100 %, 120 % and 150 %.
type ThresholdConfig struct {
	// Quantile of the reference scores at which the threshold is set, in
	// (0, 1); default 0.95.
	Quantile float64
	// Contamination is the expected fraction of anomalies, in (0, 0.5]
	// (PyOD's contamination). When set, the threshold is at the 1 −
	// Contamination quantile; setting both it and Quantile is an error.
	Contamination float64
	// Origin is the typical score, 0 % of the severity scale. Zero means:
	// for FitThreshold, the reference's median (or, if at least half the
	// reference ties at the threshold, its minimum); for NewThreshold, 0.
	// A non-zero Origin is used as given and must lie below the threshold.
	// (To measure from exactly 0 on fitted scores, pass the fitted value to
	// NewThreshold.)
	Origin float64
	// Tiers are the severity bounds; zero fields take their defaults.
	Tiers Tiers
}

func (c ThresholdConfig) quantile() (float64, error) {
	switch {
	case c.Quantile != 0 && c.Contamination != 0:
		return 0, check.Errorf(pkg, ErrConfig, "set quantile or contamination, not both")
	case c.Contamination != 0:
		if !(c.Contamination > 0 && c.Contamination <= 0.5) {
			return 0, check.Errorf(pkg, ErrConfig, "contamination %v outside (0, 0.5]", c.Contamination)
		}
		return 1 - c.Contamination, nil
	case c.Quantile == 0:
		return 0.95, nil
	case !(c.Quantile > 0 && c.Quantile < 1):
		return 0, check.Errorf(pkg, ErrConfig, "quantile %v outside (0, 1)", c.Quantile)
	}
	return c.Quantile, nil
}

// Threshold flags scores at or above a value fitted on reference scores and
// grades them on the severity scale (see Severity). It is immutable and safe
// for concurrent use. A zero Threshold is not fitted: it flags nothing
// (Exceeds is false, Severity is Normal, Value and Ratio are NaN) and
// MarshalBinary returns ErrNotFitted.
//
// The tier bounds are stored as scores, typical + r·(threshold − typical),
// computed once, and a score equal to a bound belongs to the higher tier, so
// a score at exactly 100 %, 120 % or 150 % is Caution, Warning or Critical.
// When the reference leaves no room between its typical score and the
// threshold (more than half of it equal to its minimum and the threshold),
// there is no scale: every flagged score is Caution and Ratio is NaN.
type Threshold struct {
	value, q, origin float64
	tiers            Tiers
	bounds           [3]float64
}

// FitThreshold sets a threshold at the configured quantile of reference
// scores (numpy.quantile's linear interpolation), with the severity scale
// measured from their median unless cfg.Origin is set. On continuous scores
// it flags a fraction 1 − q of the reference.
func FitThreshold(ref []float64, cfg ThresholdConfig) (*Threshold, error) {
	q, err := cfg.quantile()
	if err != nil {
		return nil, err
	}
	if len(ref) == 0 {
		return nil, check.Errorf(pkg, ErrEmpty, "no reference scores to fit a threshold")
	}
	if err := finite(ref); err != nil {
		return nil, err
	}
	s := slices.Clone(ref)
	slices.Sort(s)
	value := quantileSorted(s, q)
	if cfg.Origin == 0 {
		cfg.Origin = typical(s, value)
		return newThreshold(value, q, cfg, true)
	}
	return newThreshold(value, q, cfg, false)
}

// typical returns the origin of the scale for sorted reference scores and
// their threshold: the median, else the minimum if the median is not below
// the threshold (then the threshold itself if that is not below either,
// which leaves no scale).
func typical(sorted []float64, threshold float64) float64 {
	if med := quantileSorted(sorted, 0.5); med < threshold {
		return med
	}
	return min(sorted[0], threshold)
}

// NewThreshold makes a threshold at a given value, for instance one chosen
// by an analyst. Its Quantile is reported as NaN, and its scale starts at
// cfg.Origin (0 by default): give the typical score of the data there.
func NewThreshold(value float64, cfg ThresholdConfig) (*Threshold, error) {
	if cfg.Quantile != 0 || cfg.Contamination != 0 {
		return nil, check.Errorf(pkg, ErrConfig, "a threshold at a given value takes no quantile or contamination")
	}
	if !isFinite(value) {
		return nil, check.Errorf(pkg, ErrNonFinite, "threshold is %v", value)
	}
	return newThreshold(value, math.NaN(), cfg, false)
}

// newThreshold checks and builds; flatOK allows an origin equal to the
// value (a reference without a scale), which only a fitted origin can be.
func newThreshold(value, q float64, cfg ThresholdConfig, flatOK bool) (*Threshold, error) {
	tiers, err := cfg.Tiers.withDefaults()
	if err != nil {
		return nil, err
	}
	if !isFinite(cfg.Origin) {
		return nil, check.Errorf(pkg, ErrNonFinite, "origin is %v", cfg.Origin)
	}
	if !(value > cfg.Origin) && !(flatOK && value == cfg.Origin) {
		return nil, check.Errorf(pkg, ErrConfig, "threshold %v is not above the origin %v, so severity ratios are meaningless; set ThresholdConfig.Origin below the threshold", value, cfg.Origin)
	}
	t := &Threshold{value: value, q: q, origin: cfg.Origin, tiers: tiers}
	t.bounds = tierBounds(value, cfg.Origin, tiers)
	return t, nil
}

// tierBounds turns tier ratios into scores. Without a scale (value not
// above origin) every flagged score is Caution. A bound that overflows is
// +Inf: no finite score reaches that tier.
func tierBounds(value, origin float64, t Tiers) [3]float64 {
	if !(value > origin) {
		return [3]float64{value, math.Inf(1), math.Inf(1)}
	}
	span := value - origin
	b := [3]float64{origin + t.Caution*span, origin + t.Warning*span, origin + t.Critical*span}
	if t.Caution == 1 {
		b[0] = value // exact, whatever the rounding of origin + span
	}
	if math.IsInf(span, 1) {
		// value − origin overflowed: interpolate without forming it.
		for i, r := range []float64{t.Caution, t.Warning, t.Critical} {
			b[i] = value + (r-1)*(value/2-origin/2)*2
		}
	}
	return b
}

// severityOf grades s against precomputed bounds; NaN is Normal.
func severityOf(s float64, b [3]float64) Severity {
	switch {
	case s >= b[2]:
		return Critical
	case s >= b[1]:
		return Warning
	case s >= b[0]:
		return Caution
	}
	return Normal
}

// fitted reports whether t was made by FitThreshold, NewThreshold or
// UnmarshalBinary: their tiers are never zero.
func (t *Threshold) fitted() bool { return t.tiers.Caution != 0 }

// Value returns the threshold (NaN for a zero Threshold).
func (t *Threshold) Value() float64 {
	if !t.fitted() {
		return math.NaN()
	}
	return t.value
}

// Quantile returns the quantile level the threshold was fitted at (NaN for
// NewThreshold).
func (t *Threshold) Quantile() float64 { return t.q }

// Origin returns the typical score, 0 % of the severity scale (NaN for a
// zero Threshold).
func (t *Threshold) Origin() float64 {
	if !t.fitted() {
		return math.NaN()
	}
	return t.origin
}

// Exceeds reports whether s is at or above the threshold. NaN never
// exceeds.
func (t *Threshold) Exceeds(s float64) bool { return t.fitted() && s >= t.value }

// Ratio returns s's position on the severity scale, (s − Origin)/(threshold
// − Origin): 0 at the typical score, 1 at the threshold. It is NaN for a
// zero Threshold and for one without a scale.
func (t *Threshold) Ratio(s float64) float64 {
	if !t.fitted() || !(t.value > t.origin) {
		return math.NaN()
	}
	r := (s - t.origin) / (t.value - t.origin)
	if math.IsInf(r, 0) || math.IsNaN(r) {
		r = (s/2 - t.origin/2) / (t.value/2 - t.origin/2)
	}
	return r
}

// Severity returns the tier of s. NaN is Normal.
func (t *Threshold) Severity(s float64) Severity {
	if !t.fitted() {
		return Normal
	}
	return severityOf(s, t.bounds)
}

// Bounds returns the scores at which Caution, Warning and Critical begin.
func (t *Threshold) Bounds() (caution, warning, critical float64) {
	return t.bounds[0], t.bounds[1], t.bounds[2]
}

const thrMagic, thrVersion = "STHR", 1

// MarshalBinary encodes the threshold.
func (t *Threshold) MarshalBinary() ([]byte, error) {
	if !t.fitted() {
		return nil, notFitted("threshold")
	}
	e := codec.NewEncoder(thrMagic, thrVersion)
	e.Float64(t.value)
	e.Float64(t.q)
	e.Float64(t.origin)
	e.Float64(t.tiers.Caution)
	e.Float64(t.tiers.Warning)
	e.Float64(t.tiers.Critical)
	return e.Bytes(), nil
}

// UnmarshalBinary decodes a threshold written by MarshalBinary. Corrupt or
// truncated input returns an error matching ErrCorrupt.
func (t *Threshold) UnmarshalBinary(data []byte) error {
	d, _, err := codec.NewDecoder(pkg, thrMagic, thrVersion, data)
	if err != nil {
		return err
	}
	value, q, origin := d.Float64(), d.Float64(), d.Float64()
	tiers := Tiers{d.Float64(), d.Float64(), d.Float64()}
	if err := d.Err(); err != nil {
		return err
	}
	if !math.IsNaN(q) && !(q > 0 && q < 1) {
		return check.Errorf(pkg, ErrCorrupt, "threshold quantile %v", q)
	}
	x, err := newThreshold(value, q, ThresholdConfig{Origin: origin, Tiers: tiers}, !math.IsNaN(q))
	if err != nil || x.tiers != tiers {
		return check.Errorf(pkg, ErrCorrupt, "threshold data is inconsistent")
	}
	*t = *x
	return nil
}
