package score

import (
	"math"
	"sync"
	"time"

	"github.com/vigil-ml/vigil/internal/codec"
)

// SustainConfig configures a Sustain rule. The zero value means: two
// consecutive windows at Warning or above, windows of any length, at most
// 100,000 keys of at most 256 bytes.
type SustainConfig struct {
	// Windows is N, the consecutive windows at or above MinSeverity a key
	// needs before the rule holds; default 2, at most 2^20.
	Windows int
	// Window is the length of one window. A window follows the key's
	// previous one when it ends at most Window after it (exactly Window
	// for tumbling windows); a longer gap, a window with no score, breaks
	// the run. Zero means any next window of the key follows the previous.
	Window time.Duration
	// MinSeverity is the tier a window must reach to count; default
	// Warning. Normal is not allowed (every window would count).
	MinSeverity Severity
	// MaxKeys and MaxKeyBytes bound the memory as for ThrottleConfig; the
	// least recently seen key is forgotten first (its run restarts).
	MaxKeys     int
	MaxKeyBytes int
}

const maxSustainWindows = 1 << 20

func (c SustainConfig) resolve() (SustainConfig, error) {
	if c.Windows < 0 || c.Windows > maxSustainWindows {
		return c, errorf(ErrConfig, "sustain windows %d outside 1 to 2^20", c.Windows)
	}
	if c.Window < 0 {
		return c, errorf(ErrConfig, "sustain window length %v is negative", c.Window)
	}
	if c.MinSeverity < Normal || c.MinSeverity > Critical {
		return c, errorf(ErrConfig, "sustain minimum severity %d is not a tier", int(c.MinSeverity))
	}
	if err := checkKeyBounds("sustain", c.MaxKeys, c.MaxKeyBytes); err != nil {
		return c, err
	}
	if c.Windows == 0 {
		c.Windows = 2
	}
	if c.MinSeverity == Normal {
		c.MinSeverity = Warning
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = defaultMaxKeys
	}
	if c.MaxKeyBytes == 0 {
		c.MaxKeyBytes = defaultMaxKeyBytes
	}
	return c, nil
}

// SustainResult is the verdict on one window of a key.
type SustainResult struct {
	// Streak is the number of consecutive windows, this one included, at
	// or above MinSeverity (0 when this window is below it).
	Streak int
	// Sustained is true when Streak has reached Windows: the key has been
	// anomalous long enough to act on. It stays true for every further
	// window of the run, so pair it with a Throttle to page once.
	Sustained bool
	// Late is true for a window that ends no later than the key's last
	// one: it is ignored and the key's state is unchanged.
	Late bool
}

// SustainStats are a Sustain rule's running counts.
type SustainStats struct {
	Windows     int // windows observed, Late ones included
	Sustained   int // windows with Sustained true
	Late        int // windows ignored as out of order
	Evictions   int // keys forgotten to keep within MaxKeys
	Keys        int // keys remembered now
	MemoryBound int // bytes the remembered keys can take at most
}

type sustainState struct {
	last   time.Time // end of the key's last window; only moves forward
	streak int
}

// Sustain is the rule "anomalous for N consecutive windows per key": it
// turns a per-window severity into a decision that one odd window is not an
// incident and a run of them is. Feed it every window of every key (below
// the minimum too, so that runs break), in time order per key; windows
// that arrive late are ignored, so a key's state never moves backward.
//
// Memory is bounded as for Throttle. A zero Sustain is ready to use with
// the default configuration. It is safe for concurrent use, and
// MarshalBinary/UnmarshalBinary snapshot and restore it exactly.
type Sustain struct {
	mu    sync.Mutex
	cfg   SustainConfig
	keys  keyed[sustainState]
	ready bool
	stats SustainStats
}

// NewSustain returns a rule with no history.
func NewSustain(cfg SustainConfig) (*Sustain, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	s := &Sustain{}
	s.setup(cfg)
	return s, nil
}

func (s *Sustain) setup(cfg SustainConfig) {
	s.cfg = cfg
	s.keys.init(cfg.MaxKeys, cfg.MaxKeyBytes)
	s.stats = SustainStats{}
	s.ready = true
}

func (s *Sustain) init() {
	if !s.ready {
		cfg, _ := SustainConfig{}.resolve()
		s.setup(cfg)
	}
}

// Config returns the configuration with defaults filled in.
func (s *Sustain) Config() SustainConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	return s.cfg
}

