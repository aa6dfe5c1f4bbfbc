package iforest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/vigil-ml/vigil/score"
)

// blobs returns n normal rows around the origin followed by k far outliers.
func blobs(seed uint64, n, k, d int) (*mat.Dense, []bool) {
	r := rand.New(rand.NewPCG(seed, 1))
	X := mat.NewDense(n+k, d, nil)
	labels := make([]bool, n+k)
	for i := 0; i < n+k; i++ {
		for j := 0; j < d; j++ {
			if i < n {
				X.Set(i, j, r.NormFloat64())
			} else {
				X.Set(i, j, 6+4*r.Float64())
			}
		}
		labels[i] = i >= n
	}
	return X, labels
}

func TestAvgPath(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want float64
	}{
		{0, 0}, {1, 0}, {2, 1},
		{3, 2*1.5 - 4.0/3},                   // H(2) = 3/2
		{4, 2*(11.0/6) - 6.0/4},              // H(3) = 11/6
		{256, 2*6.1204387128173 - 510.0/256}, // H(255) from exact fractions
		{100000, 2*12.090136129863 - 2*99999.0/100000},
	} {
		assert.InDelta(t, tc.want, avgPath(tc.n), 1e-9, "c(%d)", tc.n)
	}
	// The series and the exact sum agree where they meet.
	exact := 0.0
	for i := 1; i <= 65; i++ {
		exact += 1 / float64(i)
	}
	assert.InDelta(t, exact, harmonic(65), 1e-14)
	assert.Equal(t, 8, heightLimit(256))
	assert.Equal(t, 1, heightLimit(2))
	assert.Equal(t, 7, heightLimit(100))
}

// TestConvergesToSklearn checks that with thousands of trees the scores
// approach scikit-learn's, since both estimate the same expectation over
// random trees. The residual is Monte Carlo noise plus c(n): scikit-learn
// approximates H(i) by ln(i)+γ, which shortens the adjustment at leaves
// that the height limit stopped.
func TestConvergesToSklearn(t *testing.T) {
	raw, err := os.ReadFile("testdata/sklearn_ref.json")
	require.NoError(t, err)
	var ref struct {
		X, Queries [][]float64
		Psi, Trees int
		Scores     []float64
	}
	require.NoError(t, json.Unmarshal(raw, &ref))
	X := mat.NewDense(len(ref.X), len(ref.X[0]), nil)
	for i, row := range ref.X {
		X.SetRow(i, row)
	}
	m, err := Fit(context.Background(), X, Config{Trees: ref.Trees, SampleSize: ref.Psi, Seed: 1})
	require.NoError(t, err)
	got := make([]float64, len(ref.Queries))
	for i, q := range ref.Queries {
		got[i], err = m.Score(q)
		require.NoError(t, err)
		assert.InDelta(t, ref.Scores[i], got[i], 0.012, "query %d %v", i, q)
	}
	rank := stat.Correlation(ranks(got), ranks(ref.Scores), nil)
	assert.Greater(t, rank, 0.99, "Spearman correlation with scikit-learn")
}

func ranks(x []float64) []float64 {
	r := make([]float64, len(x))
	for i := range x {
		for j := range x {
			if x[j] < x[i] {
				r[i]++
			}
		}
	}
	return r
}

func TestDetectsOutliers(t *testing.T) {
	X, labels := blobs(5, 1000, 20, 4)
	for _, ext := range []int{0, 1, 3} {
		t.Run(fmt.Sprintf("ext=%d", ext), func(t *testing.T) {
			m, err := Fit(context.Background(), X, Config{ExtensionLevel: ext, Seed: 9})
			require.NoError(t, err)
			s, err := m.ScoreBatch(X)
			require.NoError(t, err)
			auc, err := score.ROCAUC(s, labels)
			require.NoError(t, err)
			assert.Greater(t, auc, 0.99)
			for i, v := range s {
				assert.True(t, v > 0 && v <= 1, "score %d = %v outside (0, 1]", i, v)
			}
			centre, _ := m.Score([]float64{0, 0, 0, 0})
			far, _ := m.Score([]float64{8, 8, 8, 8})
			assert.Less(t, centre, 0.5)
			assert.Greater(t, far, 0.65)
		})
	}
}

