package lof

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// Tampered per-row values behind a valid checksum are refused (issue 7
// item 2: NaN training scores loaded). The rows and the scaler are checked
// by neighbors.Blob.Build, tested there.
func TestUnmarshalRefusesTamperedModels(t *testing.T) {
	X := mat.NewDense(6, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1, 5, 5, 2, 2})
	for _, tc := range []struct {
		name   string
		mutate func(*Model)
	}{
		{"NaN LOF", func(m *Model) { m.train[1] = math.NaN() }},
		{"zero LOF", func(m *Model) { m.train[1] = 0 }},
		{"NaN density", func(m *Model) { m.lrd[3] = math.NaN() }},
		{"density above 1/Jitter", func(m *Model) { m.lrd[3] = 1e11 }},
		{"negative k-distance", func(m *Model) { m.kdist[0] = -1 }},
		{"infinite k-distance", func(m *Model) { m.kdist[0] = math.Inf(1) }},
		{"rows ×1e290", func(m *Model) { m.base.Index.Data()[2] *= 1e290 }},
		{"scale 1e-300", func(m *Model) { m.base.Scaler.Scale[1] = 1e-300 }},
	} {
		m, err := Fit(context.Background(), X, Config{K: 2, Standardize: true})
		require.NoError(t, err)
		tc.mutate(m)
		b, err := m.MarshalBinary()
		require.NoError(t, err)
		var got Model
		assert.ErrorIs(t, got.UnmarshalBinary(b), ErrCorrupt, tc.name)
	}
}
