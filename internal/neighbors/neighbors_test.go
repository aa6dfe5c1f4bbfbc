package neighbors

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/scale"
	"github.com/vigil-ml/vigil/internal/testenv"
	"gonum.org/v1/gonum/mat"
)

// naive is the obvious O(n²) search with the documented tie rule.
func naive(data []float64, n, d int, q []float64, self, k int) ([]float64, []int32) {
	type c struct {
		d2 float64
		i  int32
	}
	cs := make([]c, 0, n)
	for i := 0; i < n; i++ {
		if i == self {
			continue
		}
		cs = append(cs, c{dist2(q, data[i*d:(i+1)*d]), int32(i)})
	}
	sort.Slice(cs, func(a, b int) bool { return less(cs[a].d2, cs[a].i, cs[b].d2, cs[b].i) })
	dist := make([]float64, k)
	idx := make([]int32, k)
	for j := 0; j < k; j++ {
		dist[j], idx[j] = sqrt(cs[j].d2), cs[j].i
	}
	return dist, idx
}

// testData makes n points in d dimensions on a coarse grid, so that many
// distances tie, plus a block of exact duplicates.
func testData(n, d int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = float64(r.IntN(5)) + 1000
	}
	for i := n / 2; i < n/2+n/5 && i < n; i++ {
		copy(x[i*d:(i+1)*d], x[:d])
	}
	return x
}

func TestMethodsAgree(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ n, d, k int }{
		{50, 1, 3}, {200, 3, 5}, {300, 9, 20}, {257, 17, 7}, {130, 40, 10}, {40, 2, 39},
	} {
		data := testData(tc.n, tc.d, uint64(tc.n*tc.d))
		// The naive answers once per case: they dominate under -race.
		wds, wis := make([][]float64, tc.n), make([][]int32, tc.n)
		for i := range tc.n {
			wds[i], wis[i] = naive(data, tc.n, tc.d, data[i*tc.d:(i+1)*tc.d], i, tc.k)
		}
		for _, m := range []Method{Tree, Brute} {
			ix := New(data, tc.n, tc.d, m)
			for _, w := range []int{1, 3} {
				dist, idx, err := ix.Train(ctx, tc.k, w)
				require.NoError(t, err)
				for i := 0; i < tc.n; i++ {
					require.Equal(t, wds[i], dist[i*tc.k:(i+1)*tc.k], "%v n=%d d=%d point %d", m, tc.n, tc.d, i)
					require.Equal(t, wis[i], idx[i*tc.k:(i+1)*tc.k], "%v n=%d d=%d point %d", m, tc.n, tc.d, i)
				}
			}
			q := testData(37, tc.d, 99)
			q[0] += 0.5
			k := min(tc.k+1, tc.n)
			dist := make([]float64, 37*k)
			idx := make([]int32, 37*k)
			require.NoError(t, ix.Query(ctx, q, 37, k, 2, dist, idx))
			s := ix.NewScratch(k)
			d1, i1 := make([]float64, k), make([]int32, k)
			for i := 0; i < 37; i++ {
				wd, wi := naive(data, tc.n, tc.d, q[i*tc.d:(i+1)*tc.d], -1, k)
				require.Equal(t, wd, dist[i*k:(i+1)*k])
				require.Equal(t, wi, idx[i*k:(i+1)*k])
				require.NoError(t, ix.Search(q[i*tc.d:(i+1)*tc.d], s, d1, i1))
				require.Equal(t, wd, d1)
				require.Equal(t, wi, i1)
			}
		}
	}
}

// Near-duplicates far from the origin are where ‖x‖²+‖y‖²−2x·y cancels; the
// screened search must still return the directly computed distances.
func TestBruteNearDuplicates(t *testing.T) {
	const n, d, k = 300, 20, 6
	r := rand.New(rand.NewPCG(3, 4))
	data := make([]float64, n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			data[i*d+j] = 1e6 + float64(j) + float64(i%7)*1e-7 + r.Float64()*1e-9
		}
	}
	ix := New(data, n, d, Brute)
	dist, idx, err := ix.Train(context.Background(), k, 2)
	require.NoError(t, err)
	for i := 0; i < n; i++ {
		wd, wi := naive(data, n, d, data[i*d:(i+1)*d], i, k)
		require.Equal(t, wd, dist[i*k:(i+1)*k])
		require.Equal(t, wi, idx[i*k:(i+1)*k])
	}
}

