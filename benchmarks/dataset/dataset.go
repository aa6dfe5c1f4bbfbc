package dataset

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"
)

// ErrNotFound reports that the shared data directory, or a set in it, is
// absent. Tests and benchmarks that need real data skip on it.
var ErrNotFound = errors.New("data not found")

// ErrFormat reports a CSV file that does not follow the shared format.
var ErrFormat = errors.New("bad data file")

// EnvVar names the environment variable that points at the data root, the
// directory holding odds/ (and nab/).
const EnvVar = "VIGIL_DATA"

// Dataset is one labelled set: rows of X are samples, Labels[i] is true when
// row i is an anomaly.
type Dataset struct {
	Name   string
	X      *mat.Dense
	Labels []bool
}

// Anomalies returns the number of rows labelled anomalous.
func (ds *Dataset) Anomalies() int {
	n := 0
	for _, l := range ds.Labels {
		if l {
			n++
		}
	}
	return n
}

// Root returns the data root: $VIGIL_DATA when set, else ../shared/data
// relative to the module root, found by walking up from the working
// directory to go.mod (so it works from any package directory under go test).
func Root() (string, error) {
	if env := os.Getenv(EnvVar); env != "" {
		if !isDir(env) {
			return "", fmt.Errorf("dataset: %w: $%s=%q is not a directory", ErrNotFound, EnvVar, env)
		}
		return env, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("dataset: %w: %v", ErrNotFound, err)
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			root := filepath.Join(dir, "..", "shared", "data")
			if !isDir(root) {
				return "", fmt.Errorf("dataset: %w: no %s beside module root %s; set $%s to the data root",
					ErrNotFound, filepath.Clean(root), dir, EnvVar)
			}
			return filepath.Clean(root), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("dataset: %w: no go.mod above %s and $%s is not set", ErrNotFound, wd, EnvVar)
		}
		dir = parent
	}
}

// Dir returns the directory of the ODDS-style tabular sets, Root()/odds.
// $VIGIL_DATA may also point straight at that directory.
func Dir() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	if odds := filepath.Join(root, "odds"); isDir(odds) {
		return odds, nil
	}
	if matches, _ := filepath.Glob(filepath.Join(root, "*.csv")); len(matches) > 0 {
		return root, nil
	}
	return "", fmt.Errorf("dataset: %w: no odds/ directory or CSV files in %s", ErrNotFound, root)
}

// Named loads NAME.csv from Dir(). A missing directory or file gives an
// error wrapping ErrNotFound.
func Named(name string) (*Dataset, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	return Load(filepath.Join(dir, name+".csv"))
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// Names returns the names of the sets in dir (CSV files without the
// extension), sorted so that runs list sets in a fixed order.
func Names(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("dataset: %w: %v", ErrNotFound, err)
		}
		return nil, fmt.Errorf("dataset: %v", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".csv") {
			names = append(names, strings.TrimSuffix(e.Name(), ".csv"))
		}
	}
	slices.Sort(names)
	return names, nil
}

// Load reads the set at path; its name is the file name without ".csv".
func Load(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("dataset: %w: %v", ErrNotFound, err)
		}
		return nil, fmt.Errorf("dataset: %v", err)
	}
	defer f.Close()
	return Read(bufio.NewReaderSize(f, 1<<16), strings.TrimSuffix(filepath.Base(path), ".csv"))
}

// MaxLineBytes bounds the length of one line of a data file or manifest, 1
// MiB: far beyond any row of the shared sets (the widest take a few KB), and
// small enough that a corrupt or hostile file with one enormous line fails
// after reading at most this much, with memory to match, instead of being
// buffered whole.
const MaxLineBytes = 1 << 20

// maxQuoted is the most of a bad cell an error message quotes.
const maxQuoted = 40

// quote returns s quoted for an error message, cut to its first maxQuoted
// bytes (on a rune boundary) with its length when it is longer, so that a
// huge cell cannot make a huge message.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

// errLineTooLong is returned by lineLimit when a line exceeds the bound.
var errLineTooLong = fmt.Errorf("a line is longer than %d bytes", MaxLineBytes)

// lineLimit passes bytes through until a line grows past MaxLineBytes, then
// fails, so that the CSV reader above it never buffers more than that.
type lineLimit struct {
	r    io.Reader
	line int // bytes since the last newline
	n    int // lines completed
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			l.line += n - i
			break
		}
		l.line += j
		if l.line > MaxLineBytes {
			break
		}
		l.line, l.n = 0, l.n+1
		i += j + 1
	}
	if l.line > MaxLineBytes {
		return 0, fmt.Errorf("line %d: %w", l.n+1, errLineTooLong)
	}
	return n, err
}

