package neighbors

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCrossover times the all-points K=20 search, one worker, on
// n=20000 uniform random points, with each method across dimensions. The
// cpu-ms/op metric (process CPU time) is steadier than wall time on a
// shared machine. Uniform data is the tree's worst case; real data of the
// same width usually has a lower intrinsic dimension.
func BenchmarkCrossover(b *testing.B) {
	const n = 20000
	for _, d := range []int{2, 4, 6, 8, 10, 12, 16, 20, 24, 32} {
		r := rand.New(rand.NewPCG(uint64(d), 9))
		data := make([]float64, n*d)
		for i := range data {
			data[i] = r.Float64()
		}
		for _, m := range []Method{Tree, Brute} {
			if m == Tree && d > 16 {
				continue // tens of seconds, and never chosen
			}
			b.Run(fmt.Sprintf("d=%d/%v", d, m), func(b *testing.B) {
				c0 := cpuTime()
				for b.Loop() {
					if _, _, err := New(data, n, d, m).Train(context.Background(), 20, 1); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// BenchmarkSearch is one query against 50,000 uniform points, K=20.
func BenchmarkSearch(b *testing.B) {
	const n = 50000
	for _, d := range []int{4, 10, 32} {
		r := rand.New(rand.NewPCG(uint64(d), 9))
		data := make([]float64, n*d)
		for i := range data {
			data[i] = r.Float64()
		}
		q := make([]float64, 1024*d)
		for i := range q {
			q[i] = r.Float64()
		}
		for _, m := range []Method{Tree, Brute} {
			b.Run(fmt.Sprintf("d=%d/%v", d, m), func(b *testing.B) {
				ix := New(data, n, d, m)
				s := ix.NewScratch(20)
				dist, idx := make([]float64, 20), make([]int32, 20)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					ix.Search(q[(i&1023)*d:(i&1023+1)*d], s, dist, idx)
					i++
				}
			})
		}
	}
}
