package score

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSustainTable(t *testing.T) {
	type win struct {
		key  string
		end  time.Duration
		sev  Severity
		want SustainResult
	}
	w := 10 * time.Second
	for _, tc := range []struct {
		name string
		cfg  SustainConfig
		wins []win
	}{
		{"two warnings in a row fire", SustainConfig{Window: w}, []win{
			{"u", 10 * time.Second, Warning, SustainResult{Streak: 1}},
			{"u", 20 * time.Second, Critical, SustainResult{Streak: 2, Sustained: true}},
			{"u", 30 * time.Second, Warning, SustainResult{Streak: 3, Sustained: true}},
			{"u", 40 * time.Second, Caution, SustainResult{}}, // below Warning breaks the run
			{"u", 50 * time.Second, Warning, SustainResult{Streak: 1}},
		}},
		{"a gap breaks the run", SustainConfig{Window: w}, []win{
			{"u", 10 * time.Second, Warning, SustainResult{Streak: 1}},
			{"u", 30 * time.Second, Warning, SustainResult{Streak: 1}}, // no window ended at 20 s
			{"u", 40 * time.Second, Warning, SustainResult{Streak: 2, Sustained: true}},
		}},
		{"keys are independent", SustainConfig{Windows: 3}, []win{
			{"a", 1, Critical, SustainResult{Streak: 1}},
			{"b", 1, Critical, SustainResult{Streak: 1}},
			{"a", 2, Critical, SustainResult{Streak: 2}},
			{"b", 2, Normal, SustainResult{}},
			{"a", 3, Warning, SustainResult{Streak: 3, Sustained: true}},
		}},
		{"late windows are ignored", SustainConfig{Window: w}, []win{
			{"u", 20 * time.Second, Warning, SustainResult{Streak: 1}},
			{"u", 10 * time.Second, Normal, SustainResult{Late: true}}, // would break the run
			{"u", 20 * time.Second, Normal, SustainResult{Late: true}},
			{"u", 30 * time.Second, Warning, SustainResult{Streak: 2, Sustained: true}},
		}},
		{"caution counts when asked", SustainConfig{MinSeverity: Caution}, []win{
			{"u", 1, Caution, SustainResult{Streak: 1}},
			{"u", 2, Caution, SustainResult{Streak: 2, Sustained: true}},
		}},
		{"one window is enough with N = 1", SustainConfig{Windows: 1}, []win{
			{"u", 1, Caution, SustainResult{}},
			{"u", 2, Warning, SustainResult{Streak: 1, Sustained: true}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSustain(tc.cfg)
			require.NoError(t, err)
			for i, x := range tc.wins {
				assert.Equal(t, x.want, s.Observe(x.key, t0.Add(x.end), x.sev), "window %d", i)
			}
		})
	}
}

func TestSustainConfig(t *testing.T) {
	for _, c := range []SustainConfig{{Windows: -1}, {Window: -1}, {MinSeverity: 7}, {MaxKeys: -2}, {MaxKeyBytes: 10}, {Windows: 1<<20 + 1}} {
		_, err := NewSustain(c)
		assert.ErrorIs(t, err, ErrConfig, "%+v", c)
	}
	var zero Sustain
	c := zero.Config()
	assert.Equal(t, SustainConfig{Windows: 2, MinSeverity: Warning, MaxKeys: 100_000, MaxKeyBytes: 256}, c)
	assert.False(t, zero.Observe("k", t0, Critical).Sustained)
	assert.True(t, zero.Observe("k", t0.Add(time.Hour), Critical).Sustained)
}

func TestSustainBoundedAndSnapshot(t *testing.T) {
	cfg := SustainConfig{Window: time.Minute, MaxKeys: 50, MaxKeyBytes: 64}
	straight, _ := NewSustain(cfg)
	type obs struct {
		key string
		end time.Time
		sev Severity
	}
	r := newRand(4)
	var all []obs
	for i := range 600 {
		k := "host-" + strconv.Itoa(r.IntN(80))
		if i%40 == 0 {
			k = k + string(make([]byte, 200)) // a long key
		}
		all = append(all, obs{k, t0.Add(time.Duration(i/4) * time.Minute), Severity(r.IntN(4))})
	}
	var want []SustainResult
	for _, o := range all {
		want = append(want, straight.Observe(o.key, o.end, o.sev))
	}
	st := straight.Stats()
	assert.LessOrEqual(t, st.Keys, 50)
	assert.Positive(t, st.Evictions)
	for cut := 0; cut <= len(all); cut += 75 {
		a, _ := NewSustain(cfg)
		for _, o := range all[:cut] {
			a.Observe(o.key, o.end, o.sev)
		}
		b, err := a.MarshalBinary()
		require.NoError(t, err)
		var c Sustain
		require.NoError(t, c.UnmarshalBinary(b))
		for i, o := range all[cut:] {
			require.Equal(t, want[cut+i], c.Observe(o.key, o.end, o.sev), "cut %d window %d", cut, cut+i)
		}
		assert.Equal(t, st, c.Stats())
	}
}
