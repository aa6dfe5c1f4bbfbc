package nab

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ProbationPercent is NAB's probationary fraction of each file.
const ProbationPercent = 0.15

// TimeLayout is the timestamp format of NAB's data files.
const TimeLayout = "2006-01-02 15:04:05"

// File is one data file of the corpus.
type File struct {
	// Name is the path relative to data/, "category/file.csv".
	Name string
	// Stamps are the timestamps as written in the file.
	Stamps []string
	// Times are the timestamps as unix seconds (UTC); a few NAB files
	// repeat or step back around daylight-saving changes.
	Times []int64
	// Values are the values.
	Values []float64
	// Windows are the labelled anomaly windows as inclusive row ranges.
	Windows [][2]int
}

// Probation returns the number of probationary rows of the file.
func (f *File) Probation() int { return ProbationLength(len(f.Times)) }

// InWindow reports for every row whether it lies in a window (NAB's label
// column).
func (f *File) InWindow() []bool {
	in := make([]bool, len(f.Times))
	for _, w := range f.Windows {
		for i := w[0]; i <= w[1]; i++ {
			in[i] = true
		}
	}
	return in
}

// ProbationLength is NAB's probationary length of a file of n rows.
func ProbationLength(n int) int {
	return int(math.Min(math.Floor(ProbationPercent*float64(n)), ProbationPercent*5000))
}

// Corpus is the NAB corpus.
type Corpus struct {
	Files []*File
}

// Windows returns the number of windows in the corpus.
func (c *Corpus) Windows() int {
	n := 0
	for _, f := range c.Files {
		n += len(f.Windows)
	}
	return n
}

// ErrFormat reports a corpus file that does not follow NAB's layout.
var ErrFormat = errors.New("nab: bad corpus file")

// Load reads the corpus under dir (which holds data/ and labels/): every
// file named in labels/combined_windows.json, in name order.
func Load(dir string) (*Corpus, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "labels", "combined_windows.json"))
	if err != nil {
		return nil, fmt.Errorf("nab: %w", err)
	}
	var labels map[string][][2]string
	if err := json.Unmarshal(raw, &labels); err != nil {
		return nil, fmt.Errorf("%w: combined_windows.json: %v", ErrFormat, err)
	}
	names := make([]string, 0, len(labels))
	for k := range labels {
		names = append(names, k)
	}
	sort.Strings(names)
	c := &Corpus{}
	for _, name := range names {
		f, err := readFile(filepath.Join(dir, "data", filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		f.Name = name
		if err := f.setWindows(labels[name]); err != nil {
			return nil, err
		}
		c.Files = append(c.Files, f)
	}
	return c, nil
}

func parseStamp(s string) (int64, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".000000")
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return 0, err
	}
	return t.Unix(), nil
}

func readFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nab: %w", err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.FieldsPerRecord = 2
	head, err := r.Read()
	if err != nil || head[0] != "timestamp" || head[1] != "value" {
		return nil, fmt.Errorf("%w: %s: header %v, want timestamp,value", ErrFormat, path, head)
	}
	f := &File{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrFormat, path, err)
		}
		t, err := parseStamp(rec[0])
		if err != nil {
			return nil, fmt.Errorf("%w: %s line %d: timestamp %q", ErrFormat, path, line, rec[0])
		}
		v, err := strconv.ParseFloat(rec[1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: %s line %d: value %q", ErrFormat, path, line, rec[1])
		}
		f.Stamps = append(f.Stamps, rec[0])
		f.Times = append(f.Times, t)
		f.Values = append(f.Values, v)
	}
	if len(f.Times) == 0 {
		return nil, fmt.Errorf("%w: %s: no rows", ErrFormat, path)
	}
	return f, nil
}

