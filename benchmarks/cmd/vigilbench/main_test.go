package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeSets writes two small sets with planted outliers, the first rows.
func writeSets(t *testing.T) string {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 6))
	for _, name := range []string{"beta", "alpha"} {
		var b strings.Builder
		b.WriteString("f0,f1,f2,label\n")
		for i := range 300 {
			shift, label := 0.0, 0
			if i < 6 {
				shift, label = 9, 1
			}
			fmt.Fprintf(&b, "%g,%g,%g,%d\n", r.NormFloat64()+shift, r.NormFloat64()+shift, r.NormFloat64(), label)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".csv"), []byte(b.String()), 0o644))
	}
	return dir
}

func TestTableJSONScoresAndCompare(t *testing.T) {
	dir := writeSets(t)
	scores := filepath.Join(t.TempDir(), "scores")
	var out, errOut bytes.Buffer
	code, err := run([]string{"-data", dir, "-seeds", "2", "-trees", "30", "-scores", scores}, &out, &errOut)
	require.NoError(t, err)
	require.Equal(t, 0, code)
	table := out.String()
	// Sets in name order, both found almost perfectly.
	ia, ib := strings.Index(table, "| alpha |"), strings.Index(table, "| beta |")
	require.True(t, ia > 0 && ib > ia, table)
	assert.Contains(t, table, "| alpha | 300 | 3 | 6 | 1.0000 |")
	assert.Contains(t, errOut.String(), "alpha")
	for _, f := range []string{"alpha.iforest.seed0.csv", "alpha.iforest.seed1.csv", "beta.iforest.seed1.csv"} {
		b, err := os.ReadFile(filepath.Join(scores, f))
		require.NoError(t, err)
		assert.Len(t, strings.Fields(string(b)), 300)
	}

	out.Reset()
	code, err = run([]string{"-data", dir, "-seeds", "2", "-trees", "30", "-json", "-q", "-only", "beta"}, &out, &errOut)
	require.NoError(t, err)
	require.Equal(t, 0, code)
	report := filepath.Join(t.TempDir(), "r.json")
	require.NoError(t, os.WriteFile(report, out.Bytes(), 0o644))
	assert.Contains(t, out.String(), `"dataset": "beta"`)

	// A report compared with itself matches exactly; with a run that lacks
	// a set, the missing set is flagged and the exit status is 1.
	out.Reset()
	code, err = run([]string{"-in", report, "-compare", report}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 0, code)
	assert.Contains(t, out.String(), "| beta | 300 | 3 | 1.0000 | 1.0000 | +0.0000 |")
	assert.Contains(t, out.String(), "no set outside tolerance")

	out.Reset()
	full := filepath.Join(t.TempDir(), "full.json")
	var fullOut bytes.Buffer
	_, err = run([]string{"-data", dir, "-seeds", "1", "-trees", "30", "-json", "-q"}, &fullOut, &errOut)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(full, fullOut.Bytes(), 0o644))
	code, err = run([]string{"-in", report, "-compare", full}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "FLAGGED")
	assert.Contains(t, out.String(), "alpha")
}

func TestBadInvocations(t *testing.T) {
	dir := writeSets(t)
	var out, errOut bytes.Buffer
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-detector", "nope", "-data", dir}, `unknown detector "nope"`},
		{[]string{"-data", dir, "-only", "gamma"}, `no set "gamma"`},
		{[]string{"-data", dir, "-seeds", "0"}, "-seeds must be at least 1"},
		{[]string{"-data", filepath.Join(dir, "absent")}, "data not found"},
		{[]string{"-data", dir, "extra"}, "unexpected arguments"},
	} {
		code, err := run(tc.args, &out, &errOut)
		assert.Equal(t, 2, code, tc.args)
		require.Error(t, err, tc.args)
		assert.Contains(t, err.Error(), tc.want)
	}
	code, _ := run([]string{"-no-such-flag"}, &out, &errOut)
	assert.Equal(t, 2, code)
}

// TestBadManifest: a short line in MANIFEST.tsv used to crash vigilbench
// with a stack trace (issue 7 item 7); now it is an error naming the line.
func TestBadManifest(t *testing.T) {
	dir := writeSets(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "MANIFEST.tsv"), []byte("n\td\tn_anomalies\tname\n300\t3\n"), 0o644))
	var out, errOut bytes.Buffer
	var code int
	var err error
	require.NotPanics(t, func() { code, err = run([]string{"-data", dir, "-seeds", "1", "-trees", "10", "-q"}, &out, &errOut) })
	assert.Equal(t, 2, code)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MANIFEST.tsv line 2")
}
