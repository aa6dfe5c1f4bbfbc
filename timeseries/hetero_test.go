package timeseries_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vigil-ml/vigil/internal/tsmodel"
	"github.com/vigil-ml/vigil/timeseries"
)

// TestBackupAndDaytimeLeakSameHost is the exfiltration case the shipped
// example avoids: one host whose nightly backup (01:00-03:00) moves about
// 100 times its daytime volume, with its own spread, and which later leaks
// 50 times its daytime volume for 40 minutes in the afternoon. A residual
// spread that is not seasonal lets the backup's variance widen the daytime
// bounds so that the leak scores low; the seasonal variance scale must keep
// the leak at record score ≥ 75 while the recurring backups stay below 50.
//
// Cases: 5-minute buckets with the backup at 100× and 20× the daytime
// volume, 15-minute buckets at 20×; three seeds each.
func TestBackupAndDaytimeLeakSameHost(t *testing.T) {
	for _, tc := range []struct {
		span  int64
		ratio float64
	}{{300, 100}, {300, 20}, {900, 20}} {
		t.Run(fmt.Sprintf("span%d_backup%gx", tc.span, tc.ratio), func(t *testing.T) {
			backupLeak(t, tc.span, tc.ratio)
		})
	}
}

func backupLeak(t *testing.T, span int64, ratio float64) {
	const (
		start = int64(1704067200) // Monday 2024-01-01 00:00 UTC
		days  = 26
		leakD = 24 // a Thursday
	)
	leakAt := start + leakD*86400 + 14*3600 + 15*60
	for seed := uint64(1); seed <= 3; seed++ {
		p, err := tsmodel.NewParams(span, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(seed, 99))
		var s tsmodel.Series
		leakMax, backupMax := 0.0, 0.0
		var backupAt int64
		var dayUpper float64
		for ts := start; ts < start+days*86400; ts += span {
			sec := ts % 86400
			v := 1e6 * math.Exp(0.25*r.NormFloat64()) // daytime-ish volume, lognormal spread
			if sec < 6*3600 || sec >= 22*3600 {
				v *= 0.4 // quieter nights
			}
			backup := sec >= 1*3600 && sec < 3*3600
			if backup {
				v = ratio * 1e6 * math.Exp(0.15*r.NormFloat64())
			}
			leak := ts >= leakAt && ts < leakAt+40*60
			if leak {
				v = 5e7 * math.Exp(0.1*r.NormFloat64())
			}
			res := s.Observe(p, ts, v, tsmodel.High)
			sc := timeseries.ProbabilityScore(res.Probability)
			switch {
			case leak:
				leakMax = math.Max(leakMax, sc)
			case backup && ts >= start+7*86400:
				if sc > backupMax {
					backupMax, backupAt = sc, ts
				}
			}
			if ts == leakAt-span {
				dayUpper = res.Upper
			}
		}
		t.Logf("seed %d: leak max score %.1f, backup max score %.1f (at day %d), daytime upper bound before the leak %.3g",
			seed, leakMax, backupMax, (backupAt-start)/86400, dayUpper)
		if leakMax < 75 {
			t.Errorf("seed %d: daytime leak scores %.1f, want ≥ 75", seed, leakMax)
		}
		if backupMax >= 50 {
			t.Errorf("seed %d: a recurring backup after the first week scores %.1f, want < 50", seed, backupMax)
		}
	}
}