func (f *File) setWindows(lims [][2]string) error {
	for _, l := range lims {
		a, err1 := parseStamp(l[0])
		b, err2 := parseStamp(l[1])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("%w: %s: window %v", ErrFormat, f.Name, l)
		}
		// NAB locates a window by the first row holding each limit (a
		// few files repeat timestamps around a daylight-saving change).
		i, j := slices.Index(f.Times, a), slices.Index(f.Times, b)
		if i < 0 || j < i {
			return fmt.Errorf("%w: %s: window %v does not match rows", ErrFormat, f.Name, l)
		}
		if n := len(f.Windows); n > 0 && i <= f.Windows[n-1][1] {
			return fmt.Errorf("%w: %s: windows overlap or are unordered", ErrFormat, f.Name)
		}
		f.Windows = append(f.Windows, [2]int{i, j})
	}
	return nil
}

// Profile is an application profile's cost matrix.
type Profile struct {
	Name           string
	TP, FP, FN, TN float64
}

// Profiles are NAB's three profiles, in the order NAB reports them.
var Profiles = []Profile{
	{Name: "standard", TP: 1, FP: 0.11, FN: 1, TN: 1},
	{Name: "reward_low_FP_rate", TP: 1, FP: 0.22, FN: 1, TN: 1},
	{Name: "reward_low_FN_rate", TP: 1, FP: 0.11, FN: 2, TN: 1},
}

// LoadProfiles reads config/profiles.json.
func LoadProfiles(path string) ([]Profile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nab: %w", err)
	}
	var m map[string]struct {
		CostMatrix struct{ TpWeight, FpWeight, FnWeight, TnWeight float64 }
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, path, err)
	}
	var out []Profile
	for name, v := range m {
		cm := v.CostMatrix
		out = append(out, Profile{Name: name, TP: cm.TpWeight, FP: cm.FpWeight, FN: cm.FnWeight, TN: cm.TnWeight})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out, nil
}

// ScaledSigmoid is NAB's scaled sigmoid of a relative position.
func ScaledSigmoid(x float64) float64 {
	if x >= 3 {
		return -1
	}
	return 2/(1+math.Exp(5*x)) - 1
}

// FileScore is one file's score at a threshold.
type FileScore struct {
	Name              string
	Score             float64
	TP, TN, FP, FN    int
	Total             int
	Detected, Windows int
}

// Result is a profile's score over the corpus.
type Result struct {
	Profile    Profile
	Threshold  float64
	Raw        float64 // corpus sum of file scores
	Null       float64 // the null detector's raw score
	Perfect    float64 // the perfect detector's raw score
	Normalized float64 // 100·(Raw-Null)/(Perfect-Null)
	Files      []FileScore
}

// Normalize maps a raw score onto NAB's scale: 0 for the null detector, 100
// for the perfect one.
func Normalize(raw, null, perfect float64) float64 {
	return 100 * (raw - null) / (perfect - null)
}

// NullScore and PerfectScore are the raw scores of the null and perfect
// detectors on a corpus with the given number of windows.
func NullScore(windows int, p Profile) float64    { return -p.FN * float64(windows) }
func PerfectScore(windows int, p Profile) float64 { return p.TP * float64(windows) }

// rowWeight is the contribution of detecting row i of f: the window index it
// belongs to (or -1) and its weighted sweep score.
type rowInfo struct {
	window int     // global window index, -1 outside
	weight float64 // tp or fp contribution when detected
}

// sweep precomputes every scored row's window and weight under p.
func sweep(f *File, p Profile, firstWindow int) []rowInfo {
	n := len(f.Times)
	out := make([]rowInfo, n)
	maxTP := ScaledSigmoid(-1)
	w := 0
	prevEnd, prevWidth := -1, 0
	for i := 0; i < n; i++ {
		for w < len(f.Windows) && i > f.Windows[w][1] {
			prevEnd, prevWidth = f.Windows[w][1], f.Windows[w][1]-f.Windows[w][0]+1
			w++
		}
		if w < len(f.Windows) && i >= f.Windows[w][0] {
			end, width := f.Windows[w][1], f.Windows[w][1]-f.Windows[w][0]+1
			pos := -float64(end-i+1) / float64(width)
			out[i] = rowInfo{window: firstWindow + w, weight: ScaledSigmoid(pos) * p.TP / maxTP}
			continue
		}
		pos := 3.0
		if prevEnd >= 0 {
			pos = math.Abs(float64(i-prevEnd)) / float64(prevWidth-1)
		}
		out[i] = rowInfo{window: -1, weight: ScaledSigmoid(pos) * p.FP}
	}
	return out
}

