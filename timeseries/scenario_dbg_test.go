package timeseries

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/vigil-ml/vigil/internal/tsmodel"
)

// TestScnDbg reproduces the count model's heavy tails after a short
// history (VIGIL_SCENARIO_DEBUG=1 go test -run TestScnDbg -v ./timeseries).
func TestScnDbg(t *testing.T) {
	if os.Getenv("VIGIL_SCENARIO_DEBUG") == "" {
		t.Skip()
	}
	// A flat Poisson(50) count series of 600 s buckets, then 160: the
	// single-bucket p after d days of history.
	for _, days := range []int{2, 7, 28} {
		p, _ := tsmodel.NewParams(600, 1, 1)
		var s tsmodel.Series
		r := rand.New(rand.NewPCG(31, 32))
		t0 := scnStart.Unix()
		for b := 0; b < days*144; b++ {
			s.Observe(p, t0+int64(b)*600, float64(scnPoisson(r, 50)), tsmodel.TwoSided)
		}
		res := s.Observe(p, t0+int64(days*144)*600, 160, tsmodel.TwoSided)
		t.Logf("%2d days: p %.3g single %.3g typical %.4g bounds %.4g..%.4g score %.1f", days, res.Probability, res.SingleBucketP, res.Typical, res.Lower, res.Upper, ProbabilityScore(res.Probability))
	}
	_ = time.Second
}

func dumpWin(t *testing.T, s *scnRun, from, to time.Time) {
	for i := range s.recs {
		r := &s.recs[i]
		if !r.Timestamp.Before(from) && r.Timestamp.Before(to) {
			t.Logf("%s p=%.3g mbi=%.2f lo=%.3g up=%.3g", descr(r), r.Probability, r.MultiBucketImpact, r.Lower, r.Upper)
		}
	}
}
