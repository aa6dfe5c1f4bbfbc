package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
	"github.com/vigil-ml/vigil/score"
)

// Options are detector settings from the command line. A zero field means
// the detector's own default; each entry reads only the fields it knows.
type Options struct {
	Workers     int     // all: 0 means GOMAXPROCS
	Trees       int     // iforest
	SampleSize  int     // iforest
	MaxFeatures float64 // iforest
	Extension   int     // iforest: extension level, 0 = standard IF
	Bootstrap   bool    // iforest
	K           int     // knn, lof
	Method      string  // knn: largest, mean or median
	Standardize bool    // knn, lof
}

// ScoreFunc returns the scores of every training row, in row order, higher
// meaning more anomalous.
type ScoreFunc func(ctx context.Context) ([]float64, error)

// Detector is one entry of the registry.
type Detector struct {
	Name string
	// Deterministic detectors give the same scores for every seed, so the
	// harness runs them once, with the first seed.
	Deterministic bool
	// Fit fits on every row of X. The harness times Fit and the returned
	// ScoreFunc separately.
	Fit func(ctx context.Context, X *mat.Dense, seed uint64, o Options) (ScoreFunc, error)
	// Params, if set, lists the effective parameters for a given Options,
	// defaults resolved, for the report header and the JSON.
	Params func(o Options) map[string]any
}

// RunResult is one seed's outcome on one set.
type RunResult struct {
	Seed         uint64  `json:"seed"`
	ROCAUC       float64 `json:"roc_auc"`
	PRAUC        float64 `json:"pr_auc"`
	FitSeconds   float64 `json:"fit_seconds"`
	ScoreSeconds float64 `json:"score_seconds"`
}

// Result summarises all seeds on one set. Means and population standard
// deviations are over Runs.
type Result struct {
	Dataset      string      `json:"dataset"`
	N            int         `json:"n"`
	D            int         `json:"d"`
	Anomalies    int         `json:"anomalies"`
	ROCAUC       float64     `json:"roc_auc_mean"`
	ROCAUCStd    float64     `json:"roc_auc_std"`
	PRAUC        float64     `json:"pr_auc_mean"`
	PRAUCStd     float64     `json:"pr_auc_std"`
	FitSeconds   float64     `json:"fit_seconds"`
	ScoreSeconds float64     `json:"score_seconds"`
	Runs         []RunResult `json:"runs"`
}

// Skip records a set left out of a run and why.
type Skip struct {
	Dataset string `json:"dataset"`
	N       int    `json:"n"`
	Reason  string `json:"reason"`
}

// Report is a whole run: what was run, where, and the per-set results in
// name order. scikit-learn's script writes the same shape.
type Report struct {
	Detector       string         `json:"detector"`
	Implementation string         `json:"implementation"`
	Params         map[string]any `json:"params,omitempty"`
	Seeds          []uint64       `json:"seeds"`
	Workers        int            `json:"workers"`
	MaxN           int            `json:"max_n"`
	Runtime        string         `json:"runtime"`
	Started        string         `json:"started"`
	Results        []Result       `json:"results"`
	Skipped        []Skip         `json:"skipped,omitempty"`
}

// Config controls a run over one set.
type Config struct {
	Seeds   []uint64
	Options Options
	// ScoresDir, if set, receives NAME.DETECTOR.seedK.csv for every run: one
	// score per line in row order, no header, so that any figure can be
	// recomputed outside Vigil.
	ScoresDir string
}

// Run fits and scores det on ds once per seed.
func Run(ctx context.Context, ds *dataset.Dataset, det Detector, cfg Config) (Result, error) {
	n, d := ds.X.Dims()
	res := Result{Dataset: ds.Name, N: n, D: d, Anomalies: ds.Anomalies()}
	seeds := cfg.Seeds
	if len(seeds) == 0 {
		seeds = []uint64{0}
	}
	if det.Deterministic {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		// Collect the previous run's garbage outside the timed region.
		runtime.GC()
		t0 := time.Now()
		scoreFn, err := det.Fit(ctx, ds.X, seed, cfg.Options)
		t1 := time.Now()
		if err != nil {
			return res, fmt.Errorf("%s on %s, seed %d: fit: %w", det.Name, ds.Name, seed, err)
		}
		scores, err := scoreFn(ctx)
		t2 := time.Now()
		if err != nil {
			return res, fmt.Errorf("%s on %s, seed %d: score: %w", det.Name, ds.Name, seed, err)
		}
		if len(scores) != n {
			return res, fmt.Errorf("%s on %s, seed %d: %d scores for %d rows", det.Name, ds.Name, seed, len(scores), n)
		}
		roc, err := score.ROCAUC(scores, ds.Labels)
		if err != nil {
			return res, fmt.Errorf("%s on %s, seed %d: %w", det.Name, ds.Name, seed, err)
		}
		ap, err := score.AveragePrecision(scores, ds.Labels)
		if err != nil {
			return res, fmt.Errorf("%s on %s, seed %d: %w", det.Name, ds.Name, seed, err)
		}
		if cfg.ScoresDir != "" {
			if err := WriteScores(ScoresPath(cfg.ScoresDir, ds.Name, det.Name, seed), scores); err != nil {
				return res, err
			}
		}
		res.Runs = append(res.Runs, RunResult{
			Seed: seed, ROCAUC: roc, PRAUC: ap,
			FitSeconds: t1.Sub(t0).Seconds(), ScoreSeconds: t2.Sub(t1).Seconds(),
		})
	}
	res.summarise()
	return res, nil
}