// Observe records the window of key that ends at end with severity sev.
func (s *Sustain) Observe(key string, end time.Time, sev Severity) SustainResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.stats.Windows++
	e, seen := s.keys.get(key)
	if seen && !end.After(e.last) {
		s.stats.Late++
		return SustainResult{Late: true}
	}
	follows := seen && e.streak > 0 && (s.cfg.Window == 0 || end.Sub(e.last) <= s.cfg.Window)
	e.last = end
	switch {
	case sev < s.cfg.MinSeverity:
		e.streak = 0
	case follows:
		e.streak = min(e.streak+1, math.MaxInt32)
	default:
		e.streak = 1
	}
	r := SustainResult{Streak: e.streak, Sustained: e.streak >= s.cfg.Windows}
	if r.Sustained {
		s.stats.Sustained++
	}
	return r
}

// Streak returns the current run of key (0 for a key not remembered).
func (s *Sustain) Streak(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if e, ok := s.keys.peek(key); ok {
		return e.streak
	}
	return 0
}

// Stats returns the running counts.
func (s *Sustain) Stats() SustainStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	st := s.stats
	st.Keys = len(s.keys.index)
	st.Evictions = s.keys.evictions
	st.MemoryBound = s.keys.memoryBound()
	return st
}

const sustainMagic, sustainVersion = "SSUS", 1

// MarshalBinary snapshots the rule: configuration, every remembered key in
// recency order with its last window and run, and the counts.
func (s *Sustain) MarshalBinary() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	e := codec.NewEncoder(sustainMagic, sustainVersion)
	c := s.cfg
	e.Int(c.Windows)
	putDuration(e, c.Window)
	for _, v := range []int{int(c.MinSeverity), c.MaxKeys, c.MaxKeyBytes, len(s.keys.index)} {
		e.Int(v)
	}
	s.keys.each(func(key string, v *sustainState) {
		e.String(key)
		sec, ns := unixParts(v.last)
		e.Int(sec)
		e.Int(ns)
		e.Int(v.streak)
	})
	st := s.stats
	for _, v := range []int{st.Windows, st.Sustained, st.Late, s.keys.evictions, s.keys.hashed} {
		e.Int(v)
	}
	return e.Bytes(), nil
}

// UnmarshalBinary restores a rule snapshotted by MarshalBinary. Corrupt,
// truncated or inconsistent input returns an error matching ErrCorrupt and
// leaves s unchanged.
func (s *Sustain) UnmarshalBinary(data []byte) error {
	d, _, err := codec.NewDecoder(pkg, sustainMagic, sustainVersion, data)
	if err != nil {
		return err
	}
	var c SustainConfig
	c.Windows = d.IntIn("windows", 1, maxSustainWindows)
	c.Window = getDuration(d, "window length", 0)
	c.MinSeverity = Severity(d.IntIn("minimum severity", int(Caution), int(Critical)))
	c.MaxKeys = d.IntIn("key bound", 1, maxKeysLimit)
	c.MaxKeyBytes = d.IntIn("key length bound", minKeyBytes, maxKeyLimit)
	n := d.IntIn("key count", 0, min(c.MaxKeys, len(data)/32))
	var x Sustain
	x.setup(c)
	for i := range n {
		key := d.String()
		sec := d.Int()
		ns := d.IntIn("nanoseconds", 0, 999_999_999)
		streak := d.IntIn("streak", 0, math.MaxInt32)
		if len(key) > c.MaxKeyBytes+1 || (len(key) == c.MaxKeyBytes+1 && key[len(key)-1] != 0xff) {
			d.Fail("key %d has %d bytes, over the bound %d", i, len(key), c.MaxKeyBytes)
			break
		}
		e, dup := x.keys.getStored(key)
		if dup {
			d.Fail("key %d is repeated", i)
			break
		}
		*e = sustainState{last: time.Unix(int64(sec), int64(ns)).UTC(), streak: streak}
	}
	var counts [5]int
	for i := range counts {
		counts[i] = d.IntIn("counter", 0, math.MaxInt)
	}
	if err := d.Err(); err != nil {
		return err
	}
	x.stats = SustainStats{Windows: counts[0], Sustained: counts[1], Late: counts[2]}
	x.keys.evictions, x.keys.hashed = counts[3], counts[4]
	if x.stats.Sustained+x.stats.Late > x.stats.Windows {
		return errorf(ErrCorrupt, "sustain snapshot counts are inconsistent")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg, s.keys, s.ready, s.stats = x.cfg, x.keys, true, x.stats
	return nil
}
