package score

import (
	"math"
	"slices"
	"sync"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
)

// StreamConfig configures a Stream. The zero value means: the 95th
// percentile of the last 100,000 scores, kept as 20 blocks of 5,000 scores
// summarised by 500 values each (rank error 0.1 % of the window), checked
// for excess exceedances every 500 scores, with a level shift recognised
// after 10,000 scores of sustained excess.
type StreamConfig struct {
	// Quantile is the level of the threshold in (0, 1); default 0.95, so
	// the target false-alarm rate is 5 %.
	Quantile float64
	// Window is the number of recent scores the quantile is taken over;
	// default 100,000. It must be a multiple of Blocks.
	Window int
	// Blocks is the number of blocks the window is cut into; default 20.
	// The window slides by one block (Window/Blocks scores) at a time, and
	// the threshold is recomputed each time a block completes.
	Blocks int
	// Summary is the number of values a completed block keeps; default
	// 500. A block of n scores keeps min(n, Summary) of them, one per equal
	// slice of its sorted scores, so memory is Blocks·Summary + Window/Blocks
	// values whatever the stream length, and the rank error is at most
	// ⌊⌈n/Summary⌉/2⌋ per block (see Stream.RankError).
	Summary int
	// CheckEvery is the length of the intervals whose exceedance rate is
	// checked; default min(Window/Blocks, ⌈25/(1 − Quantile)⌉), so that a
	// normal interval expects about 25 exceedances.
	CheckEvery int
	// DriftRate is the exceedance rate above which an interval is
	// anomalous, in (1 − Quantile, 1]; default 2·(1 − Quantile), capped at 1.
	DriftRate float64
	// Persistence is the number of consecutive scores in anomalous
	// intervals after which the excess is taken as a change of level rather
	// than an attack, and learned; default Window/10. It is the longest
	// burst the threshold resists.
	Persistence int
	// Origin and Tiers grade flagged scores on the severity scale, as for
	// a Threshold. Origin 0 means the window's median, recomputed with the
	// threshold; a non-zero Origin is fixed. Zero Tiers mean 100 %, 120 %
	// and 150 %. While the threshold is not above the origin there is no
	// scale, and every flagged score is graded Caution.
	Origin float64
	Tiers  Tiers
}

func (c StreamConfig) resolve() (StreamConfig, error) {
	if c.Quantile == 0 {
		c.Quantile = 0.95
	}
	if !(c.Quantile > 0 && c.Quantile < 1) {
		return c, check.Errorf(pkg, ErrConfig, "stream quantile %v outside (0, 1)", c.Quantile)
	}
	if c.Window == 0 {
		c.Window = 100_000
	}
	if c.Blocks == 0 {
		c.Blocks = 20
	}
	if c.Summary == 0 {
		c.Summary = 500
	}
	const maxWindow = 1 << 28
	if c.Window < 1 || c.Window > maxWindow || c.Blocks < 1 || c.Window%c.Blocks != 0 {
		return c, check.Errorf(pkg, ErrConfig, "window %d must be a multiple of blocks %d, at most %d", c.Window, c.Blocks, maxWindow)
	}
	m := c.Window / c.Blocks
	if c.Summary < 1 || c.Summary > m {
		return c, check.Errorf(pkg, ErrConfig, "summary %d outside 1 to the block size %d", c.Summary, m)
	}
	if c.CheckEvery == 0 {
		c.CheckEvery = min(m, int(math.Ceil(25/(1-c.Quantile))))
	}
	if c.CheckEvery < 1 || c.CheckEvery > m {
		return c, check.Errorf(pkg, ErrConfig, "check interval %d outside 1 to the block size %d", c.CheckEvery, m)
	}
	if c.DriftRate == 0 {
		c.DriftRate = min(1, 2*(1-c.Quantile))
	}
	if !(c.DriftRate > 1-c.Quantile && c.DriftRate <= 1) {
		return c, check.Errorf(pkg, ErrConfig, "drift rate %v outside (%v, 1]", c.DriftRate, 1-c.Quantile)
	}
	if c.Persistence == 0 {
		c.Persistence = max(1, c.Window/10)
	}
	if c.Persistence < 1 {
		return c, check.Errorf(pkg, ErrConfig, "persistence %d is not positive", c.Persistence)
	}
	if !isFinite(c.Origin) {
		return c, check.Errorf(pkg, ErrNonFinite, "origin is %v", c.Origin)
	}
	t, err := c.Tiers.withDefaults()
	c.Tiers = t
	return c, err
}

