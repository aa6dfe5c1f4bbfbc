package score

import (
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestDecodeMutatedSnapshots corrupts payload bytes of valid snapshots and
// fixes the checksum, so that the decoders' own checks, not the CRC, must
// catch the damage: decoding must never panic, and whatever decodes must be
// usable.
func TestDecodeMutatedSnapshots(t *testing.T) {
	s, _ := NewStream(StreamConfig{Window: 20, Blocks: 2, Summary: 3}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
	for i := range 15 {
		_, _ = s.Observe(float64(i))
	}
	b, _ := s.MarshalBinary()
	c, _ := FitCombiner(CombinerConfig{Method: AOM}, []float64{1, 2}, []float64{3, 5})
	cb, _ := c.MarshalBinary()
	tab := crc32.MakeTable(crc32.Castagnoli)
	r := rand.New(rand.NewPCG(1, 2))
	ok := 0
	for it := 0; it < 20000; it++ {
		src := b
		if it%2 == 1 {
			src = cb
		}
		d := append([]byte(nil), src...)
		for k := 0; k < 1+r.IntN(4); k++ {
			p := 6 + r.IntN(len(d)-10)
			d[p] = byte(r.IntN(256))
		}
		binary.LittleEndian.PutUint32(d[len(d)-4:], crc32.Checksum(d[:len(d)-4], tab))
		var st Stream
		if st.UnmarshalBinary(d) == nil {
			ok++
			for range 50 {
				_, _ = st.Observe(r.NormFloat64())
			}
		}
		var cm Combiner
		if cm.UnmarshalBinary(d) == nil {
			_, _ = cm.Combine(make([]float64, cm.Detectors()))
		}
	}
	t.Logf("%d of 20000 mutated snapshots decoded as streams", ok)
}
