package iforest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ScoreTo reads a contiguous *mat.Dense in place: its allocations are the
// goroutines of the parallel loop, a handful whatever the number of rows.
func TestScoreToAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector perturbs allocation counts and slows this test (26 s) tenfold")
	}
	for _, w := range []int{1, 2} {
		small, _ := blobs(1, 300, 0, 4)
		large, _ := blobs(2, 30000, 0, 4)
		m, err := Fit(context.Background(), small, Config{Seed: 1, Workers: w})
		require.NoError(t, err)
		dstS, dstL := make([]float64, 300), make([]float64, 30000)
		a := testing.AllocsPerRun(20, func() { _ = m.ScoreTo(dstS, small) })
		b := testing.AllocsPerRun(20, func() { _ = m.ScoreTo(dstL, large) })
		assert.LessOrEqual(t, a, 8.0, "workers=%d", w)
		assert.LessOrEqual(t, b, 8.0, "workers=%d", w)
	}
}
