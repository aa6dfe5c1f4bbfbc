package timeseries

import (
	"testing"
	"time"
)

func TestScnDbg(t *testing.T) {
	t.Skip()
}

func dumpWin(t *testing.T, s *scnRun, from, to time.Time) {
	for i := range s.recs {
		r := &s.recs[i]
		if !r.Timestamp.Before(from) && r.Timestamp.Before(to) {
			t.Logf("%s p=%.3g mbi=%.2f lo=%.3g up=%.3g", descr(r), r.Probability, r.MultiBucketImpact, r.Lower, r.Upper)
		}
	}
}
