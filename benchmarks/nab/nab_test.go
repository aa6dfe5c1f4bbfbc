package nab

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
)

// corpusDir finds the shared NAB corpus or skips.
func corpusDir(t *testing.T) string {
	t.Helper()
	root, err := dataset.Root()
	if err != nil {
		t.Skipf("NAB corpus not found: %v", err)
	}
	dir := filepath.Join(root, "nab")
	if _, err := os.Stat(filepath.Join(dir, "labels", "combined_windows.json")); err != nil {
		t.Skipf("NAB corpus not found in %s", dir)
	}
	return dir
}

func TestScaledSigmoid(t *testing.T) {
	// Values NAB's documentation states.
	for _, tc := range []struct{ x, want float64 }{{-1, 0.98661}, {-0.5, 0.84828}, {0, 0}, {1, -0.98661}, {3, -1}, {10, -1}} {
		if got := ScaledSigmoid(tc.x); math.Abs(got-tc.want) > 1e-5 {
			t.Errorf("ScaledSigmoid(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

func TestProbationLength(t *testing.T) {
	for _, tc := range []struct{ n, want int }{{4032, 604}, {1000, 150}, {15833, 750}, {22695, 750}, {10, 1}} {
		if got := ProbationLength(tc.n); got != tc.want {
			t.Errorf("ProbationLength(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// toy is a 100-row file (probation 15) with windows [40,49] and [80,89].
func toy() *Corpus {
	f := &File{Name: "toy/a.csv", Windows: [][2]int{{40, 49}, {80, 89}}}
	for i := 0; i < 100; i++ {
		f.Times = append(f.Times, int64(i)*300)
		f.Stamps = append(f.Stamps, "")
		f.Values = append(f.Values, 0)
	}
	return &Corpus{Files: []*File{f}}
}

func TestScoreByHand(t *testing.T) {
	c := toy()
	s := make([]float64, 100)
	s[10] = 1 // probationary: ignored
	s[20] = 1 // before any window: -fpWeight
	s[42] = 1 // window 1, position -(49-42+1)/10 = -0.8: σ=0.964028 / 0.986614
	s[45] = 1 // later detection in the same window: no extra credit
	s[70] = 1 // after window 1: position 21/9, σ=-0.999983·0.11
	res, err := c.ScoreAt([][]float64{s}, Profiles[0], 0.5)
	if err != nil {
		t.Fatal(err)
	}
	want := -0.11 + 0.964028/0.986614 - 0.999983*0.11 - 1 // window 2 missed
	if math.Abs(res.Raw-want) > 1e-5 {
		t.Errorf("raw %v, want %v", res.Raw, want)
	}
	fs := res.Files[0]
	if fs.TP != 2 || fs.FP != 2 || fs.FN != 18 || fs.TN != 85-22 {
		t.Errorf("counts %+v", fs)
	}
	if res.Null != -2 || res.Perfect != 2 {
		t.Errorf("null %v perfect %v", res.Null, res.Perfect)
	}
	// A detection at a window's first row earns exactly tpWeight.
	p := make([]float64, 100)
	p[40], p[80] = 1, 1
	res, _ = c.ScoreAt([][]float64{p}, Profiles[2], 0.5)
	if math.Abs(res.Normalized-100) > 1e-9 {
		t.Errorf("perfect detector normalised %v", res.Normalized)
	}
}

// TestOptimizeMatchesBruteForce checks the sweep against scoring at every
// distinct threshold.
func TestOptimizeMatchesBruteForce(t *testing.T) {
	c := toy()
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		s := make([]float64, 100)
		for i := range s {
			s[i] = math.Round(r.Float64()*40) / 40
			if i >= 38 && i < 50 && trial%2 == 0 {
				s[i] += 0.3
			}
		}
		for _, p := range Profiles {
			got, err := c.Optimize([][]float64{s}, p)
			if err != nil {
				t.Fatal(err)
			}
			best := NullScore(2, p)
			for _, thr := range s {
				res, _ := c.ScoreAt([][]float64{s}, p, thr)
				best = math.Max(best, res.Raw)
			}
			if math.Abs(got.Raw-best) > 1e-9 {
				t.Fatalf("trial %d %s: optimum %v, brute force %v", trial, p.Name, got.Raw, best)
			}
		}
	}
}

func readScores(t *testing.T, path string) map[string][]string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range recs[1:] {
		key := r[2]
		if r[0] == "Totals" {
			key = "Totals"
		}
		out[key] = r
	}
	return out
}

// TestNullDetectorReproduced compares every file's score and row counts with
// NAB's published null-detector results.
func TestNullDetectorReproduced(t *testing.T) {
	dir := corpusDir(t)
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Files) != 58 || c.Windows() != 116 {
		t.Fatalf("%d files, %d windows; want 58, 116", len(c.Files), c.Windows())
	}
	zero := make([][]float64, len(c.Files))
	for k, f := range c.Files {
		zero[k] = make([]float64, len(f.Times))
	}
	for _, p := range Profiles {
		pub := readScores(t, filepath.Join(dir, "results", "null", "null_"+p.Name+"_scores.csv"))
		res, err := c.ScoreAt(zero, p, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, fs := range res.Files {
			row, ok := pub[fs.Name]
			if !ok {
				t.Errorf("%s: not in published results", fs.Name)
				continue
			}
			score, _ := strconv.ParseFloat(row[4], 64)
			got := []int{fs.TP, fs.TN, fs.FP, fs.FN, fs.Total}
			for i, g := range got {
				if w, _ := strconv.Atoi(row[5+i]); w != g {
					t.Errorf("%s %s: counts %v, published %v", p.Name, fs.Name, got, row[5:])
					break
				}
			}
			if math.Abs(score-fs.Score) > 1e-9 {
				t.Errorf("%s %s: score %v, published %v", p.Name, fs.Name, fs.Score, score)
			}
		}
		tot, _ := strconv.ParseFloat(pub["Totals"][4], 64)
		if tot != res.Raw || res.Normalized != 0 {
			t.Errorf("%s: null total %v normalised %v, published %v", p.Name, res.Raw, res.Normalized, tot)
		}
	}
}

// TestPublishedNormalisation recomputes final_results.json from each
// detector's published raw totals with the null and perfect scores of a
// 116-window corpus.
func TestPublishedNormalisation(t *testing.T) {
	dir := corpusDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "results", "final_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var final map[string]map[string]float64
	if err := json.Unmarshal(raw, &final); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for det, byProfile := range final {
		if det == "random" {
			// Its published scores file is stale: it covers 164,136 rows,
			// not the corpus's 365,558, and its total does not give the
			// published figure.
			continue
		}
		for _, p := range Profiles {
			path := filepath.Join(dir, "results", det, det+"_"+p.Name+"_scores.csv")
			if _, err := os.Stat(path); err != nil {
				continue
			}
			tot, _ := strconv.ParseFloat(readScores(t, path)["Totals"][4], 64)
			got := Normalize(tot, NullScore(116, p), PerfectScore(116, p))
			if want := byProfile[p.Name]; math.Abs(got-want) > 1e-6 {
				t.Errorf("%s %s: normalised %v, published %v", det, p.Name, got, want)
			}
			checked++
		}
	}
	if checked < 30 {
		t.Errorf("only %d published scores checked", checked)
	}
}
