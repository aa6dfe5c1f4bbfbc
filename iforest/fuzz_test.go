package iforest

import (
	"context"
	"testing"

	"github.com/vigil-ml/vigil/internal/codec"
)

// FuzzUnmarshalBinary feeds arbitrary bytes to UnmarshalBinary, both as they
// are and sealed with a valid header and checksum so that the field checks
// are reached. Decoding must never panic, and a model it accepts must score
// without panicking.
func FuzzUnmarshalBinary(f *testing.F) {
	X, _ := blobs(1, 40, 2, 3)
	for _, ext := range []int{0, 2} {
		m, err := Fit(context.Background(), X, Config{Trees: 3, SampleSize: 8, Seed: 1, ExtensionLevel: ext})
		if err != nil {
			f.Fatal(err)
		}
		b, _ := m.MarshalBinary()
		f.Add(b)
		f.Add(b[6 : len(b)-4])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, codec.Seal(magic, version, data)} {
			var m Model
			if m.UnmarshalBinary(in) != nil {
				continue
			}
			if m.dim > 1<<12 {
				continue
			}
			x := make([]float64, m.dim)
			if _, err := m.Score(x); err != nil {
				t.Fatalf("decoded model fails to score: %v", err)
			}
		}
	})
}
