package dataset

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 7 item 7: the loader must not panic, quote whole cells or buffer
// whole lines.

func TestManifestShortLines(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"name column last, short line", "n\td\tn_anomalies\tname\n12\t3\n", "line 2: 2 fields, no name field (column 4)"},
		{"missing counts", "name\tn\td\tn_anomalies\nx\t12\n", "line 2: 2 fields, no d field (column 3)"},
		{"only a name", "name\tn\td\tn_anomalies\nx\n", "line 2: 1 fields, no n field"},
		{"negative count", "name\tn\td\tn_anomalies\nx\t-4\t2\t1\n", "line 2 column 2 (n)"},
		{"huge cell quoted short", "name\tn\td\tn_anomalies\nx\t" + strings.Repeat("9z", 5000) + "\t2\t1\n", "(10000 bytes)"},
		{"more anomalies than rows", "name\tn\td\tn_anomalies\nx\t10\t2\t30\n", "line 2: 30 anomalies in 10 rows"},
		{"set listed twice", "name\tn\td\tn_anomalies\nx\t10\t2\t3\nx\t12\t2\t3\n", "line 3: set \"x\" listed twice"},
		{"long line", "name\tn\td\tn_anomalies\n" + strings.Repeat("x", MaxLineBytes+1) + "\n", "line 2: longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "MANIFEST.tsv"), []byte(tc.in), 0o644))
			var err error
			require.NotPanics(t, func() { _, err = Manifest(dir) })
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tc.want)
			assert.Less(t, len(err.Error()), 300)
		})
	}
}

func TestReadQuotesShortPrefix(t *testing.T) {
	huge := strings.Repeat("x", 512<<10)
	for _, in := range []string{
		"f0,f1,label\n1," + huge + ",0\n",
		"f0,f1,label\n1,2," + huge + "\n",
		"f0," + huge + ",label\n1,2,0\n",
	} {
		_, err := Read(strings.NewReader(in), "huge")
		require.ErrorIs(t, err, ErrFormat)
		assert.Less(t, len(err.Error()), 300, "error quotes %d bytes", len(err.Error()))
		assert.Contains(t, err.Error(), "(524288 bytes)")
	}
	// A short bad cell is quoted whole; a long one is cut on a rune
	// boundary.
	assert.Equal(t, `"abc"`, quote("abc"))
	q := quote(strings.Repeat("é", 30))
	assert.True(t, strings.HasPrefix(q, `"`+strings.Repeat("é", 20)+`"…`), q)
}

// endless is a line of digits with no newline, counting what is read.
type endless struct{ left, read int }

func (e *endless) Read(p []byte) (int, error) {
	if e.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), e.left)
	for i := range n {
		p[i] = '7'
	}
	e.left -= n
	e.read += n
	return n, nil
}

// TestReadLongLineFailsFast: a 512 MiB line used to take 4 GB and three
// minutes before failing; now it fails after reading about MaxLineBytes.
func TestReadLongLineFailsFast(t *testing.T) {
	for _, prefix := range []string{"", "f0,label\n1,"} {
		src := &endless{left: 512 << 20}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Read(io.MultiReader(strings.NewReader(prefix), src), "long")
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), "longer than")
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("prefix %q: read %d bytes, allocated %.1f MiB: %v", prefix, src.read, float64(alloc)/(1<<20), err)
		assert.Less(t, src.read, 2*MaxLineBytes)
		assert.Less(t, alloc, uint64(16<<20))
	}
	// A line at the bound is fine.
	long := "f0,label\n" + strings.Repeat("0", MaxLineBytes-2) + ",1\n"
	ds, err := Read(strings.NewReader(long), "edge")
	require.NoError(t, err)
	assert.Equal(t, 1, ds.Anomalies())
}
