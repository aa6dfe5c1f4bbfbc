package rare

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vigil-ml/vigil/internal/codec"
)

// smallModel returns a model with entities, values, evictions, tail pairs
// and an open bucket, under a 1 MiB limit so that its snapshot is small.
func smallModel(tb testing.TB) *Model {
	m, err := New(Config{MemoryLimit: 1 << 20, MaxValuesPerEntity: 3, BucketSpan: time.Minute, HalfLife: 10 * time.Minute})
	require.NoError(tb, err)
	for b := int64(0); b < 6; b++ {
		for i := range 5 {
			_, err := m.Observe(b, fmt.Sprint("e", i), fmt.Sprint("v", (int(b)+i)%7))
			require.NoError(tb, err)
			_, err = m.Observe(b, fmt.Sprint("e", i), "common")
			require.NoError(tb, err)
		}
	}
	return m
}

// FuzzUnmarshalBinary feeds arbitrary bytes to UnmarshalBinary, both as they
// are and sealed with a valid header and checksum so that the field checks
// are reached. Decoding must never panic, and a model it accepts must
// observe, snapshot and restore without error.
func FuzzUnmarshalBinary(f *testing.F) {
	// Seeds: a model without a tail (no sketch counters, a few hundred
	// bytes: the fuzzer mutates small inputs far faster) and an empty one;
	// the corrupt-data test covers a model with sketches.
	m, err := New(Config{MemoryLimit: 1 << 20, BucketSpan: time.Minute})
	require.NoError(f, err)
	for b := int64(0); b < 3; b++ {
		for i := range 3 {
			_, err := m.Observe(b, fmt.Sprint("e", i), fmt.Sprint("v", (int(b)+i)%4))
			require.NoError(f, err)
		}
	}
	b, err := m.MarshalBinary()
	require.NoError(f, err)
	f.Add(b[6 : len(b)-4])
	empty, _ := New(Config{MemoryLimit: 1 << 20})
	eb, _ := empty.MarshalBinary()
	f.Add(eb[6 : len(eb)-4])
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, codec.Seal(magic, version, data)} {
			var m Model
			if m.UnmarshalBinary(in) != nil {
				continue
			}
			cur, _ := m.Bucket()
			for i := range 20 {
				if _, err := m.Observe(cur+int64(i/7), fmt.Sprint("e", i%4), fmt.Sprint("v", i%5)); err != nil {
					t.Fatalf("decoded model fails to observe: %v", err)
				}
			}
			out, err := m.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var back Model
			if err := back.UnmarshalBinary(out); err != nil {
				t.Fatalf("re-encoded model does not decode: %v", err)
			}
		}
	})
}

func TestUnmarshalCorrupt(t *testing.T) {
	m := smallModel(t)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	var back Model
	require.NoError(t, back.UnmarshalBinary(b))
	for _, n := range []int{0, 5, 10, len(b) / 2, len(b) - 1} {
		assert.ErrorIs(t, back.UnmarshalBinary(b[:n]), ErrCorrupt, "truncated to %d", n)
	}
	bad := append([]byte(nil), b...)
	bad[len(bad)/2] ^= 0x40
	assert.ErrorIs(t, back.UnmarshalBinary(bad), ErrCorrupt, "flipped bit")
	// Sealed payloads that pass the checksum but break field rules.
	payload := b[6 : len(b)-4]
	for name, edit := range map[string]func([]byte){
		"memory limit 64 PiB": func(p []byte) { putInt(p, 16, 1<<56) },
		"zero bucket span":    func(p []byte) { putInt(p, 0, 0) },
		"half-life below span": func(p []byte) {
			putInt(p, 8, 1)
		},
	} {
		p := append([]byte(nil), payload...)
		edit(p)
		assert.ErrorIs(t, back.UnmarshalBinary(codec.Seal(magic, version, p)), ErrCorrupt, name)
	}
	// A failed decode leaves the receiver as it was.
	r1, err := back.Observe(100, "e1", "v1")
	require.NoError(t, err)
	r2, err := m.Observe(100, "e1", "v1")
	require.NoError(t, err)
	assert.Equal(t, r2, r1)
}

func putInt(p []byte, off int, v int64) {
	for i := range 8 {
		p[off+i] = byte(uint64(v) >> (8 * i))
	}
}
