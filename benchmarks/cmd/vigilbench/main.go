package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
	"github.com/vigil-ml/vigil/benchmarks/harness"
)

func main() {
	code, err := run(os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigilbench:", err)
	}
	os.Exit(code)
}

// run returns the exit status: 0 ok, 1 comparison flagged a set, 2 error.
func run(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("vigilbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		detName = fs.String("detector", "iforest", "detector to run: "+harness.Names())
		dataDir = fs.String("data", "", "directory of NAME.csv sets (default: $VIGIL_DATA/odds or ../shared/data/odds)")
		maxN    = fs.Int("max-n", 300000, "skip sets with more rows (0: no limit)")
		seeds   = fs.Int("seeds", 5, "run seeds 0..seeds-1 and report mean and std")
		only    = fs.String("only", "", "comma-separated set names to run (default: all)")
		asJSON  = fs.Bool("json", false, "print the report as JSON instead of a table")
		scores  = fs.String("scores", "", "write each run's scores to DIR/NAME.DETECTOR.seedK.csv")
		compare = fs.String("compare", "", "JSON report to compare against (e.g. from sklearn_iforest.py -json)")
		in      = fs.String("in", "", "read Vigil's report from this JSON file instead of running")
		tol     = fs.Float64("tol", 0.015, "with -compare: flag sets whose mean ROC-AUC differs by more than this")
		quiet   = fs.Bool("q", false, "no per-set progress on stderr")
		sever   = fs.Bool("severity", false, "print the share of normal rows and of anomalies graded Warning or worse, with the severity scale measured from 0 (before) and from the median (after), for -detector (a comma-separated list; default all)")
		o       harness.Options
	)
	fs.IntVar(&o.Workers, "workers", 0, "goroutines per detector (0: GOMAXPROCS)")
	fs.IntVar(&o.Trees, "trees", 0, "iforest: trees (0: 100)")
	fs.IntVar(&o.SampleSize, "sample-size", 0, "iforest: rows per tree (0: 256)")
	fs.Float64Var(&o.MaxFeatures, "max-features", 0, "iforest: fraction of features per tree (0: 1)")
	fs.IntVar(&o.Extension, "extension", 0, "iforest: extension level (0: standard IF)")
	fs.BoolVar(&o.Bootstrap, "bootstrap", false, "iforest: draw rows with replacement")
	fs.IntVar(&o.K, "k", 0, "knn, lof: neighbours (0: detector default)")
	fs.StringVar(&o.Method, "method", "", "knn: largest, mean or median (empty: detector default)")
	fs.BoolVar(&o.Standardize, "standardize", false, "knn, lof: standardise features first")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, nil
		}
		return 2, nil // flag has printed the problem and the usage
	}
	if fs.NArg() > 0 {
		return 2, fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	if *sever {
		return runSeverity(fs, *detName, *dataDir, *maxN, *only, *quiet, o, stdout, stderr)
	}

	var rep *harness.Report
	if *in != "" {
		r, err := harness.ReadReport(*in)
		if err != nil {
			return 2, err
		}
		rep = r
	} else {
		det, ok := harness.Lookup(*detName)
		if !ok {
			return 2, fmt.Errorf("unknown detector %q; have %s", *detName, harness.Names())
		}
		if *seeds < 1 {
			return 2, fmt.Errorf("-seeds must be at least 1, got %d", *seeds)
		}
		dir := *dataDir
		if dir == "" {
			d, err := dataset.Dir()
			if err != nil {
				return 2, err
			}
			dir = d
		}
		if *scores != "" {
			if err := os.MkdirAll(*scores, 0o755); err != nil {
				return 2, err
			}
		}
		sc := harness.SuiteConfig{
			Config: harness.Config{Options: o, ScoresDir: *scores},
			Dir:    dir,
			MaxN:   *maxN,
		}
		for s := range *seeds {
			sc.Seeds = append(sc.Seeds, uint64(s))
		}
		if *only != "" {
			sc.Only = strings.Split(*only, ",")
		}
		if !*quiet {
			sc.Progress = func(r harness.Result) {
				fmt.Fprintf(stderr, "%-16s n=%-7d ROC-AUC %.4f ± %.4f  PR-AUC %.4f  fit %.3fs score %.3fs\n",
					r.Dataset, r.N, r.ROCAUC, r.ROCAUCStd, r.PRAUC, r.FitSeconds, r.ScoreSeconds)
			}
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		r, err := harness.RunSuite(ctx, det, sc)
		if err != nil {
			return 2, err
		}
		rep = r
	}

	if *compare != "" {
		ref, err := harness.ReadReport(*compare)
		if err != nil {
			return 2, err
		}
		c := harness.Compare(rep, ref, *tol)
		if *asJSON {
			if err := rep.WriteJSON(stdout); err != nil {
				return 2, err
			}
		} else if err := c.WriteTable(stdout); err != nil {
			return 2, err
		}
		if len(c.Flagged()) > 0 {
			return 1, nil
		}
		return 0, nil
	}
	if *asJSON {
		return exit(rep.WriteJSON(stdout))
	}
	return exit(rep.WriteTable(stdout))
}

func exit(err error) (int, error) {
	if err != nil {
		return 2, err
	}
	return 0, nil
}

// runSeverity prints the severity table (issue 10's before/after figures).
func runSeverity(fs *flag.FlagSet, detNames, dataDir string, maxN int, only string, quiet bool, o harness.Options, stdout, stderr io.Writer) (int, error) {
	names := strings.Split(harness.Names(), ", ")
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "detector" {
			names = strings.Split(detNames, ",")
		}
	})
	var dets []harness.Detector
	for _, n := range names {
		d, ok := harness.Lookup(strings.TrimSpace(n))
		if !ok {
			return 2, fmt.Errorf("unknown detector %q; have %s", n, harness.Names())
		}
		dets = append(dets, d)
	}
	dir := dataDir
	if dir == "" {
		d, err := dataset.Dir()
		if err != nil {
			return 2, err
		}
		dir = d
	}
	sc := harness.SuiteConfig{Config: harness.Config{Options: o, Seeds: []uint64{0}}, Dir: dir, MaxN: maxN}
	if only != "" {
		sc.Only = strings.Split(only, ",")
	}
	if !quiet {
		sc.Progress = func(r harness.Result) { fmt.Fprintf(stderr, "%s n=%d\n", r.Dataset, r.N) }
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rows, err := harness.RunSeverity(ctx, dets, sc)
	if err != nil {
		return 2, err
	}
	return exit(harness.WriteSeverityTable(stdout, rows))
}
