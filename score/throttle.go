package score

import (
	"math"
	"sync"
	"time"

	"github.com/vigil-ml/vigil/internal/codec"
)

// ThrottleConfig configures a Throttle. The zero value means one alert per
// key per 5 minutes, at most 100,000 keys of at most 256 bytes each.
type ThrottleConfig struct {
	// Interval is the quiet time after an allowed alert during which
	// further alerts of the same key are suppressed; default 5 minutes.
	Interval time.Duration
	// MaxKeys bounds the keys remembered; default 100,000. When a new key
	// arrives at the bound, the key least recently offered (allowed or
	// suppressed) is forgotten and counted in Evictions: its next alert is
	// allowed at once, and its pending suppressed count is lost (it stays
	// in Stats.Suppressed). A key still being suppressed is thus the last
	// to go.
	MaxKeys int
	// MaxKeyBytes bounds the bytes remembered per key, from 64 to 2^20;
	// default 256. A longer key is remembered by its first MaxKeyBytes − 32
	// bytes and its SHA-256 digest (MaxKeyBytes + 1 bytes in all), so that
	// distinct keys stay distinct while memory stays within
	// Stats.MemoryBound, about MaxKeys·(MaxKeyBytes + 161) bytes (38 MB
	// with the defaults), whatever the keys.
	MaxKeyBytes int
}

func (c ThrottleConfig) resolve() (ThrottleConfig, error) {
	if c.Interval < 0 {
		return c, errorf(ErrConfig, "throttle interval %v is negative", c.Interval)
	}
	if err := checkKeyBounds("throttle", c.MaxKeys, c.MaxKeyBytes); err != nil {
		return c, err
	}
	if c.Interval == 0 {
		c.Interval = 5 * time.Minute
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = defaultMaxKeys
	}
	if c.MaxKeyBytes == 0 {
		c.MaxKeyBytes = defaultMaxKeyBytes
	}
	return c, nil
}

// ThrottleDecision is the outcome of one alert offered to a Throttle.
type ThrottleDecision struct {
	// Allowed is true when the alert should be sent.
	Allowed bool
	// Suppressed is, on an allowed alert, how many alerts of the same key
	// were suppressed since the key's previous allowed alert ("and 999 more
	// like it"); on a suppressed alert, how many have been suppressed so far
	// in the current interval, this one included.
	Suppressed int
}

// ThrottleStats are a throttle's running counts.
type ThrottleStats struct {
	Allowed     int // alerts let through
	Suppressed  int // alerts held back, Late included
	Late        int // alerts stamped before their key's last allowed alert
	Evictions   int // keys forgotten to keep within MaxKeys
	LongKeys    int // alerts whose key was longer than MaxKeyBytes
	Keys        int // keys remembered now
	MaxKeys     int // the bound on Keys
	MemoryBound int // bytes the remembered keys can take at most
}

type throttleState struct {
	last       time.Time // the key's last allowed alert; only moves forward
	suppressed int       // suppressed since then
}

// Throttle lets through at most one alert per key per interval and counts
// what it suppresses. Times are given by the caller (event time, not the
// wall clock), so that replays and tests are deterministic.
//
// A key's state never moves backward in time: an alert is allowed only when
// it comes at least Interval after the key's last allowed alert, so one that
// arrives out of order, stamped before that alert, is suppressed and counted
// as Late, whatever its lag. Letting it through would either rewind the
// key's clock (and a later alert inside the interval would pass) or, if
// the state were left alone, let a replay of back-dated alerts through
// one by one.
//
// Memory is bounded by MaxKeys and MaxKeyBytes (see ThrottleConfig): the
// entries live in one slice that never grows past MaxKeys, indexed by a map
// that never holds more than MaxKeys keys. A key evicted to make room is
// forgotten, so its next alert, late or not, is allowed.
//
// A zero Throttle is ready to use with the default configuration. It is
// safe for concurrent use, and MarshalBinary/UnmarshalBinary snapshot and
// restore it exactly.
type Throttle struct {
	mu    sync.Mutex
	cfg   ThrottleConfig
	keys  keyed[throttleState]
	ready bool
	stats ThrottleStats
}

// NewThrottle returns an empty throttle.
func NewThrottle(cfg ThrottleConfig) (*Throttle, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	t := &Throttle{}
	t.setup(cfg)
	return t, nil
}

func (t *Throttle) setup(cfg ThrottleConfig) {
	t.cfg = cfg
	t.keys.init(cfg.MaxKeys, cfg.MaxKeyBytes)
	t.stats = ThrottleStats{MaxKeys: cfg.MaxKeys}
	t.ready = true
}

// init fills in defaults, so that a zero Throttle works.
func (t *Throttle) init() {
	if !t.ready {
		cfg, _ := ThrottleConfig{}.resolve()
		t.setup(cfg)
	}
}

// Config returns the configuration with defaults filled in.
func (t *Throttle) Config() ThrottleConfig {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	return t.cfg
}

