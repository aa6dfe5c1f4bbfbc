package tsmodel_test

import (
	"fmt"
	"math"

	"github.com/vigil-ml/vigil/internal/tsmodel"
)

// A per-host count of outbound connections per 5 minutes: a quiet week,
// then a burst of 60 in one bucket.
func Example() {
	p, err := tsmodel.NewParams(300, 0, 0)
	if err != nil {
		panic(err)
	}
	var s tsmodel.Series
	t := int64(1704067200) // Monday 2024-01-01 00:00 UTC
	for i := 0; i < 7*288; i++ {
		// A deterministic count that cycles 2, 3, 4, 5, 3 over the day.
		v := 2 + float64(i%5)
		if i%5 == 4 {
			v = 3
		}
		s.Update(p, t, v)
		t += 300
	}
	r := s.Score(p, t, 60, tsmodel.High)
	fmt.Printf("warm %v, typical %.1f, 95%% bounds [%.1f, %.1f]\n", r.Warm, r.Typical, r.Lower, r.Upper)
	fmt.Printf("burst of 60: -log10 p = %.0f\n", math.Floor(-math.Log10(r.Probability)))
	r = s.Score(p, t, 4, tsmodel.High)
	fmt.Printf("count of 4: p = %.2f\n", r.Probability)
	// Output:
	// warm true, typical 3.4, 95% bounds [0.0, 7.0]
	// burst of 60: -log10 p = 17
	// count of 4: p = 0.99
}