// StreamResult is the verdict on one observed score.
type StreamResult struct {
	// Threshold is the bar the score was compared with (NaN before Ready).
	Threshold float64
	// Ready is false until the first block completes (or a reference was
	// given); no score is flagged before.
	Ready bool
	// Exceeds is true when the score is at or above Threshold.
	Exceeds bool
	// Typical is the origin of the severity scale in force: the window's
	// median, or the configured Origin (NaN before Ready).
	Typical float64
	// Severity grades the score against Threshold and Typical.
	Severity Severity
}

// StreamStats are a stream's running counts.
type StreamStats struct {
	Seen         int     // scores observed
	Flagged      int     // scores at or above the threshold in force
	Quarantined  int     // flagged scores kept out of the window
	DriftRuns    int     // times sustained excess was accepted as a level shift
	Updates      int     // threshold recomputations
	WindowPoints int     // scores the current threshold was computed from
	RankError    float64 // bound on the current threshold's rank error
	MemoryBound  int     // values the state can hold at most
}

type streamBlock struct {
	n    int       // scores summarised
	vals []float64 // min(n, Summary) representatives, sorted
}

// Stream is a streaming quantile threshold that follows the score
// distribution when it drifts, with bounded memory and a stated error, and
// that an attack cannot use to raise its own bar.
//
// Window. The quantile is taken over the last Blocks completed blocks of
// Window/Blocks observed scores each. A completed block is sorted and cut
// into min(n, Summary) equal slices, each kept as its middle value; the
// threshold is the smallest kept value whose cumulative weight reaches
// Quantile of the total, recomputed each time a block completes. For any
// score v, the estimated number of window scores ≤ v differs from the true
// number by at most RankError·N, where N is the number of scores in the
// window, so the fraction of window scores strictly above the threshold is
// within RankError of 1 − Quantile. With the defaults RankError is 0.001.
//
// Learning from flagged scores. A score at or above the threshold is held
// until its check interval (CheckEvery scores) ends. If the interval's
// exceedance rate is at most DriftRate, it is ordinary sampling noise and
// every score of the interval is learned: refusing all exceedances would set
// the next threshold at the Quantile of the scores below the current one, and
// the bar would ratchet down. If the rate is higher, the interval is
// anomalous: it contributes only as many flagged scores as normal data would
// have produced, (1 − q)/q per unflagged score (its lowest flagged scores),
// and the rest are quarantined and never enter the window. A burst of
// attack scores therefore cannot raise the threshold: only where the burst
// covers a small part of a check interval at its two edges can some of its
// scores slip in, fewer than (DriftRate − (1 − q))·CheckEvery per edge on
// average, 25 scores or 0.025 % of the window with the defaults (the test
// measures the whole effect of a 2 % burst against the rank error). If
// anomalous intervals continue for Persistence scores, the
// excess is a change of level, not an attack, and from then on, as long as
// the intervals stay anomalous, they are learned in full. An attack that
// lasts longer than Persistence is indistinguishable from a level shift by
// its scores alone and will be learned; one that stays under DriftRate is
// learned as noise.
//
// Recovery. After a level shift the false-alarm rate returns to within one
// percentage point of its target within about Persistence + Window +
// Window/Blocks scores (the test shows it for a 3σ shift in each
// direction).
//
// A zero Stream is ready to use: it has the default configuration and no
// reference, as NewStream(StreamConfig{}, nil) returns.
//
// A Stream is deterministic: the same scores give the same thresholds, and
// MarshalBinary/UnmarshalBinary restore a stream that continues exactly as
// the original would have. Methods are safe for concurrent use, but results
// depend on the order of observations.
type Stream struct {
	mu  sync.Mutex
	cfg StreamConfig
	q   float64

	blocks    []streamBlock
	buf       []float64 // learned scores of the current block
	blockSeen int       // scores observed in the current block
	flagged   []float64 // flagged scores of the current check interval
	checkSeen int       // scores observed in the current check interval
	run       int       // scores in the current run of anomalous intervals
	drift     bool      // the run has lasted Persistence

	ready     bool
	threshold float64
	typical   float64 // the window's median
	bounds    [3]float64
	rankErr   float64
	points    int

	stats StreamStats

	scratch []weighted // not state
}

