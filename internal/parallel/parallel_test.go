package parallel

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForCoversOnce(t *testing.T) {
	for _, tc := range []struct{ n, grain, workers int }{
		{0, 4, 2}, {1, 4, 2}, {10, 3, 1}, {10, 3, 8}, {1000, 7, 3}, {5, 0, 2},
	} {
		hits := make([]int32, tc.n)
		err := For(context.Background(), tc.n, tc.grain, tc.workers, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&hits[i], 1)
			}
		})
		require.NoError(t, err)
		for i, h := range hits {
			assert.EqualValues(t, 1, h, "n=%d index %d", tc.n, i)
		}
	}
}

func TestForCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	err := For(ctx, 1000, 1, 2, func(lo, hi int) {
		if calls.Add(1) == 3 {
			cancel()
		}
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, calls.Load(), int32(1000))
}
