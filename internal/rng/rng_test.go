package rng

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStreams(t *testing.T) {
	a, b := New(7, 0), New(7, 0)
	for i := 0; i < 10; i++ {
		assert.Equal(t, a.Uint64(), b.Uint64())
	}
	c, d := New(7, 1), New(8, 0)
	x := New(7, 0).Uint64()
	assert.NotEqual(t, x, c.Uint64())
	assert.NotEqual(t, x, d.Uint64())
}