type weighted struct {
	v float64
	w int
}

// NewStream returns a streaming threshold. ref, which may be nil, are
// reference scores taken as normal (for instance a detector's training
// scores): the last Window of them seed the window, so that the stream is
// ready at once.
func NewStream(cfg StreamConfig, ref []float64) (*Stream, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	if err := finite(ref); err != nil {
		return nil, err
	}
	s := &Stream{cfg: cfg, q: cfg.Quantile, threshold: math.NaN(), typical: math.NaN()}
	s.stats.MemoryBound = s.memoryBound()
	m := s.blockSize()
	if len(ref) > cfg.Window {
		ref = ref[len(ref)-cfg.Window:]
	}
	for len(ref) >= m {
		s.buf = append(s.buf[:0], ref[:m]...)
		s.pushBlock()
		ref = ref[m:]
	}
	s.buf = append(s.buf[:0], ref...)
	s.blockSeen = len(ref)
	s.recompute()
	return s, nil
}

// init sets up a zero Stream with the default configuration.
func (s *Stream) init() {
	if s.cfg.Blocks != 0 {
		return
	}
	cfg, _ := StreamConfig{}.resolve()
	s.cfg, s.q, s.threshold, s.typical = cfg, cfg.Quantile, math.NaN(), math.NaN()
	s.stats.MemoryBound = s.memoryBound()
}

func (s *Stream) blockSize() int { return s.cfg.Window / s.cfg.Blocks }

func (s *Stream) memoryBound() int {
	return s.cfg.Blocks*s.cfg.Summary + s.blockSize() + s.cfg.CheckEvery
}

// Config returns the configuration with defaults filled in.
func (s *Stream) Config() StreamConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	return s.cfg
}

