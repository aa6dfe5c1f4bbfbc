package score

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vigil-ml/vigil/internal/codec"
)

// normalCDF is Φ, the standard normal CDF.
func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// rankBracket returns the fractions of window scores strictly below and at
// or below t.
func rankBracket(window []float64, t float64) (below, atOrBelow float64) {
	s := slices.Clone(window)
	slices.Sort(s)
	lo, _ := slices.BinarySearch(s, t)
	hi := lo
	for hi < len(s) && s[hi] == t {
		hi++
	}
	return float64(lo) / float64(len(s)), float64(hi) / float64(len(s))
}

// On a stream where nothing is quarantined the window is exactly the last
// Window scores at each block boundary, so the threshold's rank can be
// checked against the stated bound directly.
func TestStreamRankErrorBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  StreamConfig
		gen  func(r *rand.Rand) float64
	}{
		{"normal, defaults", StreamConfig{}, func(r *rand.Rand) float64 { return r.NormFloat64() }},
		{"skewed, 64 of 2000", StreamConfig{Window: 20000, Blocks: 10, Summary: 64}, func(r *rand.Rand) float64 { return r.ExpFloat64() }},
		{"ties, 300 of 1000, q 0.9", StreamConfig{Quantile: 0.9, Window: 10000, Blocks: 10, Summary: 300}, func(r *rand.Rand) float64 { return math.Round(4 * r.NormFloat64()) }},
		{"uniform, 7 of 500, q 0.99", StreamConfig{Quantile: 0.99, Window: 5000, Blocks: 10, Summary: 7}, func(r *rand.Rand) float64 { return r.Float64() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(21, 22))
			s, err := NewStream(tc.cfg, nil)
			require.NoError(t, err)
			cfg := s.Config()
			m := cfg.Window / cfg.Blocks
			var all []float64
			worst, checked := 0.0, 0
			for i := range 3 * cfg.Window {
				x := tc.gen(r)
				all = append(all, x)
				_, err := s.Observe(x)
				require.NoError(t, err)
				if (i+1)%m != 0 || i+1 < cfg.Window {
					continue
				}
				if raceEnabled && ((i+1)/m)%5 != 0 {
					continue // every fifth threshold: the race detector is slow
				}
				require.Zero(t, s.Stats().Quarantined, "this test needs an unfiltered window")
				th, ok := s.Threshold()
				require.True(t, ok)
				eps := s.RankError()
				below, atOrBelow := rankBracket(all[len(all)-cfg.Window:], th)
				// #{x < t} < (q+ε)N and #{x ≤ t} ≥ (q−ε)N.
				assert.Less(t, below, cfg.Quantile+eps+1e-12)
				assert.GreaterOrEqual(t, atOrBelow, cfg.Quantile-eps-1e-12)
				worst = max(worst, below-cfg.Quantile, cfg.Quantile-atOrBelow)
				checked++
			}
			t.Logf("%d thresholds, stated rank error %.5f, worst observed %.5f", checked, s.RankError(), worst)
			require.Positive(t, checked)
			want := float64((m+cfg.Summary-1)/cfg.Summary/2) / float64(m)
			assert.InDelta(t, want, s.RankError(), 1e-15)
		})
	}
}

// With Summary equal to the block size nothing is summarised, and the
// threshold is the exact quantile: the ⌈qN⌉-th smallest score.
func TestStreamExactWhenUnsummarised(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	ref := make([]float64, 1234)
	for i := range ref {
		ref[i] = r.NormFloat64()
	}
	s, err := NewStream(StreamConfig{Window: 1000, Blocks: 4, Summary: 250}, ref)
	require.NoError(t, err)
	th, ok := s.Threshold()
	require.True(t, ok, "a reference makes the stream ready at once")
	last := slices.Clone(ref[len(ref)-1000:])
	slices.Sort(last)
	assert.Equal(t, last[int(math.Ceil(0.95*1000))-1], th)
	assert.Zero(t, s.RankError())
	// Fewer reference scores than a block: still ready, still exact.
	s, err = NewStream(StreamConfig{Window: 1000, Blocks: 4, Summary: 250}, ref[:40])
	require.NoError(t, err)
	th, _ = s.Threshold()
	few := slices.Clone(ref[:40])
	slices.Sort(few)
	assert.Equal(t, few[37], th) // ⌈0.95·40⌉ = 38th smallest
}

