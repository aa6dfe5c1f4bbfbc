package neighbors

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vigil-ml/vigil/internal/testenv"
)

func uniform(n, d int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 3))
	data := make([]float64, n*d)
	for i := range data {
		data[i] = r.Float64()
	}
	return data
}

// trainBytes is the memory allocated by one tree Train, index excluded.
func trainBytes(tb testing.TB, ix *Index, k, workers int) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	_, _, err := ix.Train(context.Background(), k, workers)
	require.NoError(tb, err)
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// The tree's Train allocates O(n): the results (12 bytes per neighbour) and
// one seed-mark array per worker. Issue 7 item 5: a mark array per 256-row
// block made it n²/64 bytes, 780 bytes a row at n = 50,000 (15 GB at 1 M).
func TestTreeTrainAllocatesLinearly(t *testing.T) {
	testenv.SkipAllocs(t)
	const n, d, k = 50000, 2, 5
	ix := New(uniform(n, d, 1), n, d, Tree)
	for _, w := range []int{1, 2} {
		perRow := float64(trainBytes(t, ix, k, w)) / n
		// 60 bytes of results, 4·w of marks, a little per block.
		if perRow > 12*k+4*float64(w)+40 {
			t.Errorf("workers=%d: Train allocated %.0f bytes per row, want O(1)", w, perRow)
		}
	}
}

// BenchmarkTreeTrainAlloc reports the memory a tree Train allocates (B/op)
// on n rows at d = 2, K = 5, one worker: linear in n. Before the fix it was
// quadratic (n²/64 bytes: 1.5 GB at 300k).
func BenchmarkTreeTrainAlloc(b *testing.B) {
	for _, n := range []int{100000, 300000, 1000000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ix := New(uniform(n, 2, 2), n, 2, Tree)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := ix.Train(context.Background(), 5, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
