package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/pipeline"
)

// Save and Load round-trip a pipeline through a file, Load checks the
// feature names it is given, and a damaged file is refused.
func TestSaveLoad(t *testing.T) {
	X := blobs(200, 3, 4)
	names := []string{"a", "b", "c"}
	p, err := pipeline.Fit(context.Background(), X, pipeline.Config{
		Detectors: []pipeline.Detector{{Config: knn.Config{K: 5}}}, FeatureNames: names})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.vgl")
	require.NoError(t, p.Save(path))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	q, err := pipeline.Load(path, names...)
	require.NoError(t, err)
	x := []float64{9, 9, -9}
	want, err := p.Score(x)
	require.NoError(t, err)
	got, err := q.Score(x)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	_, err = pipeline.Load(path, "a", "c", "b")
	assert.ErrorIs(t, err, pipeline.ErrDimension)
	_, err = pipeline.Load(filepath.Join(t.TempDir(), "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	b[len(b)/2] ^= 1
	require.NoError(t, os.WriteFile(path, b, 0o600))
	_, err = pipeline.Load(path)
	assert.ErrorIs(t, err, pipeline.ErrCorrupt)
	// Saving over a file replaces it whole; no temporary file is left.
	require.NoError(t, p.Save(path))
	_, err = pipeline.Load(path)
	require.NoError(t, err)
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1)
	var zero pipeline.Pipeline
	assert.ErrorIs(t, zero.Save(path), pipeline.ErrNotFitted)
}

// Reason names the explanation's largest features with actual and typical
// values and shares, in the order and the numbers of Top and Typical.
func TestReason(t *testing.T) {
	X := blobs(300, 3, 6)
	p, err := pipeline.Fit(context.Background(), X, pipeline.Config{
		Detectors: []pipeline.Detector{{Config: knn.Config{K: 5}}}, FeatureNames: []string{"req", "err", "bytes"}})
	require.NoError(t, err)
	typ := p.Typical()
	x := append([]float64(nil), typ...)
	x[1] += 40
	r, err := p.Score(x)
	require.NoError(t, err)
	require.Equal(t, 1, r.Label)
	s := p.Reason(x, r, 2)
	top := p.Top(r.Explanation, 2)
	require.NotEmpty(t, top)
	assert.Equal(t, "err", top[0].Name)
	assert.True(t, strings.HasPrefix(s, "err "), s)
	assert.Contains(t, s, "(typ. ")
	assert.Contains(t, s, "%")
	r.Explanation = nil
	assert.Equal(t, "", p.Reason(x, r, 2))
	assert.Equal(t, "", p.Reason(x[:2], r, 2))
}