func TestStreamColdStart(t *testing.T) {
	s, err := NewStream(StreamConfig{Window: 100, Blocks: 2, Summary: 50}, nil)
	require.NoError(t, err)
	for i := range 49 {
		res, err := s.Observe(float64(i))
		require.NoError(t, err)
		assert.False(t, res.Ready)
		assert.False(t, res.Exceeds)
		assert.True(t, math.IsNaN(res.Threshold))
	}
	_, _ = s.Observe(49) // completes the first block of 0..49
	th, ok := s.Threshold()
	assert.True(t, ok)
	assert.Equal(t, 47.0, th) // ⌈0.95·50⌉ = 48th smallest
	res, _ := s.Observe(47.0 * 1.2)
	// The scale runs from the window's median, 24: 56.4 is 141 % of the way.
	assert.Equal(t, StreamResult{Threshold: 47, Typical: 24, Ready: true, Exceeds: true, Severity: Warning}, res)
}

type driftRun struct {
	recovery       int     // points after the shift until the false-alarm rate stays within 1 point
	finalFAR       float64 // false-alarm rate of the last threshold
	stated         int     // Persistence + Window + block
	quarantined    int
	driftRuns      int
	preShiftFAR    float64
	firstRecovered float64
}

func runDrift(t *testing.T, shift float64) driftRun {
	t.Helper()
	n, half, cfg := 400_000, 150_000, StreamConfig{}
	if raceEnabled {
		// The same run at a fifth of the scale: the race detector slows
		// the stream about twentyfold.
		n, half, cfg = 80_000, 30_000, StreamConfig{Window: 20_000}
	}
	r := rand.New(rand.NewPCG(31, 32))
	s, err := NewStream(cfg, nil)
	require.NoError(t, err)
	cfg = s.Config()
	out := driftRun{recovery: -1, stated: cfg.Persistence + cfg.Window + cfg.Window/cfg.Blocks}
	for i := range n {
		mu := 0.0
		if i >= half {
			mu = shift
		}
		res, err := s.Observe(mu + r.NormFloat64())
		require.NoError(t, err)
		if i == half-1 {
			out.preShiftFAR = 1 - normalCDF(res.Threshold)
		}
		if i < half {
			continue
		}
		far := 1 - normalCDF(res.Threshold-mu)
		if math.Abs(far-0.05) > 0.01 {
			out.recovery = -1
		} else if out.recovery < 0 {
			out.recovery = i - half
			out.firstRecovered = far
		}
		out.finalFAR = far
	}
	st := s.Stats()
	out.quarantined, out.driftRuns = st.Quarantined, st.DriftRuns
	return out
}

func TestStreamFollowsLevelShift(t *testing.T) {
	for _, shift := range []float64{3, -3} {
		t.Run(fmt.Sprintf("shift %+gσ", shift), func(t *testing.T) {
			d := runDrift(t, shift)
			t.Logf("3σ shift %+g: false-alarm rate before %.4f; back within 1 point of 5%% after %d points (stated bound %d) at %.4f, and %.4f at the end; %d quarantined, %d drift runs",
				shift, d.preShiftFAR, d.recovery, d.stated, d.firstRecovered, d.finalFAR, d.quarantined, d.driftRuns)
			require.GreaterOrEqual(t, d.recovery, 0, "never recovered")
			assert.LessOrEqual(t, d.recovery, d.stated)
			assert.InDelta(t, 0.05, d.preShiftFAR, 0.01)
			assert.InDelta(t, 0.05, d.finalFAR, 0.01)
			if shift > 0 {
				assert.Equal(t, 1, d.driftRuns, "an upward shift is learned through one drift run")
			}
		})
	}
}

