package knn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// A blob with a valid checksum that decodes to a model Fit cannot produce is
// refused (issue 7 item 2: rows ×1e290 loaded and scored the origin 0, NaN
// training scores loaded, a scale of 1e-300 loaded and scored +Inf). Each
// blob is re-sealed by MarshalBinary after the fitted model is tampered with.
func TestUnmarshalRefusesTamperedModels(t *testing.T) {
	X := mat.NewDense(6, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1, 5, 5, 2, 2})
	for _, tc := range []struct {
		name   string
		mutate func(*Model)
	}{
		{"rows ×1e290", func(m *Model) {
			for i := range m.base.Index.Data() {
				m.base.Index.Data()[i] *= 1e290
			}
		}},
		{"NaN training score", func(m *Model) { m.train[2] = math.NaN() }},
		{"negative training score", func(m *Model) { m.train[0] = -1 }},
		{"scale 1e-300", func(m *Model) { m.base.Scaler.Scale[0] = 1e-300 }},
		{"K = n", func(m *Model) { m.cfg.K = 6 }},
		{"short scores", func(m *Model) { m.train = m.train[:5] }},
	} {
		m, err := Fit(context.Background(), X, Config{K: 2, Standardize: true})
		require.NoError(t, err)
		tc.mutate(m)
		b, err := m.MarshalBinary()
		require.NoError(t, err)
		var got Model
		assert.ErrorIs(t, got.UnmarshalBinary(b), ErrCorrupt, tc.name)
		_, err = got.Score([]float64{0, 0})
		assert.ErrorIs(t, err, ErrNotFitted, "%s: a refused blob leaves the model unfitted", tc.name)
	}
}
