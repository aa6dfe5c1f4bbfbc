package timeseries

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/vigil-ml/vigil/internal/tsmodel"
)

func TestScnDbg(t *testing.T) {
	if os.Getenv("SCN_DBG") == "" {
		t.Skip()
	}
	p, _ := tsmodel.NewParams(600, 1, 1)
	var s tsmodel.Series
	r := rand.New(rand.NewPCG(31, 32))
	t0 := scnStart.Unix()
	for b := 0; b < 7*144; b++ {
		s.Observe(p, t0+int64(b)*600, float64(scnPoisson(r, 50)), tsmodel.TwoSided)
	}
	for k := 0; k < 6; k++ {
		res := s.Observe(p, t0+int64(7*144+k)*600, 160, tsmodel.TwoSided)
		t.Logf("%+v", res)
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