// Observe compares score with the threshold in force, then learns from it
// as described on Stream. A non-finite score returns ErrNonFinite and
// leaves the stream unchanged.
func (s *Stream) Observe(score float64) (StreamResult, error) {
	if !isFinite(score) {
		return StreamResult{Threshold: math.NaN()}, check.Errorf(pkg, ErrNonFinite, "streamed score is %v", score)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	r := StreamResult{Threshold: s.threshold, Typical: s.origin(), Ready: s.ready}
	if s.ready && score >= s.threshold {
		r.Exceeds = true
		r.Severity = severityOf(score, s.bounds)
		s.flagged = append(s.flagged, score)
		s.stats.Flagged++
	} else {
		s.buf = append(s.buf, score)
	}
	s.stats.Seen++
	s.checkSeen++
	s.blockSeen++
	m := s.blockSize()
	if s.checkSeen == s.cfg.CheckEvery || s.blockSeen == m {
		s.endCheck()
	}
	if s.blockSeen == m {
		s.pushBlock()
		s.blockSeen = 0
		s.recompute()
	}
	return r, nil
}

// endCheck decides how much of the interval's flagged scores is learned.
func (s *Stream) endCheck() {
	nf := len(s.flagged)
	anomalous := float64(nf) > s.cfg.DriftRate*float64(s.checkSeen)
	if anomalous {
		s.run += s.checkSeen
		if s.run >= s.cfg.Persistence && !s.drift {
			s.drift = true
			s.stats.DriftRuns++
		}
	} else {
		s.run, s.drift = 0, false
	}
	keep := nf
	if anomalous && !s.drift {
		unflagged := s.checkSeen - nf
		keep = min(nf, int(math.Round((1-s.q)/s.q*float64(unflagged))))
		slices.Sort(s.flagged)
		s.stats.Quarantined += nf - keep
	}
	s.buf = append(s.buf, s.flagged[:keep]...)
	s.flagged = s.flagged[:0]
	s.checkSeen = 0
}

// pushBlock summarises buf into a block and slides the window.
func (s *Stream) pushBlock() {
	slices.Sort(s.buf)
	n := len(s.buf)
	k := min(n, s.cfg.Summary)
	b := streamBlock{n: n, vals: make([]float64, k)}
	for j := range k {
		lo, hi := j*n/k, (j+1)*n/k
		b.vals[j] = s.buf[lo+(hi-lo-1)/2]
	}
	if len(s.blocks) == s.cfg.Blocks {
		copy(s.blocks, s.blocks[1:])
		s.blocks[len(s.blocks)-1] = b
	} else {
		s.blocks = append(s.blocks, b)
	}
	s.buf = s.buf[:0]
}

// recompute sets the threshold from the blocks and any scores in buf (only
// non-empty when seeded from a reference).
func (s *Stream) recompute() {
	w := s.scratch[:0]
	total, errAbs := 0, 0
	for _, b := range s.blocks {
		k := len(b.vals)
		for j, v := range b.vals {
			w = append(w, weighted{v, (j+1)*b.n/k - j*b.n/k})
		}
		total += b.n
		if k > 0 {
			errAbs += ((b.n + k - 1) / k) / 2
		}
	}
	for _, v := range s.buf {
		w = append(w, weighted{v, 1})
	}
	total += len(s.buf)
	s.scratch = w
	if total == 0 {
		return
	}
	slices.SortFunc(w, func(a, b weighted) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	target, half := s.q*float64(total), 0.5*float64(total)
	cum := 0
	t, med := math.NaN(), math.NaN()
	for _, p := range w {
		cum += p.w
		if math.IsNaN(med) && float64(cum) >= half {
			med = p.v
		}
		if math.IsNaN(t) && float64(cum) >= target {
			t = p.v
		}
		if !math.IsNaN(t) && !math.IsNaN(med) {
			break
		}
	}
	if math.IsNaN(t) { // rounding left the target above the total
		t = w[len(w)-1].v
	}
	if math.IsNaN(med) {
		med = w[len(w)-1].v
	}
	s.threshold, s.typical, s.ready = t, med, true
	s.points = total
	s.rankErr = float64(errAbs) / float64(total)
	s.bounds = tierBounds(t, s.origin(), s.cfg.Tiers)
	s.stats.Updates++
}

// origin is the start of the severity scale: the configured Origin, or the
// window's median when it is 0.
func (s *Stream) origin() float64 {
	if s.cfg.Origin != 0 {
		return s.cfg.Origin
	}
	if !s.ready {
		return math.NaN()
	}
	return s.typical
}

// Threshold returns the threshold in force and whether there is one yet.
func (s *Stream) Threshold() (float64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	return s.threshold, s.ready
}

// RankError returns the bound on the current threshold's error in rank
// terms, as a fraction of the window: Σ ⌊⌈nᵦ/kᵦ⌉/2⌋ / Σ nᵦ over the window's
// blocks of nᵦ scores kept as kᵦ values. For full blocks of m scores it is
// ⌊⌈m/Summary⌉/2⌋/m, about 1/(2·Summary).
func (s *Stream) RankError() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	return s.rankErr
}

// Stats returns the running counts.
func (s *Stream) Stats() StreamStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	st := s.stats
	st.WindowPoints = s.points
	st.RankError = s.rankErr
	return st
}

// Version 2 added the window's median, the origin of the severity scale.
const streamMagic, streamVersion = "SSTR", 2

// MarshalBinary snapshots the stream's whole state.
func (s *Stream) MarshalBinary() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	e := codec.NewEncoder(streamMagic, streamVersion)
	c := s.cfg
	e.Float64(c.Quantile)
	e.Int(c.Window)
	e.Int(c.Blocks)
	e.Int(c.Summary)
	e.Int(c.CheckEvery)
	e.Float64(c.DriftRate)
	e.Int(c.Persistence)
	e.Float64(c.Origin)
	e.Float64(c.Tiers.Caution)
	e.Float64(c.Tiers.Warning)
	e.Float64(c.Tiers.Critical)
	e.Int(len(s.blocks))
	for _, b := range s.blocks {
		e.Int(b.n)
		e.Float64s(b.vals)
	}
	e.Float64s(s.buf)
	e.Int(s.blockSeen)
	e.Float64s(s.flagged)
	e.Int(s.checkSeen)
	e.Int(s.run)
	e.Bool(s.drift)
	e.Bool(s.ready)
	e.Float64(s.threshold)
	e.Float64(s.typical)
	e.Float64(s.rankErr)
	e.Int(s.points)
	st := s.stats
	for _, v := range []int{st.Seen, st.Flagged, st.Quarantined, st.DriftRuns, st.Updates} {
		e.Int(v)
	}
	return e.Bytes(), nil
}

