package score

import (
	"math"
	"slices"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
)

// Severity is a tier of caution for a score that reached its threshold.
type Severity int

const (
	// Normal is below the caution bound (by default, below the threshold).
	Normal Severity = iota
	// Caution is from 100 % to 120 % of the threshold by default.
	Caution
	// Warning is from 120 % to 150 % of the threshold by default.
	Warning
	// Critical is 150 % of the threshold and above by default.
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

// Tiers are the severity bounds as ratios of the threshold (see
// Threshold.Ratio). Each zero field takes its default; after defaults they
// must satisfy 0 < Caution < Warning < Critical.
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
// case: the 95th percentile of the reference, origin 0, tiers at 100 %,
// 120 % and 150 %.
type ThresholdConfig struct {
	// Quantile of the reference scores at which the threshold is set, in
	// (0, 1); default 0.95.
	Quantile float64
	// Contamination is the expected fraction of anomalies, in (0, 0.5]
	// (PyOD's contamination). When set, the threshold is at the 1 −
	// Contamination quantile; setting both it and Quantile is an error.
	Contamination float64
	// Origin is the score that counts as 0 % of the threshold: the severity
	// ratio of a score s is (s − Origin)/(threshold − Origin). Default 0,
	// right for scores that are ≥ 0 with 0 meaning "perfectly normal" (KNN
	// distances, reconstruction errors) and for z-scores, whose 0 is the
	// reference mean. For scores that can be negative or sit far from 0
	// (LOF ratios near 1, scikit-learn style negated scores) set it to the
	// reference's typical score, for instance its median. The threshold
	// must lie above Origin, else the ratio is meaningless and fitting fails
	// with ErrConfig.
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
// grades them into severity tiers. It is immutable and safe for concurrent
// use. A zero Threshold is not fitted: it flags nothing (Exceeds is false,
// Severity is Normal, Value and Ratio are NaN) and MarshalBinary returns
// ErrNotFitted.
//
// Severity is read from the ratio (s − Origin)/(threshold − Origin): with the
// default origin 0 a score of 1.2 × the threshold is at 120 %. The tier
// bounds are stored as scores, Origin + ratio·(threshold − Origin), computed
// once, and a score equal to a bound belongs to the higher tier, so a score
// at exactly 100 %, 120 % or 150 % is Caution, Warning or Critical.
type Threshold struct {
	value, q, origin float64
	tiers            Tiers
	bounds           [3]float64
}

// FitThreshold sets a threshold at the configured quantile of reference
// scores (numpy.quantile's linear interpolation). On continuous scores it
// flags a fraction 1 − q of the reference.
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
	return newThreshold(quantileSorted(s, q), q, cfg)
}

// NewThreshold makes a threshold at a given value, for instance one chosen
// by an analyst. Its Quantile is reported as NaN.
func NewThreshold(value float64, cfg ThresholdConfig) (*Threshold, error) {
	if cfg.Quantile != 0 || cfg.Contamination != 0 {
		return nil, check.Errorf(pkg, ErrConfig, "a threshold at a given value takes no quantile or contamination")
	}
	if !isFinite(value) {
		return nil, check.Errorf(pkg, ErrNonFinite, "threshold is %v", value)
	}
	return newThreshold(value, math.NaN(), cfg)
}

func newThreshold(value, q float64, cfg ThresholdConfig) (*Threshold, error) {
	tiers, err := cfg.Tiers.withDefaults()
	if err != nil {
		return nil, err
	}
	if !isFinite(cfg.Origin) {
		return nil, check.Errorf(pkg, ErrNonFinite, "origin is %v", cfg.Origin)
	}
	if !(value > cfg.Origin) {
		return nil, check.Errorf(pkg, ErrConfig, "threshold %v is not above the origin %v, so severity ratios are meaningless; set ThresholdConfig.Origin below the threshold", value, cfg.Origin)
	}
	t := &Threshold{value: value, q: q, origin: cfg.Origin, tiers: tiers}
	t.bounds = tierBounds(value, cfg.Origin, tiers)
	return t, nil
}

func tierBounds(value, origin float64, t Tiers) [3]float64 {
	span := value - origin
	return [3]float64{origin + t.Caution*span, origin + t.Warning*span, origin + t.Critical*span}
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

// Origin returns the score that counts as 0 % of the threshold.
func (t *Threshold) Origin() float64 { return t.origin }

// Exceeds reports whether s is at or above the threshold. NaN never
// exceeds.
func (t *Threshold) Exceeds(s float64) bool { return t.fitted() && s >= t.value }

// Ratio returns (s − Origin)/(threshold − Origin): 1 at the threshold.
func (t *Threshold) Ratio(s float64) float64 {
	if !t.fitted() {
		return math.NaN()
	}
	return (s - t.origin) / (t.value - t.origin)
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
	x, err := newThreshold(value, q, ThresholdConfig{Origin: origin, Tiers: tiers})
	if err != nil || x.tiers != tiers {
		return check.Errorf(pkg, ErrCorrupt, "threshold data is inconsistent")
	}
	*t = *x
	return nil
}

// AlertLevels grade scores on a 0-1 scale (Rank or Unify normalised, or any
// calibrated probability) into alert levels. Each zero field takes its
// default; after defaults 0 < Medium < High ≤ 1.
type AlertLevels struct {
	Medium float64 // default 0.7
	High   float64 // default 0.9
}

// Alert is the level of a score on a 0-1 scale.
type Alert int

const (
	// NoAlert is below the medium level.
	NoAlert Alert = iota
	// MediumAlert is at or above the medium level (0.7 by default).
	MediumAlert
	// HighAlert is at or above the high level (0.9 by default).
	HighAlert
)

var alertNames = [...]string{"none", "medium", "high"}

// String returns the level's name.
func (a Alert) String() string {
	if a < 0 || int(a) >= len(alertNames) {
		return "Alert(?)"
	}
	return alertNames[a]
}

// Validate returns the levels with defaults filled in, or ErrConfig.
func (l AlertLevels) Validate() (AlertLevels, error) {
	if l.Medium == 0 {
		l.Medium = 0.7
	}
	if l.High == 0 {
		l.High = 0.9
	}
	if !(0 < l.Medium && l.Medium < l.High && l.High <= 1) {
		return l, check.Errorf(pkg, ErrConfig, "alert levels %v, %v must satisfy 0 < medium < high ≤ 1", l.Medium, l.High)
	}
	return l, nil
}

// Level returns the alert level of p, a score on a 0-1 scale: HighAlert at
// or above High, MediumAlert at or above Medium. Invalid levels (see
// Validate) and NaN give NoAlert.
func (l AlertLevels) Level(p float64) Alert {
	l, err := l.Validate()
	switch {
	case err != nil:
		return NoAlert
	case p >= l.High:
		return HighAlert
	case p >= l.Medium:
		return MediumAlert
	}
	return NoAlert
}