func TestStreamResistsBurst(t *testing.T) {
	n, start, cfg := 300_000, 180_137, StreamConfig{}
	if raceEnabled {
		// The same run at a fifth of the scale (burst still 6 % of the
		// window and below Persistence): the race detector is slow.
		n, start, cfg = 60_000, 36_137, StreamConfig{Window: 20_000}
	}
	r := rand.New(rand.NewPCG(41, 42))
	clean := make([]float64, n)
	for i := range clean {
		clean[i] = r.NormFloat64()
	}
	attack := slices.Clone(clean)
	burst := n / 50 // 2 % of the stream, 6,000 points, 6 % of the window
	for i := start; i < start+burst; i++ {
		attack[i] = 4 + 0.5*r.NormFloat64()
	}
	sc, err := NewStream(cfg, nil)
	require.NoError(t, err)
	sa, err := NewStream(cfg, nil)
	require.NoError(t, err)
	window := sa.Config().Window
	worst, worstScore, before := 0.0, 0.0, 0.0
	var detected int
	for i := range n {
		rc, err := sc.Observe(clean[i])
		require.NoError(t, err)
		ra, err := sa.Observe(attack[i])
		require.NoError(t, err)
		if i == start {
			before = ra.Threshold
		}
		if i >= start && i < start+burst && ra.Exceeds {
			detected++
		}
		if rc.Ready {
			// Movement in rank: the threshold's quantile in the normal
			// distribution, attacked against clean.
			d := math.Abs(normalCDF(ra.Threshold) - normalCDF(rc.Threshold))
			if d > worst {
				worst, worstScore = d, math.Abs(ra.Threshold-rc.Threshold)
			}
		}
	}
	eps := sa.RankError()
	win := slices.Clone(attack[start+burst-window : start+burst])
	slices.Sort(win)
	naive := quantileSorted(win, 0.95)
	st := sa.Stats()
	t.Logf("burst of %d points: %d flagged, %d quarantined; threshold before %.4f; worst movement vs the clean run %.5f in rank (%.4f in score), stated rank error %.5f; a plain sliding 95th percentile would move to %.4f (rank %.5f)",
		burst, detected, st.Quarantined, before, worst, worstScore, eps, naive, normalCDF(naive))
	assert.LessOrEqual(t, worst, eps)
	assert.Equal(t, burst, detected, "every burst point is flagged")
	assert.GreaterOrEqual(t, st.Quarantined, burst*99/100)
	assert.Zero(t, st.DriftRuns)
	assert.Greater(t, normalCDF(naive)-0.95, 10*eps, "without quarantine the bar would move far")
}

func TestStreamSnapshotContinuesExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	n := 60_000
	x := make([]float64, n)
	for i := range x {
		switch {
		case i >= 20_000 && i < 21_000: // a burst
			x[i] = 6 + r.NormFloat64()
		case i >= 35_000: // a level shift
			x[i] = 3 + r.NormFloat64()
		default:
			x[i] = r.NormFloat64()
		}
	}
	cfg := StreamConfig{Window: 10_000, Blocks: 10, Summary: 100}
	ref := make([]float64, 777)
	for i := range ref {
		ref[i] = r.NormFloat64()
	}
	whole, err := NewStream(cfg, ref)
	require.NoError(t, err)
	var want []StreamResult
	for _, v := range x {
		res, err := whole.Observe(v)
		require.NoError(t, err)
		want = append(want, res)
	}
	require.Positive(t, whole.Stats().DriftRuns)
	require.Positive(t, whole.Stats().Quarantined)
	// Cut anywhere: mid check, mid block, mid burst, mid drift run.
	for _, cut := range []int{0, 1, 4_321, 20_500, 36_000, 37_777, n - 1} {
		s, err := NewStream(cfg, ref)
		require.NoError(t, err)
		for _, v := range x[:cut] {
			_, _ = s.Observe(v)
		}
		b, err := s.MarshalBinary()
		require.NoError(t, err)
		var back Stream
		require.NoError(t, back.UnmarshalBinary(b))
		for i, v := range x[cut:] {
			res, err := back.Observe(v)
			require.NoError(t, err)
			if !assert.Equal(t, want[cut+i], res, "cut %d, point %d", cut, cut+i) {
				break
			}
		}
		assert.Equal(t, whole.Stats(), back.Stats(), "cut %d", cut)
		b1, _ := whole.MarshalBinary()
		b2, _ := back.MarshalBinary()
		assert.Equal(t, b1, b2, "cut %d: identical state", cut)
	}
}

