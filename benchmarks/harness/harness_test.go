package harness

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
)

// column0 scores each row by its first feature; with seed s it swaps the
// scores of rows 0 and 1 when s is odd, so that seeds change the ROC-AUC.
var column0 = Detector{
	Name: "col0",
	Fit: func(_ context.Context, X *mat.Dense, seed uint64, _ Options) (ScoreFunc, error) {
		return func(context.Context) ([]float64, error) {
			s := mat.Col(nil, 0, X)
			if seed%2 == 1 {
				s[0], s[1] = s[1], s[0]
			}
			return s, nil
		}, nil
	},
}

// tiny has anomalies at rows 0 and 3; f0 ranks them first except that row 1
// outranks row 0 when the two are swapped.
func tiny() *dataset.Dataset {
	return &dataset.Dataset{
		Name:   "tiny",
		X:      mat.NewDense(5, 2, []float64{9, 0, 8, 0, 1, 0, 10, 0, 2, 0}),
		Labels: []bool{true, false, false, true, false},
	}
}

func TestRunSeedsAndScoresFiles(t *testing.T) {
	dir := t.TempDir()
	res, err := Run(context.Background(), tiny(), column0, Config{Seeds: []uint64{0, 1, 2, 3}, ScoresDir: dir})
	require.NoError(t, err)
	assert.Equal(t, 5, res.N)
	assert.Equal(t, 2, res.D)
	assert.Equal(t, 2, res.Anomalies)
	require.Len(t, res.Runs, 4)
	// Even seeds: anomalies score 9 and 10, above every normal: ROC 1, AP 1.
	// Odd seeds: row 0 scores 8 and row 1 scores 9: one of the six
	// (anomaly, normal) pairs is inverted, ROC 5/6; ranking A N A gives AP
	// (1/1 + 2/3)/2 = 5/6.
	for i, r := range res.Runs {
		assert.Equal(t, uint64(i), r.Seed)
		want := 1.0
		if i%2 == 1 {
			want = 5.0 / 6
		}
		assert.InDelta(t, want, r.ROCAUC, 1e-12)
		assert.InDelta(t, want, r.PRAUC, 1e-12)
		assert.GreaterOrEqual(t, r.FitSeconds, 0.0)
	}
	assert.InDelta(t, 11.0/12, res.ROCAUC, 1e-12)
	assert.InDelta(t, 1.0/12, res.ROCAUCStd, 1e-12)
	assert.InDelta(t, 11.0/12, res.PRAUC, 1e-12)

	b, err := os.ReadFile(ScoresPath(dir, "tiny", "col0", 1))
	require.NoError(t, err)
	assert.Equal(t, "8\n9\n1\n10\n2\n", string(b))
	_, err = os.Stat(filepath.Join(dir, "tiny.col0.seed3.csv"))
	assert.NoError(t, err)
}

func TestRunDeterministicOnce(t *testing.T) {
	det := column0
	det.Deterministic = true
	res, err := Run(context.Background(), tiny(), det, Config{Seeds: []uint64{1, 2, 3}})
	require.NoError(t, err)
	require.Len(t, res.Runs, 1)
	assert.Equal(t, uint64(1), res.Runs[0].Seed)
	assert.Zero(t, res.ROCAUCStd)
}

