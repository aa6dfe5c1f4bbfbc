package tsmodel

import (
	"math"
	"testing"
)

// FuzzDecodeBinary: decoding arbitrary bytes never panics; what decodes
// re-encodes to the same bytes and can be scored and updated.
func FuzzDecodeBinary(f *testing.F) {
	p, _ := NewParams(300, 0, 0)
	var s Series
	for i := 0; i < 600; i++ {
		s.Update(p, start+int64(i)*300, float64(i%17))
	}
	f.Add(s.AppendBinary(nil))
	f.Add([]byte{codecVersion})
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Series
		rest, err := d.DecodeBinary(b)
		if err != nil {
			return
		}
		got := d.AppendBinary(nil)
		if string(got) != string(b[:len(b)-len(rest)]) {
			t.Fatal("re-encoding differs")
		}
		r := d.Score(p, start, 3, TwoSided)
		if math.IsNaN(r.Probability) || r.Probability <= 0 || r.Probability > 1 {
			t.Fatalf("probability %v", r.Probability)
		}
		d.Update(p, start, 3)
	})
}
