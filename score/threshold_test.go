package score

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func gammaLike(r *rand.Rand, n int) []float64 {
	// Sum of two exponentials: a skewed, positive, distance-like score.
	x := make([]float64, n)
	for i := range x {
		x[i] = r.ExpFloat64() + r.ExpFloat64()
	}
	return x
}

func flagRate(t *Threshold, x []float64) float64 {
	n := 0
	for _, s := range x {
		if t.Exceeds(s) {
			n++
		}
	}
	return float64(n) / float64(len(x))
}

func TestThresholdFlagRate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ref := gammaLike(r, 100_000)
	fresh := gammaLike(r, 100_000)
	for _, tc := range []struct {
		name string
		cfg  ThresholdConfig
		rate float64
	}{
		{"default 95th percentile", ThresholdConfig{}, 0.05},
		{"quantile 0.99", ThresholdConfig{Quantile: 0.99}, 0.01},
		{"contamination 0.1", ThresholdConfig{Contamination: 0.1}, 0.1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th, err := FitThreshold(ref, tc.cfg)
			require.NoError(t, err)
			onRef, onFresh := flagRate(th, ref), flagRate(th, fresh)
			t.Logf("threshold %.4f flags %.3f%% of the 100,000 reference points, %.3f%% of 100,000 fresh ones", th.Value(), 100*onRef, 100*onFresh)
			assert.InDelta(t, tc.rate, onRef, tc.rate/10)
			assert.InDelta(t, tc.rate, onFresh, tc.rate/10)
		})
	}
}

func TestThresholdQuantileIsNumpy(t *testing.T) {
	// numpy.quantile(np.arange(1, 11), 0.95) = 9.55; 0.9 → 9.1.
	x := []float64{7, 1, 4, 10, 2, 9, 3, 6, 5, 8}
	th, err := FitThreshold(x, ThresholdConfig{})
	require.NoError(t, err)
	assert.InDelta(t, 9.55, th.Value(), 1e-12)
	assert.Equal(t, 0.95, th.Quantile())
	th, err = FitThreshold(x, ThresholdConfig{Contamination: 0.1})
	require.NoError(t, err)
	assert.InDelta(t, 9.1, th.Value(), 1e-12)
	assert.True(t, th.Exceeds(9.1), "at the threshold counts as exceeding")
	assert.False(t, th.Exceeds(math.Nextafter(9.1, 0)))
	assert.False(t, th.Exceeds(math.NaN()))
}

func TestSeverityBoundaries(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	fitted, err := FitThreshold(gammaLike(r, 1000), ThresholdConfig{})
	require.NoError(t, err)
	lof, err := NewThreshold(1.5, ThresholdConfig{Origin: 1})
	require.NoError(t, err)
	custom, err := NewThreshold(2, ThresholdConfig{Tiers: Tiers{Caution: 0.9, Warning: 2, Critical: 3}})
	require.NoError(t, err)
	ten, err := NewThreshold(10, ThresholdConfig{})
	require.NoError(t, err)
	for _, tc := range []struct {
		name            string
		th              *Threshold
		caution, w, crt float64 // expected bounds, NaN to skip
	}{
		{"threshold 10, origin 0", ten, 10, 12, 15},
		{"LOF threshold 1.5 over origin 1", lof, 1.5, 1.6, 1.75},
		{"custom tiers", custom, 1.8, 4, 6},
		{"fitted", fitted, fitted.Value(), fitted.Origin() + 1.2*(fitted.Value()-fitted.Origin()), fitted.Origin() + 1.5*(fitted.Value()-fitted.Origin())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, w, k := tc.th.Bounds()
			assert.InDelta(t, tc.caution, c, 1e-12)
			assert.InDelta(t, tc.w, w, 1e-12)
			assert.InDelta(t, tc.crt, k, 1e-12)
			// At exactly each bound the higher tier starts; just below it
			// the lower tier holds.
			for _, b := range []struct {
				at         float64
				below, top Severity
			}{{c, Normal, Caution}, {w, Caution, Warning}, {k, Warning, Critical}} {
				assert.Equal(t, b.top, tc.th.Severity(b.at), "at %v", b.at)
				assert.Equal(t, b.below, tc.th.Severity(math.Nextafter(b.at, math.Inf(-1))), "below %v", b.at)
			}
			assert.Equal(t, Critical, tc.th.Severity(1e9))
			assert.Equal(t, Normal, tc.th.Severity(math.NaN()))
		})
	}
	// The ratio is relative to the origin: LOF 1.6 is 120 % of the way.
	assert.InDelta(t, 1.2, lof.Ratio(1.6), 1e-12)
	assert.Equal(t, Warning, lof.Severity(1.6))
	assert.Equal(t, Caution, ten.Severity(11.99))
	assert.Equal(t, Warning, ten.Severity(14.99))
	// Hand check of 100 %, 120 %, 150 % of 10.
	assert.Equal(t, []Severity{Normal, Caution, Warning, Critical},
		[]Severity{ten.Severity(9.999), ten.Severity(10), ten.Severity(12), ten.Severity(15)})
}

func TestThresholdErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		ref  []float64
		cfg  ThresholdConfig
		kind error
	}{
		{"empty", nil, ThresholdConfig{}, ErrEmpty},
		{"nan", []float64{1, math.NaN()}, ThresholdConfig{}, ErrNonFinite},
		{"both quantile and contamination", []float64{1, 2}, ThresholdConfig{Quantile: 0.9, Contamination: 0.1}, ErrConfig},
		{"quantile 1", []float64{1, 2}, ThresholdConfig{Quantile: 1}, ErrConfig},
		{"contamination 0.6", []float64{1, 2}, ThresholdConfig{Contamination: 0.6}, ErrConfig},
		{"tiers out of order", []float64{1, 2}, ThresholdConfig{Tiers: Tiers{Warning: 1.6}}, ErrConfig},
		// An origin above the threshold: the ratio would be meaningless.
		{"threshold below origin", []float64{-3, -2, -1}, ThresholdConfig{Origin: 4}, ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FitThreshold(tc.ref, tc.cfg)
			assert.ErrorIs(t, err, tc.kind)
		})
	}
	// The same negative scores work with an origin below them.
	th, err := FitThreshold([]float64{-3, -2, -1}, ThresholdConfig{Origin: -4})
	require.NoError(t, err)
	assert.InDelta(t, -1.1, th.Value(), 1e-12)
	_, err = NewThreshold(math.Inf(1), ThresholdConfig{})
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = NewThreshold(1, ThresholdConfig{Quantile: 0.9})
	assert.ErrorIs(t, err, ErrConfig)
}

func TestThresholdRoundTrip(t *testing.T) {
	th, err := FitThreshold([]float64{1, 2, 3, 4, 5}, ThresholdConfig{Quantile: 0.8, Origin: 0.5, Tiers: Tiers{Warning: 1.3}})
	require.NoError(t, err)
	b, err := th.MarshalBinary()
	require.NoError(t, err)
	var back Threshold
	require.NoError(t, back.UnmarshalBinary(b))
	assert.Equal(t, *th, back)
	for i := range len(b) {
		assert.ErrorIs(t, back.UnmarshalBinary(b[:i]), ErrCorrupt)
	}
	nt, _ := NewThreshold(3, ThresholdConfig{})
	b, _ = nt.MarshalBinary()
	require.NoError(t, back.UnmarshalBinary(b))
	assert.True(t, math.IsNaN(back.Quantile()))
}

// TestSeverityFromTypical: the scale is measured from the reference median,
// so the same position past the bar gets the same tier on any detector's
// units, shifted or scaled.
func TestSeverityFromTypical(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	base := gammaLike(r, 20_001)
	for _, tc := range []struct {
		name         string
		shift, scale float64
	}{
		{"distance-like", 0, 1},
		{"near 1, like LOF", 1, 0.01},
		{"negative, like negated scores", -50, 3},
		{"tiny iforest-like range", 0.4, 0.002},
	} {
		ref := make([]float64, len(base))
		for i, v := range base {
			ref[i] = tc.shift + tc.scale*v
		}
		th, err := FitThreshold(ref, ThresholdConfig{})
		require.NoError(t, err, tc.name)
		med, _ := Quantile(ref, 0.5)
		q95, _ := Quantile(ref, 0.95)
		assert.Equal(t, med, th.Origin(), tc.name)
		assert.Equal(t, q95, th.Value(), tc.name)
		c, w, k := th.Bounds()
		assert.Equal(t, q95, c, tc.name)
		assert.InDelta(t, med+1.2*(q95-med), w, 1e-9*math.Abs(w)+1e-12, tc.name)
		assert.InDelta(t, med+1.5*(q95-med), k, 1e-9*math.Abs(k)+1e-12, tc.name)
		// The same relative position gets the same tier everywhere.
		for _, p := range []struct {
			ratio float64
			want  Severity
		}{{0, Normal}, {0.99, Normal}, {1.1, Caution}, {1.3, Warning}, {2, Critical}} {
			s := med + p.ratio*(q95-med)
			assert.Equal(t, p.want, th.Severity(s), "%s at ratio %v", tc.name, p.ratio)
			assert.InDelta(t, p.ratio, th.Ratio(s), 1e-9, tc.name)
		}
	}
}

func TestThresholdWithoutScale(t *testing.T) {
	// Over half the reference ties at the minimum and the threshold: no
	// room for tiers, so flagged scores are Caution.
	ref := append(make([]float64, 97), 1, 2, 3)
	th, err := FitThreshold(ref, ThresholdConfig{})
	require.NoError(t, err)
	assert.Equal(t, 0.0, th.Value())
	assert.Equal(t, Caution, th.Severity(0))
	assert.Equal(t, Caution, th.Severity(100))
	assert.Equal(t, Normal, th.Severity(-1))
	assert.True(t, math.IsNaN(th.Ratio(5)))
	b, err := th.MarshalBinary()
	require.NoError(t, err)
	var back Threshold
	require.NoError(t, back.UnmarshalBinary(b))
	assert.Equal(t, *th, back)
	// Ties at the median but room below: the scale starts at the minimum.
	ref = []float64{0, 1, 5, 5, 5, 5, 5, 5, 5, 5}
	th, err = FitThreshold(ref, ThresholdConfig{})
	require.NoError(t, err)
	assert.Equal(t, 5.0, th.Value())
	assert.Equal(t, 0.0, th.Origin())
}
