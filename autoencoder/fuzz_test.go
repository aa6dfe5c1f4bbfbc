package autoencoder

import (
	"context"
	"testing"

	"github.com/vigil-ml/vigil/internal/codec"
)

// FuzzUnmarshalBinary feeds arbitrary bytes to UnmarshalBinary, both as they
// are and sealed with a valid header and checksum so that the field checks
// are reached. Decoding must never panic, and a model it accepts must score,
// explain and encode without panicking.
func FuzzUnmarshalBinary(f *testing.F) {
	X := latent(1, 40, 3)
	for _, cfg := range []Config{
		{Seed: 1, Epochs: 1, Hidden: []int{4, 2, 4}},
		{Seed: 2, Epochs: 2, Hidden: []int{3}, Activation: Tanh, ValidationFraction: 0.2, Dropout: 0.1},
	} {
		m, err := Fit(context.Background(), X, cfg)
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
			x := make([]float64, m.Features())
			if _, err := m.Score(x); err != nil {
				t.Fatalf("decoded model fails to score: %v", err)
			}
			if _, err := m.Explain(x); err != nil {
				t.Fatalf("decoded model fails to explain: %v", err)
			}
			if _, err := m.Encode(x); err != nil {
				t.Fatalf("decoded model fails to encode: %v", err)
			}
			if _, err := m.MarshalBinary(); err != nil {
				t.Fatalf("decoded model fails to encode: %v", err)
			}
		}
	})
}