func TestSearchAllocs(t *testing.T) {
	testenv.SkipAllocs(t)
	data := testData(2000, 10, 1)
	for _, m := range []Method{Tree, Brute} {
		ix := New(data, 2000, 10, m)
		s := ix.NewScratch(20)
		d, i := make([]float64, 20), make([]int32, 20)
		q := data[:10]
		assert.Zero(t, testing.AllocsPerRun(20, func() { ix.Search(q, s, d, i) }), "%v", m)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := testData(2000, 4, 1)
	_, _, err := New(data, 2000, 4, Tree).Train(ctx, 3, 1)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestGemmMatchesPortable(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const d, np, ldc = 7, 3, 30
	a := make([]float64, 6*d)
	b := make([]float64, 8*d*np)
	for _, v := range [][]float64{a, b} {
		for i := range v {
			v[i] = r.NormFloat64()
		}
	}
	c, w := make([]float64, 6*ldc), make([]float64, 6*ldc)
	gemm6x8(a, b, d, np, c, ldc)
	gemm6x8Go(a, b, d, np, w, ldc)
	assert.InDeltaSlice(t, w, c, 1e-12)
	// Spot-check one entry by hand.
	var s float64
	for j := 0; j < d; j++ {
		s += a[6*j+4] * b[8*d*2+8*j+5]
	}
	assert.InDelta(t, s, c[4*ldc+8*2+5], 1e-12)
}

// The brute-force Train splits the rows into blocks and uses each block of
// dot products for both of its blocks; this set spans three blocks.
func TestBruteManyBlocks(t *testing.T) {
	n, d, k := 2000, 40, 9 // 816-row panel blocks: two and a part
	if testenv.Race {
		// Half the distance work under the race detector: 512-row panel
		// blocks, still two and a part.
		n, d = 1200, 64
	}
	data := testData(n, d, 11)
	ix := New(data, n, d, Brute)
	dist, idx, err := ix.Train(context.Background(), k, 1)
	require.NoError(t, err)
	// A naive check of every point costs seconds under -race; every 11th
	// covers all blocks, and two workers must agree in full.
	for i := 0; i < n; i += 11 {
		wd, wi := naive(data, n, d, data[i*d:(i+1)*d], i, k)
		require.Equal(t, wd, dist[i*k:(i+1)*k], "point %d", i)
		require.Equal(t, wi, idx[i*k:(i+1)*k], "point %d", i)
	}
	dist2, idx2, err := ix.Train(context.Background(), k, 2)
	require.NoError(t, err)
	require.Equal(t, dist, dist2)
	require.Equal(t, idx, idx2)
}

func TestScreenMatchesPortable(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for n := 0; n < 23; n++ {
		g, rn, tc := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range g {
			g[i], rn[i], tc[i] = r.NormFloat64(), r.NormFloat64(), r.NormFloat64()
		}
		if n > 5 {
			g[5], rn[5] = 1, 0.5 // exactly at the threshold 1.5
			tc[5] = g[5] + 0.25
		}
		for _, th := range []float64{-3, -1, 0, 1.5, 3} {
			for start := 0; start <= n; start++ {
				assert.Equal(t, firstRowGo(g, rn, th, start), firstRow(g, rn, th, start), "row n=%d t=%v start=%d", n, th, start)
				assert.Equal(t, firstColGo(g, tc, th/4, start), firstCol(g, tc, th/4, start), "col n=%d ni=%v start=%d", n, th/4, start)
			}
		}
	}
}

func TestGemm1MatchesPortable(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, np := range []int{1, 3, 4, 5, 9} {
		const d = 5
		a := make([]float64, d)
		b := make([]float64, 8*d*np)
		for _, v := range [][]float64{a, b} {
			for i := range v {
				v[i] = r.NormFloat64()
			}
		}
		c, w := make([]float64, 8*np), make([]float64, 8*np)
		gemm1x8(a, b, d, np, c)
		gemm1x8Go(a, b, d, np, w)
		assert.InDeltaSlice(t, w, c, 1e-12, "np=%d", np)
	}
}

// Query in several chunks of query blocks, with a partial last block.
func TestQueryManyBlocks(t *testing.T) {
	const n, d, k, m = 300, 24, 5, 437
	data := testData(n, d, 31)
	q := testData(m, d, 32)
	for _, meth := range []Method{Tree, Brute} {
		ix := New(data, n, d, meth)
		dist := make([]float64, m*k)
		idx := make([]int32, m*k)
		require.NoError(t, ix.Query(context.Background(), q, m, k, 2, dist, idx))
		for i := 0; i < m; i++ {
			wd, wi := naive(data, n, d, q[i*d:(i+1)*d], -1, k)
			require.Equal(t, wd, dist[i*k:(i+1)*k], "%v query %d", meth, i)
			require.Equal(t, wi, idx[i*k:(i+1)*k], "%v query %d", meth, i)
		}
	}
}

// A search that cannot fill its heap (a query beyond the bounds the callers
// enforce, here +Inf) reports it instead of returning stale neighbours.
func TestIncompleteSearch(t *testing.T) {
	data := testData(300, 3, 5)
	ix := New(data, 300, 3, Brute)
	s := ix.NewScratch(4)
	dist, idx := make([]float64, 4), make([]int32, 4)
	require.NoError(t, ix.Search(data[:3], s, dist, idx))
	prev := append([]float64(nil), dist...)
	bad := []float64{math.Inf(1), 0, 0}
	assert.ErrorIs(t, ix.Search(bad, s, dist, idx), ErrIncomplete)
	assert.Equal(t, prev, dist, "dist must be left alone")
	q := append(append([]float64(nil), data[:3]...), bad...)
	err := ix.Query(context.Background(), q, 2, 4, 1, make([]float64, 8), make([]int32, 8))
	var ie *IncompleteError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 1, ie.Row)
}

// Build applies Fit's validation: a blob whose rows, scaler or K Fit could
// not have produced is ErrCorrupt, whatever its checksum says. Before the
// shared validation, rows ×1e290 and a scale of 1e-300 were accepted.
func TestBuildRefusesWhatFitCannotMake(t *testing.T) {
	good := func() *Blob {
		return &Blob{n: 4, d: 2, data: []float64{0, 0, 1, 0, 0, 1, 1, 1}, sc: &scale.Scaler{Mean: []float64{0.5, 0.5}, Scale: []float64{0.5, 0.5}}}
	}
	_, err := good().Build("t", 2, 1)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		mutate func(*Blob)
		k      int
		row    int
	}{
		{"rows ×1e290", func(b *Blob) { b.data[2] *= 1e290 }, 2, 1},
		{"NaN row", func(b *Blob) { b.data[5] = math.NaN() }, 2, 2},
		{"tiny scale", func(b *Blob) { b.sc.Scale[1] = 1e-300 }, 2, -1},
		{"zero scale", func(b *Blob) { b.sc.Scale[0] = 0 }, 2, -1},
		{"infinite mean", func(b *Blob) { b.sc.Mean[0] = math.Inf(1) }, 2, -1},
		{"short scaler", func(b *Blob) { b.sc.Scale = b.sc.Scale[:1] }, 2, -1},
		{"K = n", func(*Blob) {}, 4, -1},
		{"short data", func(b *Blob) { b.data = b.data[:6] }, 2, -1},
	} {
		b := good()
		tc.mutate(b)
		_, err := b.Build("t", tc.k, 1)
		require.ErrorIs(t, err, check.ErrCorrupt, tc.name)
		var e *check.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, tc.row, e.Row, tc.name)
	}
}

