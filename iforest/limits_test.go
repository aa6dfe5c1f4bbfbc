package iforest

import (
	"context"
	"errors"
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// TestConfigSizes is issue 7 item 4: Trees: 1<<40 used to end the process
// (out of memory) and 1<<62 to panic in makeslice. Every size is refused
// with ErrConfig before anything is allocated.
func TestConfigSizes(t *testing.T) {
	X, _ := blobs(1, 300, 0, 3)
	for _, cfg := range []Config{
		{Trees: min(1<<40, math.MaxInt)},
		{Trees: math.MaxInt/2 + 1},
		{Trees: math.MaxInt},
		{Trees: 5_000_000},              // 2.5e9 nodes: beyond int32 node numbers
		{Trees: 1 << 22, SampleSize: 2}, // 1.3e7 nodes, fine for the format...
		{SampleSize: math.MaxInt, Trees: 1 << 30},
		{Trees: 1 << 24, ExtensionLevel: 2},
	} {
		if cfg.Trees == 1<<22 {
			// ... but not for a 64 MB memory limit.
			old := debug.SetMemoryLimit(64 << 20)
			_, err := Fit(context.Background(), X, cfg)
			debug.SetMemoryLimit(old)
			assert.ErrorIs(t, err, ErrConfig, "%+v under a 64 MB limit", cfg)
			continue
		}
		m, err := Fit(context.Background(), X, cfg)
		assert.Nil(t, m)
		assert.ErrorIs(t, err, ErrConfig, "%+v", cfg)
		t.Logf("%+v: %v", cfg, err)
	}
}

func TestScoreNaNOnError(t *testing.T) {
	X, _ := blobs(1, 50, 0, 3)
	m, err := Fit(context.Background(), X, Config{Trees: 10, Seed: 1})
	require.NoError(t, err)
	v, err := m.Score([]float64{1, 2})
	assert.Error(t, err)
	assert.True(t, math.IsNaN(v), "score on error is %v", v)
	v, err = new(Model).Score([]float64{1, 2, 3})
	assert.ErrorIs(t, err, ErrNotFitted)
	assert.True(t, math.IsNaN(v))
	_, err = m.Score([]float64{1, math.Inf(1), 3})
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 1, e.Col)
}

// TestDecodeRefusesWhatFitCannotProduce is issue 7 item 2 for iforest:
// models that are structurally sound but that Fit can never produce used to
// load (and score as the tampering chose).
func TestDecodeRefusesWhatFitCannotProduce(t *testing.T) {
	X, _ := blobs(1, 200, 2, 3)
	for _, ext := range []int{0, 2} {
		fit := func() *Model {
			m, err := Fit(context.Background(), X, Config{Trees: 4, SampleSize: 32, Seed: 3, ExtensionLevel: ext})
			require.NoError(t, err)
			return m
		}
		firstLeaf := func(m *Model) int {
			for i, nd := range m.nodes {
				if int(nd.left) == i {
					return i
				}
			}
			return -1
		}
		firstInternal := func(m *Model) int {
			for i, nd := range m.nodes {
				if int(nd.left) != i {
					return i
				}
			}
			return -1
		}
		for _, tc := range []struct {
			name   string
			tamper func(m *Model)
		}{
			{"leaf path length far beyond its depth", func(m *Model) { m.vals[firstLeaf(m)] = 1e6 }},
			{"leaf path length below its depth", func(m *Model) {
				for i, nd := range m.nodes {
					if int(nd.left) == i && m.vals[i] >= 1 {
						m.vals[i] = 0.5
						return
					}
				}
			}},
			{"internal node with a path length", func(m *Model) { m.vals[firstInternal(m)] = 3 }},
			{"two trees share one root", func(m *Model) { m.roots[1] = m.roots[0] }},
			{"roots out of order", func(m *Model) { m.roots[1], m.roots[2] = m.roots[2], m.roots[1] }},
			{"first tree does not start at node 0", func(m *Model) { m.roots[0] = 1 }},
			{"a node with two parents", func(m *Model) {
				i := firstInternal(m)
				l := int(m.nodes[i].left)
				if int(m.nodes[l].left) != l {
					m.nodes[l].left = m.nodes[i].left
				} else {
					m.nodes[l+1] = m.nodes[i]
					m.vals[l+1] = 0
				}
			}},
		} {
			m := fit()
			tc.tamper(m)
			b, err := m.MarshalBinary()
			require.NoError(t, err)
			var back Model
			err = back.UnmarshalBinary(b)
			assert.ErrorIs(t, err, ErrCorrupt, "ext %d: %s", ext, tc.name)
		}
		if ext > 0 {
			m := fit()
			m.planeIdx[1] = m.planeIdx[0] // a hyperplane repeats a feature
			b, _ := m.MarshalBinary()
			assert.ErrorIs(t, new(Model).UnmarshalBinary(b), ErrCorrupt, "repeated hyperplane feature")
			m = fit()
			for i, nd := range m.nodes { // two nodes share a hyperplane
				if int(nd.left) != i && nd.feature != 0 {
					m.nodes[i].feature = 0
					break
				}
			}
			b, _ = m.MarshalBinary()
			assert.ErrorIs(t, new(Model).UnmarshalBinary(b), ErrCorrupt, "shared hyperplane")
		}
		// The untampered model loads and scores as the original.
		m := fit()
		b, _ := m.MarshalBinary()
		var back Model
		require.NoError(t, back.UnmarshalBinary(b))
		x := []float64{0.3, -1, 2}
		s1, _ := m.Score(x)
		s2, _ := back.Score(x)
		assert.Equal(t, s1, s2)
	}
}