// Read parses a set in the shared CSV format. Errors wrap ErrFormat and name
// the set, the line and, for a bad cell, the column (1-based) and its header,
// quoting at most the first 40 bytes of the cell. A line longer than
// MaxLineBytes is an error.
func Read(r io.Reader, name string) (*Dataset, error) {
	cr := csv.NewReader(&lineLimit{r: r})
	cr.FieldsPerRecord = -1 // check widths ourselves to give a better message
	cr.ReuseRecord = true
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("dataset: %w: %s line %d: %s", ErrFormat, name, line, fmt.Sprintf(format, args...))
	}

	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("dataset: %w: %s is empty", ErrFormat, name)
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: %w: %s: %v", ErrFormat, name, err)
	}
	header = slices.Clone(header)
	d := len(header) - 1
	if d < 1 || header[d] != "label" {
		return nil, fail(1, "header must be f0,...,f{d-1},label, got %s", quote(strings.Join(header, ",")))
	}
	for j := range d {
		if header[j] != "f"+strconv.Itoa(j) {
			return nil, fail(1, "column %d of the header is %s, want %q", j+1, quote(header[j]), "f"+strconv.Itoa(j))
		}
	}

	var data []float64
	var labels []bool
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("dataset: %w: %s: %v", ErrFormat, name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != d+1 {
			return nil, fail(line, "%d fields, header has %d", len(rec), d+1)
		}
		for j := range d {
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[j]), 64)
			if err != nil {
				return nil, fail(line, "column %d (%s): %s is not a number", j+1, header[j], quote(rec[j]))
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fail(line, "column %d (%s): %s is not finite", j+1, header[j], quote(rec[j]))
			}
			data = append(data, v)
		}
		// Accept "1" and "1.0": some exporters write labels as floats.
		lab, err := strconv.ParseFloat(strings.TrimSpace(rec[d]), 64)
		if err != nil || (lab != 0 && lab != 1) {
			return nil, fail(line, "column %d (label): %s is not 0 or 1", d+1, quote(rec[d]))
		}
		labels = append(labels, lab == 1)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("dataset: %w: %s has a header but no rows", ErrFormat, name)
	}
	return &Dataset{Name: name, X: mat.NewDense(len(labels), d, data), Labels: labels}, nil
}

// Entry is one line of MANIFEST.tsv.
type Entry struct {
	Name      string
	N, D      int
	Anomalies int
}

// Manifest reads dir/MANIFEST.tsv, which lets a caller skip large sets
// without parsing them. It returns ErrNotFound when the file is absent and
// an error wrapping ErrFormat, naming the line, for a malformed one (a
// missing field, a non-integer or negative count, a line longer than
// MaxLineBytes).
func Manifest(dir string) (map[string]Entry, error) {
	path := filepath.Join(dir, "MANIFEST.tsv")
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("dataset: %w: %v", ErrNotFound, err)
		}
		return nil, fmt.Errorf("dataset: %v", err)
	}
	defer f.Close()
	return readManifest(f, path)
}

func readManifest(r io.Reader, path string) (map[string]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineBytes)
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("dataset: %w: %s line %d: %s", ErrFormat, path, line, fmt.Sprintf(format, args...))
	}
	lineNo := 0
	next := func() (string, bool, error) {
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				if errors.Is(err, bufio.ErrTooLong) {
					return "", false, fail(lineNo+1, "longer than %d bytes", MaxLineBytes)
				}
				return "", false, fmt.Errorf("dataset: %s: %v", path, err)
			}
			return "", false, nil
		}
		lineNo++
		return strings.TrimSuffix(sc.Text(), "\r"), true, nil
	}
	head, ok, err := next()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("dataset: %w: %s is empty", ErrFormat, path)
	}
	col := map[string]int{}
	for i, h := range strings.Split(head, "\t") {
		col[strings.TrimSpace(h)] = i
	}
	for _, h := range []string{"name", "n", "d", "n_anomalies"} {
		if _, ok := col[h]; !ok {
			return nil, fail(1, "no %q column", h)
		}
	}
	out := map[string]Entry{}
	for {
		ln, ok, err := next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		if strings.TrimSpace(ln) == "" {
			continue
		}
		f := strings.Split(ln, "\t")
		field := func(h string) (string, error) {
			c := col[h]
			if c >= len(f) {
				return "", fail(lineNo, "%d fields, no %s field (column %d)", len(f), h, c+1)
			}
			return strings.TrimSpace(f[c]), nil
		}
		count := func(h string) (int, error) {
			v, err := field(h)
			if err != nil {
				return 0, err
			}
			x, perr := strconv.Atoi(v)
			if perr != nil || x < 0 {
				return 0, fmt.Errorf("dataset: %w: %s line %d column %d (%s): %s is not a count", ErrFormat, path, lineNo, col[h]+1, h, quote(v))
			}
			return x, nil
		}
		var e Entry
		if e.Name, err = field("name"); err != nil {
			return nil, err
		}
		if e.Name == "" {
			return nil, fail(lineNo, "empty name")
		}
		if e.N, err = count("n"); err != nil {
			return nil, err
		}
		if e.D, err = count("d"); err != nil {
			return nil, err
		}
		if e.Anomalies, err = count("n_anomalies"); err != nil {
			return nil, err
		}
		if e.Anomalies > e.N {
			return nil, fail(lineNo, "%d anomalies in %d rows", e.Anomalies, e.N)
		}
		if _, dup := out[e.Name]; dup {
			return nil, fail(lineNo, "set %.40q listed twice", e.Name)
		}
		out[e.Name] = e
	}
}