// ScoreAt scores anomaly scores (one slice per file, row-aligned) at a
// threshold under profile p.
func (c *Corpus) ScoreAt(scores [][]float64, p Profile, threshold float64) (Result, error) {
	if err := c.check(scores); err != nil {
		return Result{}, err
	}
	res := Result{Profile: p, Threshold: threshold}
	for k, f := range c.Files {
		rows := sweep(f, p, 0)
		fs := FileScore{Name: f.Name, Total: len(f.Times), Windows: len(f.Windows)}
		best := make([]float64, len(f.Windows))
		hit := make([]bool, len(f.Windows))
		var fp float64
		for i := f.Probation(); i < len(rows); i++ {
			det := scores[k][i] >= threshold
			r := rows[i]
			switch {
			case r.window >= 0 && det:
				fs.TP++
				if !hit[r.window] || r.weight > best[r.window] {
					best[r.window] = r.weight
				}
				hit[r.window] = true
			case r.window >= 0:
				fs.FN++
			case det:
				fs.FP++
				fp += r.weight
			default:
				fs.TN++
			}
		}
		fs.Score = fp
		for w := range f.Windows {
			if f.Windows[w][1] < f.Probation() {
				continue // wholly probationary: not scored
			}
			if hit[w] {
				fs.Score += best[w]
				fs.Detected++
			} else {
				fs.Score -= p.FN
			}
		}
		res.Raw += fs.Score
		res.Files = append(res.Files, fs)
	}
	res.Null = NullScore(c.Windows(), p)
	res.Perfect = PerfectScore(c.Windows(), p)
	res.Normalized = Normalize(res.Raw, res.Null, res.Perfect)
	return res, nil
}

func (c *Corpus) check(scores [][]float64) error {
	if len(scores) != len(c.Files) {
		return fmt.Errorf("nab: %d score series for %d files", len(scores), len(c.Files))
	}
	for k, f := range c.Files {
		if len(scores[k]) != len(f.Times) {
			return fmt.Errorf("nab: %s: %d scores for %d rows", f.Name, len(scores[k]), len(f.Times))
		}
		for i, s := range scores[k] {
			if math.IsNaN(s) {
				return fmt.Errorf("nab: %s row %d: NaN anomaly score", f.Name, i)
			}
		}
	}
	return nil
}

// Optimize finds the single threshold that maximises the corpus score under
// p, exactly: rows are visited from the highest score down and the score
// change of each newly detected row is applied (a window counts its
// earliest detection), so every distinct score is evaluated once. Among
// equal best scores the highest threshold wins. The returned Result is
// ScoreAt at that threshold.
func (c *Corpus) Optimize(scores [][]float64, p Profile) (Result, error) {
	if err := c.check(scores); err != nil {
		return Result{}, err
	}
	type cand struct {
		score  float64
		window int
		weight float64
		row    int
	}
	var all []cand
	nw := 0
	for k, f := range c.Files {
		rows := sweep(f, p, nw)
		for i := f.Probation(); i < len(rows); i++ {
			all = append(all, cand{scores[k][i], rows[i].window, rows[i].weight, i})
		}
		nw += len(f.Windows)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	// Windows wholly inside probation are never scored; NAB's corpus has
	// none, and they contribute the same to every threshold anyway.
	best := make([]float64, nw)
	hit := make([]bool, nw)
	total := NullScore(nw, p)
	bestScore, bestThr := total, math.Inf(1)
	for i := 0; i < len(all); {
		j := i
		for ; j < len(all) && all[j].score == all[i].score; j++ {
			a := all[j]
			if a.window < 0 {
				total += a.weight
				continue
			}
			if !hit[a.window] {
				hit[a.window] = true
				best[a.window] = a.weight
				total += p.FN + a.weight
			} else if a.weight > best[a.window] {
				total += a.weight - best[a.window]
				best[a.window] = a.weight
			}
		}
		if total > bestScore {
			bestScore, bestThr = total, all[i].score
		}
		i = j
	}
	return c.ScoreAt(scores, p, bestThr)
}
