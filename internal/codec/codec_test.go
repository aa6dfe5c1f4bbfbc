package codec

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vigil-ml/vigil/internal/check"
)

func sample() []byte {
	e := NewEncoder("TEST", 2)
	e.Int(-5)
	e.Bool(true)
	e.Float64(math.Pi)
	e.Float64s([]float64{1, 2.5})
	e.Int32s([]int32{-1, 7})
	e.String("héllo")
	return e.Bytes()
}

func TestRoundTrip(t *testing.T) {
	d, v, err := NewDecoder("t", "TEST", 2, sample())
	require.NoError(t, err)
	assert.EqualValues(t, 2, v)
	assert.Equal(t, -5, d.Int())
	assert.True(t, d.Bool())
	assert.Equal(t, math.Pi, d.Float64())
	assert.Equal(t, []float64{1, 2.5}, d.Float64s())
	assert.Equal(t, []int32{-1, 7}, d.Int32s())
	assert.Equal(t, "héllo", d.String())
	assert.NoError(t, d.Err())
}

func TestRejects(t *testing.T) {
	good := sample()
	flip := append([]byte(nil), good...)
	flip[10] ^= 1
	for _, tc := range []struct {
		name string
		data []byte
		max  uint16
	}{
		{"nil", nil, 2},
		{"truncated", good[:len(good)-3], 2},
		{"bit flip", flip, 2},
		{"magic", append([]byte("XEST"), good[4:]...), 2},
		{"future version", good, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := NewDecoder("t", "TEST", tc.max, tc.data)
			assert.True(t, errors.Is(err, check.ErrCorrupt), "%v", err)
		})
	}
}

func TestHostileLength(t *testing.T) {
	e := NewEncoder("TEST", 1)
	e.Int(min(1<<40, math.MaxInt)) // a slice length far beyond the blob
	d, _, err := NewDecoder("t", "TEST", 1, e.Bytes())
	require.NoError(t, err)
	assert.Nil(t, d.Float64s())
	assert.ErrorIs(t, d.Err(), check.ErrCorrupt)

	e = NewEncoder("TEST", 1)
	e.Int(3)
	e.Int(4)
	d, _, _ = NewDecoder("t", "TEST", 1, e.Bytes())
	d.Int()
	assert.ErrorIs(t, d.Err(), check.ErrCorrupt, "trailing bytes must be reported")
}
