package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadTiny(t *testing.T) {
	ds, err := Load(filepath.Join("testdata", "tiny.csv"))
	require.NoError(t, err)
	assert.Equal(t, "tiny", ds.Name)
	r, c := ds.X.Dims()
	assert.Equal(t, 4, r)
	assert.Equal(t, 3, c)
	assert.Equal(t, []float64{1.5, 2, -300}, ds.X.RawRowView(0))
	assert.Equal(t, []float64{7, 8, 9.25}, ds.X.RawRowView(3))
	assert.Equal(t, []bool{false, true, false, true}, ds.Labels)
	assert.Equal(t, 2, ds.Anomalies())
}

func TestReadErrorsNameLineAndColumn(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string // substrings the error must contain
	}{
		{"ragged row", "f0,f1,label\n1,2,0\n3,1\n", []string{"line 3", "2 fields, header has 3"}},
		{"long row", "f0,f1,label\n1,2,0,9\n", []string{"line 2", "4 fields"}},
		{"non-numeric cell", "f0,f1,label\n1,2,0\n3,abc,1\n", []string{"line 3", "column 2 (f1)", `"abc"`}},
		{"non-finite cell", "f0,f1,label\nNaN,2,0\n", []string{"line 2", "column 1 (f0)", "not finite"}},
		{"bad label", "f0,f1,label\n1,2,0\n3,4,2\n", []string{"line 3", "column 3 (label)", `"2"`}},
		{"text label", "f0,f1,label\n1,2,yes\n", []string{"line 2", "column 3 (label)"}},
		{"empty label", "f0,f1,label\n1,2,\n", []string{"line 2", "column 3 (label)"}},
		{"bad header name", "f0,x,label\n1,2,0\n", []string{"line 1", "column 2", `"x"`}},
		{"no label column", "f0,f1\n1,2\n", []string{"line 1", "header"}},
		{"header only", "f0,label\n", []string{"no rows"}},
		{"empty file", "", []string{"empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in), "set")
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrFormat), "error %v should wrap ErrFormat", err)
			assert.Contains(t, err.Error(), "set")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestLoadMissingIsNotFound(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.csv"))
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestNamesSorted(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"zeta.csv", "alpha.csv", "MANIFEST.tsv", "mid.csv"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("f0,label\n1,0\n"), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.csv"), 0o755))
	names, err := Names(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"alpha", "mid", "zeta"}, names)

	_, err = Names(filepath.Join(dir, "absent"))
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestManifest(t *testing.T) {
	m, err := Manifest("testdata")
	require.NoError(t, err)
	assert.Equal(t, Entry{Name: "tiny", N: 4, D: 3, Anomalies: 2}, m["tiny"])

	dir := t.TempDir()
	_, err = Manifest(dir)
	assert.ErrorIs(t, err, ErrNotFound)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "MANIFEST.tsv"), []byte("name\tn\td\tn_anomalies\nx\t12\tq\t1\n"), 0o644))
	_, err = Manifest(dir)
	require.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), "line 2 column 3 (d)")
}

func TestDirFromEnv(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, "odds"), 0o755))
	t.Setenv(EnvVar, root)
	dir, err := Dir()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "odds"), dir)

	// $VIGIL_DATA may point straight at a directory of CSV files.
	flat := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(flat, "a.csv"), []byte("f0,label\n1,0\n"), 0o644))
	t.Setenv(EnvVar, flat)
	dir, err = Dir()
	require.NoError(t, err)
	assert.Equal(t, flat, dir)

	t.Setenv(EnvVar, t.TempDir()) // exists, but holds no data
	_, err = Dir()
	assert.ErrorIs(t, err, ErrNotFound)

	t.Setenv(EnvVar, filepath.Join(root, "absent"))
	_, err = Dir()
	require.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), EnvVar)
}

func TestRootFromModule(t *testing.T) {
	t.Setenv(EnvVar, "")
	root, err := Root()
	if err != nil {
		// Fresh clone with no shared data beside it: the error must say so.
		require.ErrorIs(t, err, ErrNotFound)
		assert.Contains(t, err.Error(), filepath.Join("shared", "data"))
		return
	}
	assert.Equal(t, filepath.Join("shared", "data"), filepath.Join(filepath.Base(filepath.Dir(root)), filepath.Base(root)))
	// The module root is two levels above this package.
	wd, _ := os.Getwd()
	assert.Equal(t, filepath.Clean(filepath.Join(wd, "..", "..", "..", "shared", "data")), root)
}
