// Package parallel runs index-range loops over a fixed number of goroutines.
//
// Work is cut into blocks whose boundaries depend only on n and the grain,
// never on the number of workers, and each block writes only its own output;
// so a loop gives bit-identical results for any Workers value.
package parallel

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers resolves a Config.Workers value: 0 or less means GOMAXPROCS.
func Workers(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// For calls fn(lo, hi) for consecutive blocks [lo, hi) of at most grain
// indices covering [0, n), on up to workers goroutines. It stops handing out
// blocks once ctx is cancelled and then returns ctx.Err(). fn must only write
// state owned by its block.
func For(ctx context.Context, n, grain, workers int, fn func(lo, hi int)) error {
	if n <= 0 {
		return ctx.Err()
	}
	if grain < 1 {
		grain = 1
	}
	blocks := (n + grain - 1) / grain
	workers = Workers(workers)
	if workers > blocks {
		workers = blocks
	}
	if workers == 1 {
		for b := 0; b < blocks; b++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			lo := b * grain
			fn(lo, min(lo+grain, n))
		}
		return ctx.Err()
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				if ctx.Err() != nil {
					return
				}
				b := int(next.Add(1) - 1)
				if b >= blocks {
					return
				}
				lo := b * grain
				fn(lo, min(lo+grain, n))
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
