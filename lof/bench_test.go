package lof

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gaussian returns n rows of d standard normal values.
func gaussian(n, d int, seed uint64) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 2))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return mat.NewDense(n, d, x)
}

// BenchmarkScore is the latency of one new point against a 50,000-row
// model, K=20: the novelty-detection hot path.
func BenchmarkScore(b *testing.B) {
	for _, d := range []int{10, 100} {
		b.Run(fmt.Sprintf("n=50000/d=%d", d), func(b *testing.B) {
			m, err := Fit(context.Background(), gaussian(50000, d, 1), Config{Workers: 2})
			if err != nil {
				b.Fatal(err)
			}
			qs := gaussian(1024, d, 2)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := m.Score(qs.RawRowView(i & 1023)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkFit is LOF on all points, one worker.
func BenchmarkFit(b *testing.B) {
	for _, c := range []struct{ n, d int }{{20000, 5}, {20000, 10}, {5000, 100}} {
		b.Run(fmt.Sprintf("n=%d/d=%d", c.n, c.d), func(b *testing.B) {
			X := gaussian(c.n, c.d, 3)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(context.Background(), X, Config{Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkScoreBatch(b *testing.B) {
	m, err := Fit(context.Background(), gaussian(50000, 10, 1), Config{})
	if err != nil {
		b.Fatal(err)
	}
	qs := gaussian(10000, 10, 2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.ScoreBatch(qs); err != nil {
			b.Fatal(err)
		}
	}
}

// sharedSet reads NAME.csv from $VIGIL_DATA/odds or ../shared/data/odds next
// to the module root, skipping the benchmark when it is absent. Every step-th
// row from offset is kept, up to max rows.
func sharedSet(b *testing.B, name string, offset, step, max int) *mat.Dense {
	dir := os.Getenv("VIGIL_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	f, err := os.Open(filepath.Join(dir, "odds", name+".csv"))
	if err != nil {
		b.Skipf("shared data set %s not found (set $VIGIL_DATA or place it in ../shared/data): %v", name, err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		b.Fatal(err)
	}
	var data []float64
	d := 0
	for i := 0; len(data) < max*d || d == 0; i++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		d = len(rec) - 1
		if i < offset || (i-offset)%step != 0 {
			continue
		}
		for _, s := range rec[:d] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				b.Fatal(err)
			}
			data = append(data, v)
		}
	}
	return mat.NewDense(len(data)/d, d, data)
}

// BenchmarkScoreCover is the latency of one new point against a LOF model of
// 50,000 rows of the cover set (d=10), scoring rows the model has not seen.
func BenchmarkScoreCover(b *testing.B) {
	X := sharedSet(b, "cover", 0, 5, 50000)
	Q := sharedSet(b, "cover", 1, 5, 1024)
	m, err := Fit(context.Background(), X, Config{Workers: 2})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := m.Score(Q.RawRowView(i & 1023)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