func TestStreamMemoryStaysBounded(t *testing.T) {
	cfg := StreamConfig{Window: 5_000, Blocks: 5, Summary: 50}
	s, err := NewStream(cfg, nil)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(3, 3))
	for i := range 200_000 {
		v := r.NormFloat64()
		if i%7000 < 500 {
			v += 8 // repeated bursts
		}
		_, _ = s.Observe(v)
		if i%997 == 0 {
			held := len(s.buf) + len(s.flagged)
			for _, b := range s.blocks {
				held += len(b.vals)
			}
			require.LessOrEqual(t, held, s.Stats().MemoryBound)
			require.LessOrEqual(t, len(s.blocks), cfg.Blocks)
		}
	}
	assert.Equal(t, 5*50+1000+min(1000, 500), s.Stats().MemoryBound)
}

func TestStreamErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  StreamConfig
	}{
		{"quantile 1", StreamConfig{Quantile: 1}},
		{"window not a multiple of blocks", StreamConfig{Window: 1000, Blocks: 3}},
		{"negative window", StreamConfig{Window: -10}},
		{"summary above block", StreamConfig{Window: 100, Blocks: 10, Summary: 11}},
		{"check interval above block", StreamConfig{Window: 100, Blocks: 10, Summary: 5, CheckEvery: 11}},
		{"drift rate below target", StreamConfig{DriftRate: 0.04}},
		{"negative persistence", StreamConfig{Persistence: -1}},
		{"tiers", StreamConfig{Tiers: Tiers{Caution: 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewStream(tc.cfg, nil)
			assert.ErrorIs(t, err, ErrConfig)
		})
	}
	_, err := NewStream(StreamConfig{}, []float64{1, math.NaN()})
	assert.ErrorIs(t, err, ErrNonFinite)
	s, _ := NewStream(StreamConfig{Window: 100, Blocks: 2, Summary: 10}, []float64{1, 2, 3})
	before, _ := s.MarshalBinary()
	_, err = s.Observe(math.Inf(1))
	assert.ErrorIs(t, err, ErrNonFinite)
	after, _ := s.MarshalBinary()
	assert.Equal(t, before, after, "a rejected score leaves no trace")
}

func TestStreamCorruptSnapshots(t *testing.T) {
	s, _ := NewStream(StreamConfig{Window: 100, Blocks: 4, Summary: 5}, []float64{5, 1, 4, 2, 3, 9, 8, 7, 6, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3})
	for i := range 40 {
		_, _ = s.Observe(float64(i % 11))
	}
	b, _ := s.MarshalBinary()
	var back Stream
	require.NoError(t, back.UnmarshalBinary(b))
	for i := range len(b) {
		assert.ErrorIs(t, back.UnmarshalBinary(b[:i]), ErrCorrupt, "truncated at %d", i)
	}
}

// payload strips a blob's header and checksum: the fuzz targets mutate
// payloads and seal them again (codec.Seal), so that mutations reach the
// decoders' field checks instead of failing the checksum.
func payload(b []byte) []byte { return b[6 : len(b)-4] }