// TestExtendedIsRotationInvariant checks Hariri et al.'s motivating property:
// around one round Gaussian blob, standard Isolation Forest scores points on
// the axes lower than points on the diagonals at the same radius, and the
// extended forest removes most of that artefact.
func TestExtendedIsRotationInvariant(t *testing.T) {
	X, _ := blobs(11, 2000, 0, 2)
	spread := func(ext int) float64 {
		m, err := Fit(context.Background(), X, Config{Trees: 500, ExtensionLevel: ext, Seed: 3})
		require.NoError(t, err)
		var s []float64
		for a := 0; a < 360; a += 5 {
			rad := float64(a) * math.Pi / 180
			v, err := m.Score([]float64{2.5 * math.Cos(rad), 2.5 * math.Sin(rad)})
			require.NoError(t, err)
			s = append(s, v)
		}
		return stat.StdDev(s, nil) / stat.Mean(s, nil)
	}
	std, ext := spread(0), spread(1)
	assert.Less(t, ext, 0.7*std, "coefficient of variation around the circle: standard %.4f, extended %.4f", std, ext)
}

func TestTreeShape(t *testing.T) {
	X, _ := blobs(1, 3000, 0, 3)
	m, err := Fit(context.Background(), X, Config{Trees: 20, Seed: 2})
	require.NoError(t, err)
	require.Len(t, m.roots, 20)
	var walk func(i int32, depth int) (leaves, rows int)
	maxDepth := 0
	walk = func(i int32, depth int) (int, int) {
		nd := m.nodes[i]
		if nd.left == i {
			maxDepth = max(maxDepth, depth)
			// A leaf holds depth + c(size) with size ≥ 1 here.
			assert.GreaterOrEqual(t, m.vals[i], float64(depth))
			return 1, 0
		}
		a, _ := walk(nd.left, depth+1)
		b, _ := walk(nd.left+1, depth+1)
		return a + b, 0
	}
	for _, r := range m.roots {
		leaves, _ := walk(r, 0)
		assert.LessOrEqual(t, leaves, 256)
	}
	assert.Equal(t, 8, maxDepth, "height limit ceil(log2 256)")
}

func TestDeterminism(t *testing.T) {
	n := 3000
	if raceEnabled {
		// Scoring dominates and is ~10x slower under the race detector;
		// 600 rows still exceed the 256-row subsample and span many
		// scoring blocks per worker.
		n = 600
	}
	X, _ := blobs(7, n, 30, 5)
	for _, ext := range []int{0, 4} {
		var want []float64
		for _, w := range []int{1, 2, 8} {
			m, err := Fit(context.Background(), X, Config{Seed: 42, Workers: w, ExtensionLevel: ext, MaxFeatures: 1})
			require.NoError(t, err)
			got, err := m.ScoreBatch(X)
			require.NoError(t, err)
			if want == nil {
				want = got
				continue
			}
			assert.Equal(t, want, got, "workers=%d ext=%d", w, ext)
		}
		other, err := Fit(context.Background(), X, Config{Seed: 43, ExtensionLevel: ext})
		require.NoError(t, err)
		s, _ := other.ScoreBatch(X)
		assert.NotEqual(t, want, s, "a different seed must give a different forest")
	}
}