// Allow offers an alert of key at time now. It is allowed when the key has
// no allowed alert remembered, or when now is at least Interval after the
// key's last allowed alert.
func (t *Throttle) Allow(key string, now time.Time) ThrottleDecision {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	e, ok := t.keys.get(key)
	if ok {
		// Sub saturates, so huge gaps compare correctly.
		if d := now.Sub(e.last); d < t.cfg.Interval {
			if d < 0 {
				t.stats.Late++
			}
			e.suppressed++
			t.stats.Suppressed++
			return ThrottleDecision{Suppressed: e.suppressed}
		}
	}
	n := e.suppressed
	*e = throttleState{last: now}
	t.stats.Allowed++
	return ThrottleDecision{Allowed: true, Suppressed: n}
}

// Pending returns how many alerts of key have been suppressed since its last
// allowed alert (0 for a key not remembered).
func (t *Throttle) Pending(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	if e, ok := t.keys.peek(key); ok {
		return e.suppressed
	}
	return 0
}

// Stats returns the running counts.
func (t *Throttle) Stats() ThrottleStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	s := t.stats
	s.Keys = len(t.keys.index)
	s.Evictions = t.keys.evictions
	s.LongKeys = t.keys.hashed
	s.MemoryBound = t.keys.memoryBound()
	return s
}

const throttleMagic, throttleVersion = "STHT", 1

// MarshalBinary snapshots the throttle: its configuration, every remembered
// key with its last allowed time and pending count, in recency order, and
// the counts.
func (t *Throttle) MarshalBinary() ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	e := codec.NewEncoder(throttleMagic, throttleVersion)
	putDuration(e, t.cfg.Interval)
	e.Int(t.cfg.MaxKeys)
	e.Int(t.cfg.MaxKeyBytes)
	e.Int(len(t.keys.index))
	t.keys.each(func(key string, v *throttleState) {
		e.String(key)
		s, ns := unixParts(v.last)
		e.Int(s)
		e.Int(ns)
		e.Int(v.suppressed)
	})
	st := t.stats
	for _, v := range []int{st.Allowed, st.Suppressed, st.Late, t.keys.evictions, t.keys.hashed} {
		e.Int(v)
	}
	return e.Bytes(), nil
}

// UnmarshalBinary restores a throttle snapshotted by MarshalBinary. Corrupt,
// truncated or inconsistent input returns an error matching ErrCorrupt and
// leaves t unchanged.
func (t *Throttle) UnmarshalBinary(data []byte) error {
	d, _, err := codec.NewDecoder(pkg, throttleMagic, throttleVersion, data)
	if err != nil {
		return err
	}
	var c ThrottleConfig
	c.Interval = getDuration(d, "interval", 1)
	c.MaxKeys = d.IntIn("key bound", 1, maxKeysLimit)
	c.MaxKeyBytes = d.IntIn("key length bound", minKeyBytes, maxKeyLimit)
	// A key takes at least 32 bytes (length, two time fields, count).
	n := d.IntIn("key count", 0, min(c.MaxKeys, len(data)/32))
	var x Throttle
	x.setup(c)
	for i := range n {
		key := d.String()
		sec := d.Int()
		ns := d.IntIn("nanoseconds", 0, 999_999_999)
		sup := d.IntIn("pending count", 0, math.MaxInt)
		if len(key) > c.MaxKeyBytes+1 || (len(key) == c.MaxKeyBytes+1 && key[len(key)-1] != 0xff) {
			d.Fail("key %d has %d bytes, over the bound %d", i, len(key), c.MaxKeyBytes)
			break
		}
		e, dup := x.keys.getStored(key)
		if dup {
			d.Fail("key %d is repeated", i)
			break
		}
		*e = throttleState{last: time.Unix(int64(sec), int64(ns)).UTC(), suppressed: sup}
	}
	var counts [5]int
	for i := range counts {
		counts[i] = d.IntIn("counter", 0, math.MaxInt)
	}
	if err := d.Err(); err != nil {
		return err
	}
	x.stats.Allowed, x.stats.Suppressed, x.stats.Late = counts[0], counts[1], counts[2]
	x.keys.evictions, x.keys.hashed = counts[3], counts[4]
	if x.stats.Late > x.stats.Suppressed {
		return errorf(ErrCorrupt, "throttle snapshot counts are inconsistent")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg, t.keys, t.ready, t.stats = x.cfg, x.keys, true, x.stats
	return nil
}

// putDuration and getDuration keep durations in 64 bits on every platform
// (an int is 32 bits on 386, under 2.2 s of nanoseconds); the bytes are
// those of Encoder.Int on 64-bit platforms.
func putDuration(e *codec.Encoder, v time.Duration) { e.Uint64(uint64(v)) }

func getDuration(d *codec.Decoder, what string, lo time.Duration) time.Duration {
	v := time.Duration(d.Uint64())
	if v < lo { // Fail keeps the first error, so a short read wins
		d.Fail("%s is %d, want at least %d", what, v, lo)
		return lo
	}
	return v
}
