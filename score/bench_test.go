package score

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

func BenchmarkStreamObserve(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 1<<16)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	s, _ := NewStream(StreamConfig{}, nil)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _ = s.Observe(x[i&(len(x)-1)])
	}
}

func BenchmarkThrottleAllow(b *testing.B) {
	th, _ := NewThrottle(ThrottleConfig{MaxKeys: 10_000})
	keys := make([]string, 50_000)
	for i := range keys {
		keys[i] = "user-" + strconv.Itoa(i)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		th.Allow(keys[i%len(keys)], start.Add(time.Duration(i)*time.Millisecond))
	}
}

func BenchmarkCombine(b *testing.B) {
	c, _ := FitCombiner(CombinerConfig{}, []float64{1, 2, 3, 4}, []float64{1, 1.1, 0.9, 1.3})
	x := []float64{2.5, 1.05}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = c.Combine(x)
	}
}