func TestScoreAgreement(t *testing.T) {
	n := 700
	if raceEnabled {
		n = 250 // one-row scoring is ~10x slower under the race detector
	}
	X, _ := blobs(3, n, 10, 3)
	for _, cfg := range []Config{{Seed: 1}, {Seed: 1, ExtensionLevel: 2}, {Seed: 1, Bootstrap: true, MaxFeatures: 0.5, SampleSize: 64}} {
		m, err := Fit(context.Background(), X, cfg)
		require.NoError(t, err)
		batch, err := m.ScoreBatch(X)
		require.NoError(t, err)
		dst := make([]float64, len(batch))
		require.NoError(t, m.ScoreTo(dst, X))
		assert.Equal(t, batch, dst)
		for i := range batch {
			s, err := m.Score(X.RawRowView(i))
			require.NoError(t, err)
			require.Equal(t, batch[i], s, "row %d", i)
		}

		b, err := m.MarshalBinary()
		require.NoError(t, err)
		var back Model
		require.NoError(t, back.UnmarshalBinary(b))
		again, err := back.ScoreBatch(X)
		require.NoError(t, err)
		assert.Equal(t, batch, again, "scores after a Marshal/Unmarshal round trip")
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	X, _ := blobs(3, 500, 5, 4)
	m, err := Fit(context.Background(), X, Config{Seed: 1})
	require.NoError(t, err)
	x := []float64{0.1, 0.2, 0.3, 0.4}
	if raceEnabled {
		t.Skip("the race detector perturbs allocation counts")
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.Score(x) }))
}

func TestConstantData(t *testing.T) {
	X := mat.NewDense(50, 2, nil)
	for i := 0; i < 50; i++ {
		X.Set(i, 0, 3)
		X.Set(i, 1, float64(i%2)) // one column constant, one binary
	}
	m, err := Fit(context.Background(), X, Config{Seed: 1})
	require.NoError(t, err)
	s, err := m.ScoreBatch(X)
	require.NoError(t, err)
	for _, v := range s {
		assert.False(t, math.IsNaN(v))
	}
	// All rows one point: every tree is a single leaf of c(ψ), score 0.5.
	same := mat.NewDense(10, 3, nil)
	m, err = Fit(context.Background(), same, Config{Seed: 1, ExtensionLevel: 2})
	require.NoError(t, err)
	v, err := m.Score([]float64{0, 0, 0})
	require.NoError(t, err)
	assert.InDelta(t, 0.5, v, 1e-12)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	var back Model
	require.NoError(t, back.UnmarshalBinary(b), "a forest of single leaves round-trips")
	v, err = back.Score([]float64{1, 2, 3})
	require.NoError(t, err)
	assert.InDelta(t, 0.5, v, 1e-12)
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	good, _ := blobs(1, 50, 0, 3)
	nan := mat.DenseCopyOf(good)
	nan.Set(17, 2, math.NaN())
	pinf := mat.DenseCopyOf(good)
	pinf.Set(3, 0, math.Inf(1))
	ninf := mat.DenseCopyOf(good)
	ninf.Set(4, 1, math.Inf(-1))
	m, err := Fit(ctx, good, Config{Seed: 1})
	require.NoError(t, err)
	model, _ := m.MarshalBinary()
	corrupt := append([]byte(nil), model...)
	corrupt[len(corrupt)/2] ^= 0xff

	for _, tc := range []struct {
		name string
		run  func() error
		kind error
		msg  string
	}{
		{"empty matrix", func() error { _, err := Fit(ctx, &mat.Dense{}, Config{}); return err }, ErrEmpty, "iforest: matrix has no rows"},
		{"zero columns", func() error { _, err := Fit(ctx, zeroCols{}, Config{}); return err }, ErrEmpty, "iforest: matrix has no columns"},
		{"nil", func() error { _, err := Fit(ctx, nil, Config{}); return err }, ErrEmpty, "iforest: nil matrix"},
		{"NaN", func() error { _, err := Fit(ctx, nan, Config{}); return err }, ErrNonFinite, "iforest: row 17 column 2 is NaN"},
		{"+Inf", func() error { _, err := Fit(ctx, pinf, Config{}); return err }, ErrNonFinite, "iforest: row 3 column 0 is +Inf"},
		{"-Inf", func() error { _, err := Fit(ctx, ninf, Config{}); return err }, ErrNonFinite, "iforest: row 4 column 1 is -Inf"},
		{"one row", func() error { _, err := Fit(ctx, mat.NewDense(1, 2, nil), Config{}); return err }, ErrEmpty, "iforest: 1 training row, need at least 2"},
		{"SampleSize 1", func() error { _, err := Fit(ctx, good, Config{SampleSize: 1}); return err }, ErrConfig, "iforest: SampleSize is 1, want ≥ 2 (or 0 for 256)"},
		{"negative Trees", func() error { _, err := Fit(ctx, good, Config{Trees: -3}); return err }, ErrConfig, "iforest: Trees is -3, want ≥ 1 (or 0 for 100)"},
		{"MaxFeatures", func() error { _, err := Fit(ctx, good, Config{MaxFeatures: 1.5}); return err }, ErrConfig, "iforest: MaxFeatures is 1.5, want a fraction in (0, 1]"},
		{"ExtensionLevel", func() error { _, err := Fit(ctx, good, Config{ExtensionLevel: 3}); return err }, ErrConfig, "iforest: ExtensionLevel is 3, want 0 to 2 (features per tree − 1)"},
		{"wrong width at Score", func() error { _, err := m.Score([]float64{1, 2}); return err }, ErrDimension, "iforest: sample has 2 features, model was fit on 3"},
		{"NaN at Score", func() error { _, err := m.Score([]float64{1, math.NaN(), 2}); return err }, ErrNonFinite, "iforest: feature 1 is NaN"},
		{"wrong width at ScoreBatch", func() error { _, err := m.ScoreBatch(mat.NewDense(2, 4, nil)); return err }, ErrDimension, "iforest: matrix has 4 features, model was fit on 3"},
		{"short dst", func() error { return m.ScoreTo(make([]float64, 3), good) }, ErrDimension, "iforest: dst has 3 elements for 50 rows"},
		{"unfitted", func() error { _, err := new(Model).Score([]float64{}); return err }, ErrNotFitted, "iforest: model is not fitted: use Fit or UnmarshalBinary"},
		{"negative Workers", func() error { _, err := Fit(ctx, good, Config{Workers: -1}); return err }, ErrConfig, "iforest: Workers is -1, want ≥ 1 (or 0 for GOMAXPROCS)"},
		{"corrupt model", func() error { return new(Model).UnmarshalBinary(corrupt) }, ErrCorrupt, "iforest: model data checksum mismatch"},
		{"truncated model", func() error { return new(Model).UnmarshalBinary(model[:len(model)-9]) }, ErrCorrupt, "iforest: model data checksum mismatch"},
		{"empty model", func() error { return new(Model).UnmarshalBinary(nil) }, ErrCorrupt, "iforest: model data is 0 bytes, too short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.kind), "%v is not %v", err, tc.kind)
			assert.Equal(t, tc.msg, err.Error())
		})
	}
}

