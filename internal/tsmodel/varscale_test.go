package tsmodel

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vigil-ml/vigil/internal/check"
)

// backupHost is one host's outbound bytes per 5-minute bucket: about 1 MB
// by day, 0.4 MB at night, and a nightly backup of about 100 MB from 01:00
// to 03:00 UTC, each with its own lognormal spread.
func backupHost(r *rand.Rand, ts int64) float64 {
	sec := ts % 86400
	if sec >= hour && sec < 3*hour {
		return 1e8 * math.Exp(0.15*r.NormFloat64())
	}
	v := 1e6 * math.Exp(0.25*r.NormFloat64())
	if sec < 6*hour || sec >= 22*hour {
		v *= 0.4
	}
	return v
}

func TestVarScaleFollowsBackupHours(t *testing.T) {
	p := mustParams(t, 300)
	r := rand.New(rand.NewPCG(7, 7))
	var s Series
	for ts := start; ts < start+21*86400; ts += 300 {
		s.Observe(p, ts, backupHost(r, ts), High)
	}
	now := start + 21*86400
	day := s.sdScale(p, now, 14)
	night := s.sdScale(p, now, 1.5)
	// The daytime residual deviation is about 0.25 MB against a global
	// one of about 4-5 MB dominated by the backup hours (15 MB of spread
	// in 2 of 24 hours): the day factor must be well below 1/5, the backup
	// one above 2.
	if !(day < 0.2 && night > 2) {
		t.Fatalf("sd factors: day %.3g, backup %.3g; want < 0.2 and > 2", day, night)
	}
	_, _, up := s.Predict(p, now+14*hour)
	if up > 3e6 {
		t.Errorf("daytime upper bound %.3g, want < 3 MB (the backup's variance must not widen the day)", up)
	}
}

func TestVarScaleOffWhenHomoscedastic(t *testing.T) {
	p := mustParams(t, 300)
	r := rand.New(rand.NewPCG(3, 3))
	var s Series
	for ts := start; ts < start+21*86400; ts += 300 {
		ph := 2 * math.Pi * float64(ts%86400) / 86400
		v := 100 + 30*math.Sin(ph) + 5*r.NormFloat64()
		s.Observe(p, ts, v, TwoSided)
		if ts > start+3*86400 {
			if f := s.sdScale(p, ts, float64(ts%86400)/hour); f != 1 {
				t.Fatalf("homoscedastic series: sd factor %v at %v, want exactly 1", f, ts)
			}
		}
	}
	if s.season == 0 {
		t.Fatal("daily season not selected; the test does not exercise the gate")
	}
}

func TestVarScaleLeakDoesNotWidenItsSlot(t *testing.T) {
	p := mustParams(t, 300)
	r := rand.New(rand.NewPCG(5, 5))
	var s Series
	leak := start + 20*86400 + 14*hour + 20*60
	var before int8
	for ts := start; ts < leak+40*60; ts += 300 {
		v := backupHost(r, ts)
		if ts == leak {
			before = s.vscale[14]
		}
		if ts >= leak {
			v = 5e7
		}
		s.Observe(p, ts, v, High)
	}
	// Eight buckets of a 50× leak, each clipped to 36 of the slot's
	// variance and outlier-weighted to 1% of a gain of 1/24: about 12% of
	// variance, two codes. Unweighted, the slot's variance would grow more
	// than a hundredfold.
	if d := int(s.vscale[14]) - int(before); d > 2 {
		t.Fatalf("leak moved its slot's variance code by %d (%d → %d), want ≤ 2", d, before, s.vscale[14])
	}
}

func TestDecodeRefusesOldVersion(t *testing.T) {
	var s Series
	b := s.AppendBinary(nil)
	b[0] = codecVersion - 1
	_, err := s.DecodeBinary(b)
	if !errors.Is(err, check.ErrCorrupt) || err == nil || !strings.Contains(err.Error(), "version") {
		t.Fatalf("old snapshot: error %v, want ErrCorrupt naming the version", err)
	}
}

// A snapshot taken while the variance scale is active restores to a
// series that continues bit-identically.
func TestVarScaleSnapshotContinues(t *testing.T) {
	p := mustParams(t, 300)
	r := rand.New(rand.NewPCG(9, 9))
	var s Series
	ts := start
	for ; ts < start+15*86400; ts += 300 {
		s.Observe(p, ts, backupHost(r, ts), High)
	}
	if f := s.sdScale(p, ts, 14); f == 1 {
		t.Fatal("variance scale inactive; the test does not exercise it")
	}
	var c Series
	if _, err := c.DecodeBinary(s.AppendBinary(nil)); err != nil {
		t.Fatal(err)
	}
	for ; ts < start+17*86400; ts += 300 {
		v := backupHost(r, ts)
		if a, b := s.Observe(p, ts, v, High), c.Observe(p, ts, v, High); a != b {
			t.Fatalf("restored series diverges at %d: %+v vs %+v", ts, a, b)
		}
	}
}