// TestFitValidatesOwnForests runs the shared validation on forests of many
// shapes: Fit must never build what UnmarshalBinary refuses.
func TestFitValidatesOwnForests(t *testing.T) {
	for seed := range uint64(30) {
		n := 2 + int(seed*7%90)
		d := 1 + int(seed%4)
		X, _ := blobs(seed, n, int(seed%3), d)
		for _, ext := range []int{0, d - 1} {
			for _, boot := range []bool{false, true} {
				m, err := Fit(context.Background(), X, Config{Trees: 7, SampleSize: 2 + int(seed%40), Seed: seed, ExtensionLevel: ext, Bootstrap: boot})
				require.NoError(t, err)
				b, _ := m.MarshalBinary()
				require.NoError(t, new(Model).UnmarshalBinary(b), "seed %d n %d d %d ext %d", seed, n, d, ext)
			}
		}
	}
}

func TestScoreContextAndWorkers(t *testing.T) {
	X, _ := blobs(1, 3000, 2, 4)
	m, err := Fit(context.Background(), X, Config{Trees: 20, Seed: 1, Workers: 2})
	require.NoError(t, err)
	want, err := m.ScoreBatch(X)
	require.NoError(t, err)
	ctx := context.Background()
	got, err := m.ScoreBatchContext(ctx, X)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	dst := make([]float64, len(want))
	require.NoError(t, m.ScoreToContext(ctx, dst, X))
	assert.Equal(t, want, dst)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	got, err = m.ScoreBatchContext(cancelled, X)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, got)
	assert.ErrorIs(t, m.ScoreToContext(cancelled, dst, X), context.Canceled)
	// On error dst holds NaN, not the previous batch's scores.
	for i, v := range dst {
		assert.True(t, math.IsNaN(v), "dst[%d] = %v after a cancelled ScoreToContext", i, v)
	}
	copy(dst, want)
	bad := mat.DenseCopyOf(X)
	bad.Set(1, 1, math.Inf(1))
	assert.ErrorIs(t, m.ScoreTo(dst, bad), ErrNonFinite)
	for i, v := range dst {
		assert.True(t, math.IsNaN(v), "dst[%d] = %v after a failed ScoreTo", i, v)
	}

	// Workers on a loaded model: a copy, the original unchanged, the same
	// scores for any count.
	b, _ := m.MarshalBinary()
	var loaded Model
	require.NoError(t, loaded.UnmarshalBinary(b))
	assert.Equal(t, 0, loaded.Workers())
	for _, w := range []int{1, 3, 64, -5} {
		c := loaded.WithWorkers(w)
		assert.Equal(t, max(w, 0), c.Workers())
		got, err := c.ScoreBatch(X)
		require.NoError(t, err)
		assert.Equal(t, want, got, "workers %d", w)
	}
	assert.Equal(t, 0, loaded.Workers())
	assert.Equal(t, 2, m.Workers())

	// Every method of a zero Model refuses with ErrNotFitted.
	var zero Model
	_, err = zero.ScoreBatchContext(ctx, X)
	assert.ErrorIs(t, err, ErrNotFitted)
	assert.ErrorIs(t, zero.ScoreToContext(ctx, dst, X), ErrNotFitted)
	_, err = zero.WithWorkers(2).ScoreBatch(X)
	assert.ErrorIs(t, err, ErrNotFitted)
	_, err = zero.MarshalBinary()
	assert.ErrorIs(t, err, ErrNotFitted)
	assert.Equal(t, 0, zero.Features())
}