// zeroCols is a matrix with rows but no columns, which mat.Dense cannot be.
type zeroCols struct{}

func (zeroCols) Dims() (int, int)    { return 5, 0 }
func (zeroCols) At(int, int) float64 { panic("no columns") }
func (z zeroCols) T() mat.Matrix     { return mat.Transpose{Matrix: z} }

func TestCancel(t *testing.T) {
	X, _ := blobs(1, 300, 0, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fit(ctx, X, Config{})
	assert.ErrorIs(t, err, context.Canceled)
}

// Values near the float64 limits must not turn a cut into NaN: the range of
// a feature overflows, but the cut is still drawn inside it.
func TestHugeValues(t *testing.T) {
	X := mat.NewDense(6, 1, []float64{-1.7e308, 1.7e308, 0, 1, 2, 3})
	m, err := Fit(context.Background(), X, Config{Seed: 1, Trees: 50})
	require.NoError(t, err)
	for _, nd := range m.nodes {
		assert.False(t, math.IsNaN(nd.split))
	}
	s, err := m.ScoreBatch(X)
	require.NoError(t, err)
	assert.Greater(t, s[0], s[3])
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	require.NoError(t, new(Model).UnmarshalBinary(b))
	_, err = Fit(context.Background(), mat.NewDense(3, 2, []float64{1, 2, 3, 4, 1e200, 5}), Config{ExtensionLevel: 1})
	assert.ErrorIs(t, err, ErrNonFinite)
	assert.Less(t, uniform(-1.7e308, 1.7e308, 0.999), 1.7e308)
	assert.Equal(t, -1.7e308, uniform(-1.7e308, 1.7e308, 0))
}