func TestRunRejectsWrongLengthAndFitErrors(t *testing.T) {
	short := Detector{Name: "short", Fit: func(context.Context, *mat.Dense, uint64, Options) (ScoreFunc, error) {
		return func(context.Context) ([]float64, error) { return []float64{1}, nil }, nil
	}}
	_, err := Run(context.Background(), tiny(), short, Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 scores for 5 rows")

	failing := Detector{Name: "bad", Fit: func(context.Context, *mat.Dense, uint64, Options) (ScoreFunc, error) {
		return nil, fmt.Errorf("boom")
	}}
	_, err = Run(context.Background(), tiny(), failing, Config{Seeds: []uint64{7}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad on tiny, seed 7: fit: boom")
}

func writeSet(t *testing.T, dir, name string, rows int, manifest *strings.Builder) {
	var b strings.Builder
	b.WriteString("f0,f1,label\n")
	for i := range rows {
		label := 0
		if i%4 == 0 {
			label = 1
		}
		fmt.Fprintf(&b, "%d,%d,%d\n", 100*label+i, i, label)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".csv"), []byte(b.String()), 0o644))
	if manifest != nil {
		fmt.Fprintf(manifest, "%s\t%d\t2\t%d\n", name, rows, (rows+3)/4)
	}
}

func TestRunSuite(t *testing.T) {
	dir := t.TempDir()
	var man strings.Builder
	man.WriteString("name\tn\td\tn_anomalies\n")
	writeSet(t, dir, "b", 8, &man)
	writeSet(t, dir, "a", 12, &man)
	writeSet(t, dir, "big", 40, &man)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "MANIFEST.tsv"), []byte(man.String()), 0o644))

	var progress []string
	rep, err := RunSuite(context.Background(), column0, SuiteConfig{
		Config: Config{Seeds: []uint64{0}}, Dir: dir, MaxN: 20,
		Progress: func(r Result) { progress = append(progress, r.Dataset) },
	})
	require.NoError(t, err)
	require.Len(t, rep.Results, 2)
	assert.Equal(t, "a", rep.Results[0].Dataset) // name order
	assert.Equal(t, "b", rep.Results[1].Dataset)
	assert.Equal(t, 1.0, rep.Results[0].ROCAUC)
	assert.Equal(t, []string{"a", "b"}, progress)
	require.Len(t, rep.Skipped, 1)
	assert.Equal(t, Skip{Dataset: "big", N: 40, Reason: "n > max-n 20"}, rep.Skipped[0])

	rep, err = RunSuite(context.Background(), column0, SuiteConfig{Dir: dir, Only: []string{"big"}})
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	assert.Equal(t, 40, rep.Results[0].N)

	_, err = RunSuite(context.Background(), column0, SuiteConfig{Dir: dir, Only: []string{"nope"}})
	assert.ErrorContains(t, err, `no set "nope"`)

	// Without a manifest, sizes come from the files themselves.
	require.NoError(t, os.Remove(filepath.Join(dir, "MANIFEST.tsv")))
	rep, err = RunSuite(context.Background(), column0, SuiteConfig{Dir: dir, MaxN: 10})
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	assert.Len(t, rep.Skipped, 2)

	// A manifest that disagrees with a file is an error, not a silent mix-up.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "MANIFEST.tsv"), []byte("name\tn\td\tn_anomalies\na\t13\t2\t3\n"), 0o644))
	_, err = RunSuite(context.Background(), column0, SuiteConfig{Dir: dir, Only: []string{"a"}})
	assert.ErrorContains(t, err, "MANIFEST.tsv says 13×2")
}

func TestReportJSONAndTable(t *testing.T) {
	res, err := Run(context.Background(), tiny(), column0, Config{Seeds: []uint64{0, 1}})
	require.NoError(t, err)
	rep := &Report{Detector: "col0", Implementation: "vigil", Seeds: []uint64{0, 1}, Results: []Result{res},
		Params: map[string]any{"trees": 100}, Skipped: []Skip{{Dataset: "huge", N: 1e6, Reason: "n > max-n 300000"}}}
	var buf bytes.Buffer
	require.NoError(t, rep.WriteJSON(&buf))
	path := filepath.Join(t.TempDir(), "r.json")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	back, err := ReadReport(path)
	require.NoError(t, err)
	assert.Equal(t, rep.Results, back.Results)
	assert.Equal(t, rep.Skipped, back.Skipped)

	buf.Reset()
	require.NoError(t, rep.WriteTable(&buf))
	out := buf.String()
	assert.Contains(t, out, "trees=100; seeds [0 1];")
	assert.Equal(t, "0..4", seedList([]uint64{0, 1, 2, 3, 4}))
	assert.Equal(t, "[3 4 5]", seedList([]uint64{3, 4, 5}))
	assert.Contains(t, out, "| tiny | 5 | 2 | 2 | 0.9167 | 0.0833 | 0.9167 | 0.0833 |")
	assert.Contains(t, out, "skipped huge (n=1000000)")
}

func TestCompare(t *testing.T) {
	a := &Report{Implementation: "vigil", Results: []Result{
		{Dataset: "x", N: 10, D: 2, ROCAUC: 0.90, PRAUC: 0.5},
		{Dataset: "y", N: 20, D: 3, ROCAUC: 0.80, PRAUC: 0.4},
		{Dataset: "onlyA", ROCAUC: 0.7},
	}}
	b := &Report{Implementation: "scikit-learn", Results: []Result{
		{Dataset: "onlyB", ROCAUC: 0.6},
		{Dataset: "y", N: 20, D: 3, ROCAUC: 0.78, PRAUC: 0.45},
		{Dataset: "x", N: 10, D: 2, ROCAUC: 0.91, PRAUC: 0.5},
	}}
	c := Compare(a, b, 0.015)
	require.Len(t, c.Rows, 4)
	assert.Equal(t, []string{"x", "y", "onlyA", "onlyB"}, []string{c.Rows[0].Dataset, c.Rows[1].Dataset, c.Rows[2].Dataset, c.Rows[3].Dataset})
	assert.InDelta(t, -0.01, c.Rows[0].DeltaROC, 1e-12)
	assert.False(t, c.Rows[0].Flagged)
	assert.InDelta(t, 0.02, c.Rows[1].DeltaROC, 1e-12)
	assert.InDelta(t, -0.05, c.Rows[1].DeltaPR, 1e-12)
	assert.Equal(t, []string{"y", "onlyA", "onlyB"}, c.Flagged())

	var buf bytes.Buffer
	require.NoError(t, c.WriteTable(&buf))
	out := buf.String()
	assert.Contains(t, out, "| y | 20 | 3 | 0.8000 | 0.7800 | +0.0200 | — | 0.4000 | 0.4500 | -0.0500 |")
	assert.Contains(t, out, "largest |Δ ROC| 0.0200 on y")
	assert.Contains(t, out, "FLAGGED (|Δ ROC| > 0.0150 or missing on one side): y, onlyA, onlyB")
}