// Sizes a machine cannot hold are refused before anything is allocated.
func TestFitBaseSizes(t *testing.T) {
	X := mat.NewDense(3, 2, []float64{0, 0, 1, 1, 2, 2})
	for _, tc := range []struct {
		name string
		X    mat.Matrix
		k    int
		kind error
	}{
		{"K = n", X, 3, check.ErrConfig},
		{"K huge", X, math.MaxInt/2 + 1, check.ErrConfig},
		{"too wide", hugeMatrix{3, MaxDim + 1}, 1, check.ErrDimension},
		{"too many rows", hugeMatrix{min(1<<40, math.MaxInt), 2}, 1, check.ErrConfig},
		{"neighbour lists beyond memory", hugeMatrix{1 << 30, 1}, 1 << 29, check.ErrConfig},
	} {
		_, _, _, err := FitBase(context.Background(), "t", tc.X, tc.k, false, 1)
		assert.ErrorIs(t, err, tc.kind, tc.name)
	}
}

// hugeMatrix claims any size and holds nothing: Fit must refuse it from its
// dimensions alone.
type hugeMatrix struct{ r, c int }

func (m hugeMatrix) Dims() (int, int)    { return m.r, m.c }
func (m hugeMatrix) At(int, int) float64 { return 0 }
func (m hugeMatrix) T() mat.Matrix       { return mat.Transpose{Matrix: m} }

// Issue 10: cancellation stops Fit promptly. The k-d tree of a large set
// takes a second or more to build and was built to the end whatever the
// context; NewContext gives up at the first large node after cancellation
// and returns the context's error, on either method.
func TestNewContextCancelled(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	n, d := 3*cancelCheckRows, 3
	data := make([]float64, n*d)
	for i := range data {
		data[i] = r.NormFloat64()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, m := range []Method{Auto, Tree, Brute} {
		ix, err := NewContext(ctx, append([]float64(nil), data...), n, d, m)
		assert.ErrorIs(t, err, context.Canceled, "%v", m)
		assert.Nil(t, ix)
	}
	tr := newKDTreeContext(ctx, append([]float64(nil), data...), n, d)
	assert.True(t, tr.stopped)
	assert.Len(t, tr.nodes, 1, "the build stops at the root")
	ix, err := NewContext(context.Background(), data, n, d, Auto)
	require.NoError(t, err)
	assert.Equal(t, n, ix.Len())
}