func (r *Result) summarise() {
	pick := func(f func(RunResult) float64) []float64 {
		out := make([]float64, len(r.Runs))
		for i, run := range r.Runs {
			out[i] = f(run)
		}
		return out
	}
	r.ROCAUC, r.ROCAUCStd = meanStd(pick(func(x RunResult) float64 { return x.ROCAUC }))
	r.PRAUC, r.PRAUCStd = meanStd(pick(func(x RunResult) float64 { return x.PRAUC }))
	r.FitSeconds, _ = meanStd(pick(func(x RunResult) float64 { return x.FitSeconds }))
	r.ScoreSeconds, _ = meanStd(pick(func(x RunResult) float64 { return x.ScoreSeconds }))
}

// meanStd returns the mean and the population (ddof=0, numpy's default)
// standard deviation.
func meanStd(x []float64) (mean, std float64) {
	if len(x) == 0 {
		return 0, 0
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)))
}

// ScoresPath is where Run writes the scores of one run.
func ScoresPath(dir, set, detector string, seed uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%s.%s.seed%d.csv", set, detector, seed))
}

// WriteScores writes one score per line with full precision.
func WriteScores(path string, scores []float64) error {
	buf := make([]byte, 0, 24*len(scores))
	for _, s := range scores {
		buf = strconv.AppendFloat(buf, s, 'g', -1, 64)
		buf = append(buf, '\n')
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return fmt.Errorf("writing scores: %w", err)
	}
	return nil
}

// SuiteConfig controls a run over a directory of sets.
type SuiteConfig struct {
	Config
	Dir  string
	MaxN int      // sets with more rows are skipped; 0 means no limit
	Only []string // if non-empty, run just these sets
	// Progress, if set, is called after each set, so long runs show life.
	Progress func(Result)
}

// RunSuite runs det over every set in sc.Dir (or those in sc.Only), in name
// order, skipping sets larger than sc.MaxN. Sizes come from MANIFEST.tsv
// when present, so that skipped sets are never parsed.
func RunSuite(ctx context.Context, det Detector, sc SuiteConfig) (*Report, error) {
	names, manifest, err := setNames(sc)
	if err != nil {
		return nil, err
	}
	rep := &Report{
		Detector:       det.Name,
		Implementation: "vigil",
		Seeds:          sc.Seeds,
		Workers:        sc.Options.Workers,
		MaxN:           sc.MaxN,
		Runtime:        fmt.Sprintf("%s %s/%s GOMAXPROCS=%d", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0)),
		Started:        time.Now().UTC().Format(time.RFC3339),
	}
	if det.Params != nil {
		rep.Params = det.Params(sc.Options)
	}
	if det.Deterministic && len(rep.Seeds) > 1 {
		rep.Seeds = rep.Seeds[:1]
	}
	err = eachSet(ctx, sc, names, manifest, func(name string, n int) {
		rep.Skipped = append(rep.Skipped, Skip{Dataset: name, N: n, Reason: fmt.Sprintf("n > max-n %d", sc.MaxN)})
	}, func(ds *dataset.Dataset) error {
		res, err := Run(ctx, ds, det, sc.Config)
		if err != nil {
			return err
		}
		rep.Results = append(rep.Results, res)
		if sc.Progress != nil {
			sc.Progress(res)
		}
		return nil
	})
	return rep, err
}

// setNames lists the sets of sc.Dir (or sc.Only) and reads the manifest.
func setNames(sc SuiteConfig) ([]string, map[string]dataset.Entry, error) {
	names, err := dataset.Names(sc.Dir)
	if err != nil {
		return nil, nil, err
	}
	if len(sc.Only) > 0 {
		for _, o := range sc.Only {
			if !slices.Contains(names, o) {
				return nil, nil, fmt.Errorf("no set %q in %s", o, sc.Dir)
			}
		}
		names = slices.DeleteFunc(names, func(s string) bool { return !slices.Contains(sc.Only, s) })
	}
	manifest, err := dataset.Manifest(sc.Dir)
	if err != nil && !errors.Is(err, dataset.ErrNotFound) {
		return nil, nil, err
	}
	return names, manifest, nil
}

// eachSet loads the named sets in order and calls run on each, calling skip
// for those over sc.MaxN rows (by the manifest, before parsing, when it
// lists them).
func eachSet(ctx context.Context, sc SuiteConfig, names []string, manifest map[string]dataset.Entry,
	skip func(name string, n int), run func(*dataset.Dataset) error) error {
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e, ok := manifest[name]; ok && sc.MaxN > 0 && e.N > sc.MaxN {
			skip(name, e.N)
			continue
		}
		ds, err := dataset.Load(filepath.Join(sc.Dir, name+".csv"))
		if err != nil {
			return err
		}
		n, d := ds.X.Dims()
		if e, ok := manifest[name]; ok && (e.N != n || e.D != d) {
			return fmt.Errorf("%s: file has %d×%d, MANIFEST.tsv says %d×%d", name, n, d, e.N, e.D)
		}
		if sc.MaxN > 0 && n > sc.MaxN {
			skip(name, n)
			continue
		}
		if err := run(ds); err != nil {
			return err
		}
	}
	return nil
}
