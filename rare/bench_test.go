package rare

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchStream is one bucket of traffic for a model of entities entities
// over 1,000 values: each entity has 16 values of its own (Zipf, s = 1) and
// makes perEntity observations a bucket, in random order.
type benchStream struct {
	ents, vals []uint64
	strE, strV []string
}

func newBenchStream(m *Model, entities, perEntity int) benchStream {
	r := rand.New(rand.NewPCG(3, 3))
	var cdf [16]float64
	sum := 0.0
	for k := range cdf {
		sum += 1 / float64(k+1)
		cdf[k] = sum
	}
	n := entities * perEntity
	s := benchStream{ents: make([]uint64, n), vals: make([]uint64, n), strE: make([]string, n), strV: make([]string, n)}
	for i, p := range r.Perm(n) {
		e := p / perEntity
		u := r.Float64() * sum
		k := 0
		for cdf[k] < u {
			k++
		}
		v := (e*31 + k*61) % 1000
		s.strE[i], s.strV[i] = fmt.Sprintf("host-%06d", e), fmt.Sprintf("AS%d", 64000+v)
		s.ents[i], s.vals[i] = m.HashString(s.strE[i]), m.HashString(s.strV[i])
	}
	return s
}

func benchModel(b *testing.B, entities int) (*Model, benchStream, int64) {
	m, err := New(Config{MemoryLimit: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	s := newBenchStream(m, entities, 10)
	bucket := int64(0)
	for ; bucket < 12; bucket++ { // warm up: every pair established
		for i := range s.ents {
			if _, err := m.ObserveHash(bucket, s.ents[i], s.vals[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	return m, s, bucket
}

// BenchmarkObserveHash: the hashed path through a 100,000-entity,
// 1,000-value model, buckets of 10 observations per entity (about half of
// them the first of their pair in the bucket, so scored), bucket closes
// included. Run with -cpu 1.
func BenchmarkObserveHash(b *testing.B) { benchObserveHash(b, 100_000) }

// BenchmarkObserveHashCached is BenchmarkObserveHash on 1,000 entities,
// whose state fits in cache: the model's compute cost without the memory
// latency that dominates at 100,000 entities.
func BenchmarkObserveHashCached(b *testing.B) { benchObserveHash(b, 1_000) }

func benchObserveHash(b *testing.B, entities int) {
	m, s, bucket := benchModel(b, entities)
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	i := 0
	for range b.N {
		if _, err := m.ObserveHash(bucket, s.ents[i], s.vals[i]); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(s.ents) {
			i = 0
			bucket++
		}
	}
	b.StopTimer()
	reportCPU(b, c0)
	reportBytes(b, m)
}

// BenchmarkObserveBatch is BenchmarkObserveHash through ObserveBatch, in
// batches of 1,024 observations.
func BenchmarkObserveBatch(b *testing.B) {
	m, s, bucket := benchModel(b, 100_000)
	const batch = 1024
	out := make([]Result, batch)
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	i := 0
	for done := 0; done < b.N; {
		n := min(batch, b.N-done, len(s.ents)-i)
		if err := m.ObserveBatch(bucket, s.ents[i:i+n], s.vals[i:i+n], out[:n]); err != nil {
			b.Fatal(err)
		}
		done += n
		if i += n; i == len(s.ents) {
			i = 0
			bucket++
		}
	}
	b.StopTimer()
	reportCPU(b, c0)
	reportBytes(b, m)
}

// BenchmarkObserveString is the same with string entities and values
// (hashing included).
func BenchmarkObserveString(b *testing.B) {
	m, s, bucket := benchModel(b, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	i := 0
	for range b.N {
		if _, err := m.Observe(bucket, s.strE[i], s.strV[i]); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(s.ents) {
			i = 0
			bucket++
		}
	}
	b.StopTimer()
	reportCPU(b, c0)
}

// BenchmarkNaivePeer is the peer the figures are compared with: the same
// definition (once per bucket and entity, decayed counts, mass of the values
// no more likely) kept exactly in Go maps of strings, the way an unbounded
// implementation would, and scored by a scan of the entity's values.
func BenchmarkNaivePeer(b *testing.B) {
	m, _ := New(Config{})
	s := newBenchStream(m, 100_000, 10)
	type ent struct {
		counts map[string]float64
		seen   map[string]int64
		total  float64
	}
	model := map[string]*ent{}
	g := 1.0
	decay := 1 / (float64(DefaultHalfLife / DefaultBucketSpan))
	bucket := int64(0)
	sink := 0.0
	observe := func(e, v string) {
		en := model[e]
		if en == nil {
			en = &ent{counts: map[string]float64{}, seen: map[string]int64{}}
			model[e] = en
		}
		if last, ok := en.seen[v]; ok && last == bucket {
			return
		}
		c := en.counts[v]
		le := 0.0
		for _, x := range en.counts {
			if x <= 2*c+g {
				le += x
			}
		}
		sink += (le + g) / (en.total + g)
		en.seen[v] = bucket
		en.counts[v] = c + g
		en.total += g
	}
	for ; bucket < 12; bucket++ {
		for i := range s.strE {
			observe(s.strE[i], s.strV[i])
		}
		g *= 1 + decay
	}
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	i := 0
	for range b.N {
		observe(s.strE[i], s.strV[i])
		if i++; i == len(s.strE) {
			i = 0
			bucket++
			g *= 1 + decay
		}
	}
	b.StopTimer()
	reportCPU(b, c0)
	_ = sink
}

// BenchmarkMarshal measures a snapshot of the 100,000-entity model.
func BenchmarkMarshal(b *testing.B) {
	m, _, _ := benchModel(b, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for range b.N {
		data, err := m.MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	b.ReportMetric(float64(n), "bytes")
}

// reportBytes reports the accounted bytes per entity: all of Stats.Bytes,
// which includes the sketches and tail set reserved from the memory limit
// (64 MiB of the benchmark's 1 GiB), and the entity and value state alone.
func reportBytes(b *testing.B, m *Model) {
	st := m.Stats()
	b.ReportMetric(float64(st.Bytes)/float64(st.Entities), "B/entity")
	b.ReportMetric(float64(st.Bytes-m.fixed)/float64(st.Entities), "state-B/entity")
}

// reportCPU reports observations per second of wall time and CPU time per
// observation (the honest figure on a shared machine).
func reportCPU(b *testing.B, c0 time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mobs/s")
	if c := cpuTime() - c0; c > 0 {
		b.ReportMetric(float64(c.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