func TestCompareStdErr(t *testing.T) {
	runs := func(v ...float64) []RunResult {
		out := make([]RunResult, len(v))
		for i, x := range v {
			out[i].ROCAUC = x
		}
		return out
	}
	// Sample variances 1/3·... : a = {0.7, 0.8, 0.9} has variance 0.01, b =
	// {0.8, 0.8} has 0: SE = sqrt(0.01/3).
	a := &Report{Results: []Result{{Dataset: "s", ROCAUC: 0.8, Runs: runs(0.7, 0.8, 0.9)}}}
	b := &Report{Results: []Result{{Dataset: "s", ROCAUC: 0.8, Runs: runs(0.8, 0.8)}}}
	c := Compare(a, b, 0.015)
	assert.InDelta(t, math.Sqrt(0.01/3), c.Rows[0].SE, 1e-12)
	b.Results[0].Runs = runs(0.8)
	assert.Zero(t, Compare(a, b, 0.015).Rows[0].SE)
}

func TestMeanStd(t *testing.T) {
	m, s := meanStd([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	assert.Equal(t, 5.0, m)
	assert.Equal(t, 2.0, s) // population standard deviation
	m, s = meanStd(nil)
	assert.Zero(t, m)
	assert.Zero(t, s)
}

func TestWriteScoresRoundTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.csv")
	in := []float64{0.1, 1.0 / 3, math.Nextafter(0.5, 1), 1}
	require.NoError(t, WriteScores(path, in))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Fields(string(b))
	require.Len(t, lines, len(in))
	for i, l := range lines {
		v, err := strconv.ParseFloat(l, 64)
		require.NoError(t, err)
		assert.Equal(t, in[i], v)
	}
}

func TestRegistry(t *testing.T) {
	d, ok := Lookup("iforest")
	require.True(t, ok)
	assert.Equal(t, "iforest", d.Name)
	assert.False(t, d.Deterministic)
	_, ok = Lookup("nope")
	assert.False(t, ok)
	assert.Contains(t, Names(), "iforest")
}

func TestMeasureSeverity(t *testing.T) {
	// Normal scores 1..100 and anomalies 104, 110, 114, 120, 200: the 95th
	// percentile of the 105 scores is 99.8 (between the 99th and 100th
	// values), the median 53. Warning starts at 1.2 × 99.8 = 119.76 from 0,
	// and at 53 + 1.2 × 46.8 = 109.16 from the median.
	var scores []float64
	var labels []bool
	for i := 1; i <= 100; i++ {
		scores, labels = append(scores, float64(i)), append(labels, false)
	}
	for _, s := range []float64{104, 110, 114, 120, 200} {
		scores, labels = append(scores, s), append(labels, true)
	}
	r, err := MeasureSeverity(scores, labels)
	require.NoError(t, err)
	assert.InDelta(t, 99.8, r.Threshold, 1e-12)
	assert.Equal(t, 53.0, r.Typical)
	assert.Equal(t, 5, r.Anomalies)
	assert.Equal(t, 0.0, r.NormalBefore)
	assert.Equal(t, 0.4, r.AnomalyBefore)
	assert.Equal(t, 0.0, r.NormalAfter)
	assert.Equal(t, 0.8, r.AnomalyAfter)
	var b strings.Builder
	require.NoError(t, WriteSeverityTable(&b, []SeverityRow{r}))
	assert.Contains(t, b.String(), "80.0")
	// Negative thresholds have no scale from 0.
	r, err = MeasureSeverity([]float64{-5, -4, -3, -2, -1}, []bool{false, false, false, false, true})
	require.NoError(t, err)
	assert.True(t, math.IsNaN(r.NormalBefore))
	assert.Equal(t, 0.0, r.NormalAfter)
}
