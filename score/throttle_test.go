package score

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestThrottleOneKey(t *testing.T) {
	th, err := NewThrottle(ThrottleConfig{})
	require.NoError(t, err)
	allowed := 0
	for i := range 1000 {
		// 1,000 alerts 250 ms apart: the last is 249.75 s after the first.
		d := th.Allow("bot-42/repeat", t0.Add(time.Duration(i)*250*time.Millisecond))
		if d.Allowed {
			allowed++
		}
	}
	st := th.Stats()
	t.Logf("1000 alerts in 5 minutes: %d allowed, %d suppressed", st.Allowed, st.Suppressed)
	assert.Equal(t, 1, allowed)
	assert.Equal(t, 1, st.Allowed)
	assert.Equal(t, 999, st.Suppressed)
	assert.Equal(t, 999, th.Pending("bot-42/repeat"))
	// Exactly 5 minutes after the allowed alert, the next one goes through
	// and reports the 999 it stood for.
	d := th.Allow("bot-42/repeat", t0.Add(5*time.Minute))
	assert.Equal(t, ThrottleDecision{Allowed: true, Suppressed: 999}, d)
	assert.Zero(t, th.Pending("bot-42/repeat"))
}

func TestThrottleTable(t *testing.T) {
	type offer struct {
		key  string
		at   time.Duration
		want ThrottleDecision
	}
	for _, tc := range []struct {
		name   string
		cfg    ThrottleConfig
		offers []offer
	}{
		{"keys are independent", ThrottleConfig{}, []offer{
			{"a", 0, ThrottleDecision{Allowed: true}},
			{"b", time.Second, ThrottleDecision{Allowed: true}},
			{"a", 2 * time.Second, ThrottleDecision{Suppressed: 1}},
			{"b", 3 * time.Second, ThrottleDecision{Suppressed: 1}},
		}},
		{"just under the interval is suppressed", ThrottleConfig{Interval: time.Minute}, []offer{
			{"a", 0, ThrottleDecision{Allowed: true}},
			{"a", time.Minute - time.Nanosecond, ThrottleDecision{Suppressed: 1}},
			{"a", time.Minute, ThrottleDecision{Allowed: true, Suppressed: 1}},
		}},
		{"out of order within the interval is suppressed", ThrottleConfig{}, []offer{
			{"a", time.Hour, ThrottleDecision{Allowed: true}},
			{"a", time.Hour - time.Minute, ThrottleDecision{Suppressed: 1}},
			{"a", time.Hour - 10*time.Minute, ThrottleDecision{Allowed: true, Suppressed: 1}},
		}},
		{"the least recently offered key is evicted", ThrottleConfig{MaxKeys: 2}, []offer{
			{"a", 0, ThrottleDecision{Allowed: true}},
			{"b", 1, ThrottleDecision{Allowed: true}},
			{"a", 2, ThrottleDecision{Suppressed: 1}}, // a is now more recent than b
			{"c", 3, ThrottleDecision{Allowed: true}}, // evicts b
			{"a", 4, ThrottleDecision{Suppressed: 2}}, // a is remembered
			{"b", 5, ThrottleDecision{Allowed: true}}, // b was forgotten; evicts c
			{"c", 6, ThrottleDecision{Allowed: true}}, // c was forgotten; evicts a
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th, err := NewThrottle(tc.cfg)
			require.NoError(t, err)
			for i, o := range tc.offers {
				assert.Equal(t, o.want, th.Allow(o.key, t0.Add(o.at)), "offer %d (%s at %v)", i, o.key, o.at)
			}
		})
	}
}

func TestThrottleMemoryBound(t *testing.T) {
	const maxKeys, distinct = 10_000, 1_000_000
	th, err := NewThrottle(ThrottleConfig{MaxKeys: maxKeys})
	require.NoError(t, err)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peakKeys := 0
	for i := range distinct {
		th.Allow("user-"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Millisecond))
		if i%1000 == 0 {
			peakKeys = max(peakKeys, th.Stats().Keys)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	st := th.Stats()
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d distinct keys: keys kept %d (peak %d, bound %d), evictions %d, entries cap %d, heap growth %.2f MB",
		distinct, st.Keys, peakKeys, st.MaxKeys, st.Evictions, cap(th.entries), float64(grown)/(1<<20))
	assert.Equal(t, maxKeys, st.Keys)
	assert.LessOrEqual(t, peakKeys, maxKeys)
	assert.Equal(t, distinct-maxKeys, st.Evictions)
	assert.Equal(t, distinct, st.Allowed)
	assert.LessOrEqual(t, cap(th.entries), maxKeys)
	// 10,000 keys need about 2 MB; 1,000,000 kept keys would need over
	// 100 MB. Allow 8 MB.
	assert.Less(t, grown, int64(8<<20))
	runtime.KeepAlive(th)
}

func TestThrottleConfigErrors(t *testing.T) {
	_, err := NewThrottle(ThrottleConfig{Interval: -time.Second})
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewThrottle(ThrottleConfig{MaxKeys: -1})
	assert.ErrorIs(t, err, ErrConfig)
}

func ExampleThrottle() {
	th, _ := NewThrottle(ThrottleConfig{}) // one alert per key per 5 minutes
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 1000 {
		th.Allow("alice/credential-stuffing", start.Add(time.Duration(i)*100*time.Millisecond))
	}
	d := th.Allow("alice/credential-stuffing", start.Add(6*time.Minute))
	st := th.Stats()
	fmt.Printf("allowed %d, suppressed %d; the alert at 09:06 stands for %d more\n", st.Allowed, st.Suppressed, d.Suppressed)
	// Output: allowed 2, suppressed 999; the alert at 09:06 stands for 999 more
}

func TestZeroThrottleUsesDefaults(t *testing.T) {
	var th Throttle
	t0 := time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)
	assert.True(t, th.Allow("admin", t0).Allowed)
	assert.False(t, th.Allow("admin", t0.Add(4*time.Minute+59*time.Second)).Allowed)
	assert.True(t, th.Allow("admin", t0.Add(5*time.Minute)).Allowed)
	assert.Equal(t, 100_000, th.Stats().MaxKeys)
}