func FuzzStreamUnmarshal(f *testing.F) {
	s, _ := NewStream(StreamConfig{Window: 20, Blocks: 2, Summary: 3}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
	for i := range 15 {
		_, _ = s.Observe(float64(i))
	}
	b, _ := s.MarshalBinary()
	f.Add(payload(b))
	var zero Stream
	zb, _ := zero.MarshalBinary()
	f.Add(payload(zb))
	f.Fuzz(func(t *testing.T, p []byte) {
		data := codec.Seal(streamMagic, streamVersion, p)
		var st Stream
		if err := st.UnmarshalBinary(data); err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		// A decoded stream is usable, and its snapshot decodes again.
		for _, v := range []float64{-1e300, 0, 1, 1e300} {
			_, err := st.Observe(v)
			require.NoError(t, err)
		}
		again, err := st.MarshalBinary()
		require.NoError(t, err)
		var back Stream
		require.NoError(t, back.UnmarshalBinary(again))
	})
}

// FuzzDecoders does the same for Threshold, Combiner, Normalizer and
// Sustain; the
// first byte picks the decoder.
func FuzzDecoders(f *testing.F) {
	th, _ := NewThreshold(2, ThresholdConfig{})
	tb, _ := th.MarshalBinary()
	c, _ := FitCombiner(CombinerConfig{Method: AOM}, []float64{1, 2}, []float64{3, 5})
	cb, _ := c.MarshalBinary()
	n, _ := FitNormalizer(Rank, []float64{1, 2, 2, 7})
	nb, _ := n.MarshalBinary()
	f.Add(append([]byte{0}, payload(tb)...))
	f.Add(append([]byte{1}, payload(cb)...))
	f.Add(append([]byte{2}, payload(nb)...))
	su, _ := NewSustain(SustainConfig{Window: time.Second, MaxKeyBytes: 64})
	su.Observe("a", time.Unix(5, 0), Warning)
	su.Observe(string(make([]byte, 100)), time.Unix(6, 7), Critical)
	sb, _ := su.MarshalBinary()
	f.Add(append([]byte{3}, payload(sb)...))
	f.Fuzz(func(t *testing.T, p []byte) {
		if len(p) == 0 {
			return
		}
		type decoder interface {
			UnmarshalBinary([]byte) error
			MarshalBinary() ([]byte, error)
		}
		var d decoder
		var data []byte
		switch p[0] % 4 {
		case 0:
			d, data = new(Threshold), codec.Seal(thrMagic, thrVersion, p[1:])
		case 1:
			d, data = new(Combiner), codec.Seal(combMagic, combVersion, p[1:])
		case 2:
			d, data = new(Normalizer), codec.Seal(normMagic, normVersion, p[1:])
		default:
			d, data = new(Sustain), codec.Seal(sustainMagic, sustainVersion, p[1:])
		}
		if err := d.UnmarshalBinary(data); err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		again, err := d.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, data, again, "a decoded value re-encodes to its input")
		switch x := d.(type) {
		case *Threshold:
			_ = x.Severity(1e308)
		case *Combiner:
			v, err := x.Combine(make([]float64, x.Detectors()))
			require.True(t, err != nil || isFinite(v), "finite input gave %v", v)
		case *Sustain:
			x.Observe("probe", time.Unix(1<<40, 0), Critical)
		case *Normalizer:
			for _, s := range []float64{-1e308, 0, 1e308} {
				v := x.Normalize(s)
				require.True(t, isFinite(v), "Normalize(%v) = %v", s, v)
			}
		}
	})
}

func TestStreamQuarantineHand(t *testing.T) {
	ref := make([]float64, 20)
	for i := range ref {
		ref[i] = float64(i)
	}
	cfg := StreamConfig{Quantile: 0.9, Window: 40, Blocks: 2, Summary: 20, CheckEvery: 20, DriftRate: 0.2, Persistence: 1000}
	for _, tc := range []struct {
		name        string
		high        int     // scores of 100, 101, ... in the interval of 20
		quarantined int     // (1−q)/q·unflagged = 0.111·(20−high), rounded, are kept
		threshold   float64 // after the block completes
	}{
		// 3 of 20 flagged ≤ 20 %: noise, all learned. Window of 40: 0..19,
		// 0..16 and 100..102; ⌈0.9·40⌉ = 36th smallest is 18.
		{"within the drift rate", 3, 0, 18},
		// 10 of 20 flagged > 20 %: only round(10/9) = 1 kept. Window of 31
		// scores: 0..19, 0..9, 100; ⌈0.9·31⌉ = 28th smallest is 17.
		{"anomalous interval", 10, 9, 17},
		// 20 of 20 flagged: nothing unflagged, nothing kept; the block is
		// empty and the threshold stays at the 18th of 0..19, 17.
		{"all flagged", 20, 20, 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewStream(cfg, ref)
			require.NoError(t, err)
			th, _ := s.Threshold()
			require.Equal(t, 17.0, th, "⌈0.9·20⌉ = 18th smallest of 0..19")
			for i := range 20 - tc.high {
				res, _ := s.Observe(float64(i))
				require.False(t, res.Exceeds)
			}
			for i := range tc.high {
				res, _ := s.Observe(100 + float64(i))
				require.True(t, res.Exceeds)
			}
			st := s.Stats()
			assert.Equal(t, tc.quarantined, st.Quarantined)
			assert.Equal(t, 40-tc.quarantined, st.WindowPoints)
			th, _ = s.Threshold()
			assert.Equal(t, tc.threshold, th)
		})
	}
}

