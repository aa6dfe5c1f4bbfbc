package score

import (
	"sync"
	"time"

	"github.com/vigil-ml/vigil/internal/check"
)

// ThrottleConfig configures a Throttle. The zero value means one alert per
// key per 5 minutes and at most 100,000 keys.
type ThrottleConfig struct {
	// Interval is the quiet time after an alert during which further alerts
	// of the same key are suppressed; default 5 minutes.
	Interval time.Duration
	// MaxKeys bounds the keys remembered; default 100,000. When a new key
	// arrives at the bound, the key least recently offered (allowed or
	// suppressed) is forgotten and counted in Evictions: its next alert is
	// allowed at once, and its pending suppressed count is lost (it stays
	// in Stats.Suppressed). A key still being suppressed is thus the last
	// to go.
	MaxKeys int
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
	Allowed    int // alerts let through
	Suppressed int // alerts held back
	Evictions  int // keys forgotten to keep within MaxKeys
	Keys       int // keys remembered now
	MaxKeys    int // the bound on Keys
}

type throttleEntry struct {
	key        string
	last       time.Time // time of the key's last allowed alert
	suppressed int       // suppressed since then
	prev, next int32     // recency list, -1 at the ends
}

// Throttle lets through at most one alert per key per interval and counts
// what it suppresses. Times are given by the caller, so that replays and
// tests are deterministic. Its memory is bounded by MaxKeys: entries live in
// one slice that never grows past MaxKeys, indexed by a map that never holds
// more than MaxKeys keys. It is safe for concurrent use.
type Throttle struct {
	mu         sync.Mutex
	interval   time.Duration
	maxKeys    int
	entries    []throttleEntry
	index      map[string]int32
	head, tail int32 // head is the least recently offered
	churn      int   // evictions since the index was last rebuilt
	stats      ThrottleStats
}

// NewThrottle returns an empty throttle. A zero Throttle is ready to use
// with the default configuration.
func NewThrottle(cfg ThrottleConfig) (*Throttle, error) {
	if cfg.Interval < 0 {
		return nil, check.Errorf(pkg, ErrConfig, "throttle interval %v is negative", cfg.Interval)
	}
	if cfg.MaxKeys < 0 || cfg.MaxKeys > 1<<30 {
		return nil, check.Errorf(pkg, ErrConfig, "throttle key bound %d outside 1 to 2^30", cfg.MaxKeys)
	}
	t := &Throttle{interval: cfg.Interval, maxKeys: cfg.MaxKeys}
	t.init()
	return t, nil
}

// init fills in defaults, so that a zero Throttle works.
func (t *Throttle) init() {
	if t.index != nil {
		return
	}
	if t.interval == 0 {
		t.interval = 5 * time.Minute
	}
	if t.maxKeys == 0 {
		t.maxKeys = 100_000
	}
	t.index = make(map[string]int32)
	t.head, t.tail = -1, -1
	t.stats.MaxKeys = t.maxKeys
}

// Allow offers an alert of key at time now. It is allowed when the key has
// no allowed alert within the interval before or after now (an alert that
// arrives out of order, earlier than the key's last one but within the
// interval, is suppressed too).
func (t *Throttle) Allow(key string, now time.Time) ThrottleDecision {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	if i, ok := t.index[key]; ok {
		e := &t.entries[i]
		if d := now.Sub(e.last); d < t.interval && d > -t.interval {
			e.suppressed++
			t.stats.Suppressed++
			t.unlink(i)
			t.pushBack(i)
			return ThrottleDecision{Suppressed: e.suppressed}
		}
		n := e.suppressed
		e.last, e.suppressed = now, 0
		t.unlink(i)
		t.pushBack(i)
		t.stats.Allowed++
		return ThrottleDecision{Allowed: true, Suppressed: n}
	}
	var i int32
	if len(t.entries) < t.maxKeys {
		if len(t.entries) == cap(t.entries) {
			grown := make([]throttleEntry, len(t.entries), min(t.maxKeys, max(16, 2*cap(t.entries))))
			copy(grown, t.entries)
			t.entries = grown
		}
		t.entries = append(t.entries, throttleEntry{})
		i = int32(len(t.entries) - 1)
	} else {
		i = t.head
		t.unlink(i)
		delete(t.index, t.entries[i].key)
		t.stats.Evictions++
		if t.churn++; t.churn >= t.maxKeys {
			t.rebuild()
		}
	}
	t.entries[i] = throttleEntry{key: key, last: now}
	t.index[key] = i
	t.pushBack(i)
	t.stats.Allowed++
	return ThrottleDecision{Allowed: true}
}

// rebuild copies the index into a fresh map. A Go map that sees endless
// deletions and insertions may keep the space of deleted slots; rebuilding
// after every MaxKeys evictions keeps its size proportional to MaxKeys
// whatever the runtime does, at an amortised cost of one map insertion per
// eviction.
func (t *Throttle) rebuild() {
	fresh := make(map[string]int32, len(t.index))
	for k, v := range t.index {
		fresh[k] = v
	}
	t.index, t.churn = fresh, 0
}

func (t *Throttle) unlink(i int32) {
	e := &t.entries[i]
	if e.prev >= 0 {
		t.entries[e.prev].next = e.next
	} else {
		t.head = e.next
	}
	if e.next >= 0 {
		t.entries[e.next].prev = e.prev
	} else {
		t.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (t *Throttle) pushBack(i int32) {
	e := &t.entries[i]
	e.prev, e.next = t.tail, -1
	if t.tail >= 0 {
		t.entries[t.tail].next = i
	} else {
		t.head = i
	}
	t.tail = i
}

// Pending returns how many alerts of key have been suppressed since its last
// allowed alert (0 for a key not remembered).
func (t *Throttle) Pending(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if i, ok := t.index[key]; ok {
		return t.entries[i].suppressed
	}
	return 0
}

// Stats returns the running counts.
func (t *Throttle) Stats() ThrottleStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	s := t.stats
	s.Keys = len(t.index)
	return s
}
