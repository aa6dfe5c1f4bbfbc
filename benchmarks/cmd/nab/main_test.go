package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ml/vigil/benchmarks/nab"
)

// toyCorpus writes a one-file NAB-layout corpus: 2,000 rows every 5 minutes
// of a noisy daily cycle with a level jump at row 1,500, labelled by a
// window of rows [1,450, 1,550]. Row 700 repeats row 699's timestamp (as a
// few NAB files do).
func toyCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data", "toy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "labels"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	t0 := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	stamp := func(i int) string {
		if i == 700 {
			i = 699
		}
		return t0.Add(time.Duration(i) * 5 * time.Minute).Format(nab.TimeLayout)
	}
	for i := 0; i < 2000; i++ {
		v := 50 + 10*math.Sin(2*math.Pi*float64(i)/288) + 2*r.NormFloat64()
		if i >= 1500 {
			v += 25
		}
		fmt.Fprintf(&b, "%s,%.3f\n", stamp(i), v)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "toy", "a.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	win := fmt.Sprintf(`{"toy/a.csv": [["%s.000000", "%s.000000"]]}`, stamp(1450), stamp(1550))
	if err := os.WriteFile(filepath.Join(dir, "labels", "combined_windows.json"), []byte(win), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunWritesResults(t *testing.T) {
	dir := toyCorpus(t)
	for _, engine := range []string{"timeseries", "tsmodel"} {
		t.Run(engine, func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			if err := run([]string{"-data", dir, "-out", out, "-engine", engine}, &stdout, &stderr); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if !strings.Contains(stdout.String(), "vigil "+engine) {
				t.Errorf("no score line:\n%s", stdout.String())
			}
			fh, err := os.Open(filepath.Join(out, "toy", "a.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			recs, err := csv.NewReader(fh).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			in, _ := os.ReadFile(filepath.Join(dir, "data", "toy", "a.csv"))
			lines := strings.Split(strings.TrimSpace(string(in)), "\n")
			if got := strings.Join(recs[0], ","); got != "timestamp,value,anomaly_score,label" {
				t.Fatalf("header %q", got)
			}
			if len(recs) != len(lines) {
				t.Fatalf("%d result rows for %d corpus rows", len(recs), len(lines))
			}
			scores := make([]float64, len(recs)-1)
			for i, rec := range recs[1:] {
				if rec[0] != strings.Split(lines[i+1], ",")[0] {
					t.Fatalf("row %d: timestamp %q, corpus %q", i, rec[0], lines[i+1])
				}
				var s float64
				fmt.Sscan(rec[2], &s)
				if !(s >= 0 && s <= 1) {
					t.Fatalf("row %d: anomaly_score %v", i, s)
				}
				if want := i >= 1450 && i <= 1550; (rec[3] == "1") != want {
					t.Fatalf("row %d: label %s", i, rec[3])
				}
				scores[i] = s
			}
			// The jump is the first row to score above every row
			// outside the window.
			maxOut := 0.0
			for i := nab.ProbationLength(2000); i < len(scores); i++ {
				if i < 1450 || i > 1550 {
					maxOut = math.Max(maxOut, scores[i])
				}
			}
			first := -1
			for i := 1450; i <= 1550 && first < 0; i++ {
				if scores[i] > maxOut {
					first = i
				}
			}
			if first < 1500 || first > 1502 {
				t.Errorf("first row above the outside maximum %.3f is %d, want the jump at 1500", maxOut, first)
			}
		})
	}
}

// TestNoLookAhead: scores of a file cut short equal the first rows of the
// whole file's scores.
func TestNoLookAhead(t *testing.T) {
	c, err := nab.Load(toyCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	f := c.Files[0]
	o := options{adapt: 1, sensitivity: 1, suppress: defaultSuppress}
	for name, runner := range map[string]func(*nab.File, options) ([]float64, error){"timeseries": runEngine, "tsmodel": runModel} {
		full, err := runner(f, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{699, 700, 1234, 1501} {
			cut := *f
			cut.Times, cut.Values, cut.Stamps = f.Times[:n], f.Values[:n], f.Stamps[:n]
			part, err := runner(&cut, o)
			if err != nil {
				t.Fatal(err)
			}
			for i := range part {
				// The last row of a cut may share its bucket with the
				// next row of the whole file, which then holds the
				// bucket's score.
				if part[i] != full[i] && !(i == n-1 && full[i] == 0) {
					t.Fatalf("%s: cut at %d: row %d scores %v, %v in the whole file", name, n, i, part[i], full[i])
				}
			}
		}
	}
}
