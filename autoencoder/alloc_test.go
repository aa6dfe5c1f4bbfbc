package autoencoder

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Score allocates nothing; ScoreTo reads a contiguous *mat.Dense in place,
// so its allocations are the few of the parallel loop whatever the rows.
func TestAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	X := latent(1, 2000, 12)
	for _, w := range []int{1, 2} {
		m, err := Fit(context.Background(), X, Config{Seed: 1, Epochs: 1, Workers: w})
		require.NoError(t, err)
		x := X.RawRowView(5)
		_, _ = m.Score(x)
		assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.Score(x) }), "workers=%d", w)
		dst := make([]float64, 2000)
		assert.LessOrEqual(t, testing.AllocsPerRun(20, func() { _ = m.ScoreTo(dst, X) }), 8.0, "workers=%d", w)
	}
}