func TestStreamSeverityWithoutMeaningfulRatio(t *testing.T) {
	// A fixed origin above the threshold: flagged scores are Caution,
	// whatever their size, rather than a made-up percentage.
	s, err := NewStream(StreamConfig{Window: 100, Blocks: 1, Summary: 100, Origin: 5}, []float64{-5, -4, -3, -2, -1})
	require.NoError(t, err)
	res, err := s.Observe(50)
	require.NoError(t, err)
	assert.True(t, res.Exceeds)
	assert.Equal(t, Caution, res.Severity)
	// By default the scale starts at the window's median, −3: negative
	// scores grade like any others.
	s, err = NewStream(StreamConfig{Window: 100, Blocks: 1, Summary: 100}, []float64{-5, -4, -3, -2, -1})
	require.NoError(t, err)
	res, _ = s.Observe(-3 + 1.3*2) // threshold −1: 130 % of the way
	assert.Equal(t, StreamResult{Threshold: -1, Typical: -3, Ready: true, Exceeds: true, Severity: Warning}, res)
	// With an origin below the scores the tiers apply.
	s, err = NewStream(StreamConfig{Window: 100, Blocks: 1, Summary: 100, Origin: -11}, []float64{-5, -4, -3, -2, -1})
	require.NoError(t, err)
	res, _ = s.Observe(-1 + 0.5*10) // threshold −1, 150 % of the way from −11
	assert.Equal(t, Critical, res.Severity)
}

// TestZeroStream: a zero Stream is NewStream(StreamConfig{}, nil), and its
// snapshot round-trips (issue 7 item 6: it used to marshal to bytes its own
// UnmarshalBinary refused).
func TestZeroStream(t *testing.T) {
	var zero Stream
	b, err := zero.MarshalBinary()
	require.NoError(t, err)
	var restored Stream
	require.NoError(t, restored.UnmarshalBinary(b))
	fresh, err := NewStream(StreamConfig{}, nil)
	require.NoError(t, err)
	fb, _ := fresh.MarshalBinary()
	assert.Equal(t, fb, b)
	var z2 Stream
	r := newRand(9)
	for i := range 12_000 {
		v := r.NormFloat64()
		a, err := z2.Observe(v)
		require.NoError(t, err)
		c, _ := fresh.Observe(v)
		require.Equal(t, c.Exceeds, a.Exceeds, "score %d", i)
	}
	assert.Equal(t, fresh.Stats(), z2.Stats())
	th, ok := z2.Threshold()
	assert.True(t, ok)
	assert.InDelta(t, 1.645, th, 0.1)
}

// A low quantile puts the window's median above the threshold: no scale,
// flagged scores are Caution, and the snapshot still restores.
func TestStreamLowQuantileSnapshot(t *testing.T) {
	s, err := NewStream(StreamConfig{Quantile: 0.3, Window: 100, Blocks: 2, Summary: 50}, nil)
	require.NoError(t, err)
	for i := range 120 {
		_, _ = s.Observe(float64(i % 50))
	}
	res, err := s.Observe(49)
	require.NoError(t, err)
	assert.True(t, res.Exceeds)
	assert.Greater(t, res.Typical, res.Threshold)
	assert.Equal(t, Caution, res.Severity)
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	var back Stream
	require.NoError(t, back.UnmarshalBinary(b))
	r1, _ := s.Observe(30)
	r2, _ := back.Observe(30)
	assert.Equal(t, r1, r2)
}
