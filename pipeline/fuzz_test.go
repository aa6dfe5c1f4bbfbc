package pipeline

import (
	"testing"

	"github.com/vigil-ml/vigil/iforest"
	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/lof"
)

// FuzzUnmarshalBinary feeds arbitrary bytes to UnmarshalBinary, both as they
// are and sealed with a valid header and checksum so that the field and
// binding checks behind the checksum are reached. Decoding must never panic,
// and a pipeline it accepts must score without panicking.
func FuzzUnmarshalBinary(f *testing.F) {
	X := testRows(60, 3, 9)
	for _, ds := range [][]Detector{
		{{Config: iforest.Config{Trees: 4, SampleSize: 16, Seed: 1}}},
		{{Config: knn.Config{K: 3}}, {Config: lof.Config{K: 4}}},
	} {
		p := fitTest(f, X, ds...)
		b, err := p.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		f.Add(b[6:len(b)-4], true)
	}
	f.Add([]byte{}, true)
	f.Fuzz(func(t *testing.T, data []byte, seal bool) {
		if seal {
			data = codec.Seal(magic, version, data)
		}
		var p Pipeline
		if err := p.UnmarshalBinary(data); err != nil {
			return
		}
		x := make([]float64, p.Features())
		if _, err := p.Score(x); err != nil {
			return
		}
		if _, err := p.Explain(x); err != nil {
			return
		}
	})
}