// UnmarshalBinary restores a stream snapshotted by MarshalBinary. Corrupt,
// truncated or inconsistent input returns an error matching ErrCorrupt and
// leaves s unchanged.
func (s *Stream) UnmarshalBinary(data []byte) error {
	d, v, err := codec.NewDecoder(pkg, streamMagic, streamVersion, data)
	if err != nil {
		return err
	}
	if v < streamVersion {
		return check.Errorf(pkg, ErrCorrupt, "stream snapshot version %d measured severity from 0, not from the window's median; start a new stream", v)
	}
	var c StreamConfig
	c.Quantile = d.Float64()
	c.Window = d.Int()
	c.Blocks = d.Int()
	c.Summary = d.Int()
	c.CheckEvery = d.Int()
	c.DriftRate = d.Float64()
	c.Persistence = d.Int()
	c.Origin = d.Float64()
	c.Tiers = Tiers{d.Float64(), d.Float64(), d.Float64()}
	rc, err := c.resolve()
	if err != nil || rc != c {
		return check.Errorf(pkg, ErrCorrupt, "stream snapshot has an invalid configuration")
	}
	x := &Stream{cfg: c, q: c.Quantile}
	m := x.blockSize()
	nb := d.IntIn("block count", 0, c.Blocks)
	for i := range nb {
		n := d.IntIn("block size", 0, m)
		vals := d.Float64s()
		if len(vals) != min(n, c.Summary) || !slices.IsSorted(vals) || finite(vals) != nil {
			d.Fail("block %d is inconsistent", i)
		}
		x.blocks = append(x.blocks, streamBlock{n: n, vals: vals})
	}
	x.buf = d.Float64s()
	x.blockSeen = d.IntIn("block position", 0, m-1)
	x.flagged = d.Float64s()
	x.checkSeen = d.IntIn("check position", 0, c.CheckEvery-1)
	x.run = d.IntIn("run length", 0, min(math.MaxInt32*64, math.MaxInt))
	x.drift = d.Bool()
	x.ready = d.Bool()
	x.threshold = d.Float64()
	x.typical = d.Float64()
	x.rankErr = d.Float64()
	x.points = d.IntIn("window points", 0, c.Window)
	var counts [5]int
	for i := range counts {
		counts[i] = d.IntIn("counter", 0, math.MaxInt)
	}
	if err := d.Err(); err != nil {
		return err
	}
	if len(x.buf)+len(x.flagged) > x.blockSeen || len(x.flagged) > x.checkSeen ||
		finite(x.buf) != nil || finite(x.flagged) != nil ||
		x.ready != isFinite(x.threshold) || (!x.ready && !math.IsNaN(x.threshold)) ||
		x.ready != isFinite(x.typical) || (!x.ready && !math.IsNaN(x.typical)) ||
		!(x.rankErr >= 0 && x.rankErr <= 1) {
		return check.Errorf(pkg, ErrCorrupt, "stream snapshot state is inconsistent")
	}
	x.stats = StreamStats{Seen: counts[0], Flagged: counts[1], Quarantined: counts[2], DriftRuns: counts[3], Updates: counts[4]}
	x.stats.MemoryBound = x.memoryBound()
	if x.ready {
		x.bounds = tierBounds(x.threshold, x.origin(), c.Tiers)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg, s.q = x.cfg, x.q
	s.blocks, s.buf, s.blockSeen, s.flagged, s.checkSeen = x.blocks, x.buf, x.blockSeen, x.flagged, x.checkSeen
	s.run, s.drift, s.ready, s.threshold, s.rankErr, s.points = x.run, x.drift, x.ready, x.threshold, x.rankErr, x.points
	s.typical = x.typical
	s.bounds, s.stats = x.bounds, x.stats
	return nil
}
