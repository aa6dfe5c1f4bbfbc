package nab_test

import (
	"fmt"

	"github.com/vigil-ml/vigil/benchmarks/nab"
)

// Scoring a detector on a one-file corpus of 100 rows (15 probationary)
// with one anomaly window at rows 40..49. The detector scores the window's
// third row 0.9 and a row long after it 0.7: the best threshold, 0.9, keeps
// the detection (worth σ(-0.8)/σ(-1) = 0.977) and drops the false alarm.
func Example() {
	f := &nab.File{Name: "demo/a.csv", Windows: [][2]int{{40, 49}}}
	scores := make([]float64, 100)
	for i := range scores {
		f.Times = append(f.Times, int64(i)*300)
		f.Stamps = append(f.Stamps, "")
		f.Values = append(f.Values, 0)
	}
	scores[42], scores[43], scores[90] = 0.9, 0.8, 0.7
	c := &nab.Corpus{Files: []*nab.File{f}}
	for _, p := range nab.Profiles {
		res, err := c.Optimize([][]float64{scores}, p)
		if err != nil {
			panic(err)
		}
		fs := res.Files[0]
		fmt.Printf("%-18s threshold %.1f raw %.3f normalised %.1f (TP %d FP %d FN %d)\n",
			p.Name, res.Threshold, res.Raw, res.Normalized, fs.TP, fs.FP, fs.FN)
	}
	// Output:
	// standard           threshold 0.9 raw 0.977 normalised 98.9 (TP 1 FP 0 FN 9)
	// reward_low_FP_rate threshold 0.9 raw 0.977 normalised 98.9 (TP 1 FP 0 FN 9)
	// reward_low_FN_rate threshold 0.9 raw 0.977 normalised 99.2 (TP 1 FP 0 FN 9)
}
