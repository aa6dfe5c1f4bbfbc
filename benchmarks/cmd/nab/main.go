package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
	"github.com/vigil-ml/vigil/benchmarks/nab"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "nab:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		data     = fs.String("data", "", "NAB corpus directory holding data/ and labels/ (default $VIGIL_DATA/nab or ../shared/data/nab)")
		out      = fs.String("out", "", "write DIR/<category>/<file>.csv (timestamp,value,anomaly_score,label)")
		adapt    = fs.Float64("adapt", 1, "the model's AdaptationRate")
		sens     = fs.Float64("sensitivity", 1, "the model's Sensitivity")
		suppress = fs.Int("suppress", 0, "rows after an alarm in which a row no more surprising is not reported again (0: default)")
		margin   = fs.Float64("margin", 0, "how much a row's -log10 p must exceed the suppression window's largest to be reported")
		engine   = fs.String("engine", "timeseries", "what scores the rows: timeseries (a mean(value) job per file, as users run it) or tsmodel (the per-series model driven directly)")
		perFile  = fs.Bool("files", false, "print the standard profile's per-file scores")
		compare  = fs.Bool("scoreboard", true, "print the published scoreboard (results/final_results.json) beside the figures")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		root, err := dataset.Root()
		if err != nil {
			return err
		}
		dir = filepath.Join(root, "nab")
	}
	start := time.Now()
	c, err := nab.Load(dir)
	if err != nil {
		return err
	}
	o := options{adapt: *adapt, sensitivity: *sens, suppress: *suppress, margin: *margin}
	if o.suppress == 0 {
		o.suppress = defaultSuppress
	}

	runner := runEngine
	switch *engine {
	case "timeseries":
	case "tsmodel":
		runner = runModel
	default:
		return fmt.Errorf("-engine %q: want timeseries or tsmodel", *engine)
	}
	scores := make([][]float64, len(c.Files))
	rows := 0
	for k, f := range c.Files {
		if scores[k], err = runner(f, o); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		rows += len(f.Times)
		if *out != "" {
			if err := writeResults(filepath.Join(*out, filepath.FromSlash(f.Name)), f, scores[k]); err != nil {
				return err
			}
		}
	}
	elapsed := time.Since(start)
	fmt.Fprintf(stderr, "nab: %s: %d files, %d rows, %d windows scored in %.2fs\n", *engine, len(c.Files), rows, c.Windows(), elapsed.Seconds())

	board := map[string]map[string]float64{}
	if *compare {
		if raw, err := os.ReadFile(filepath.Join(dir, "results", "final_results.json")); err == nil {
			_ = json.Unmarshal(raw, &board)
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "detector\tstandard\treward_low_FP_rate\treward_low_FN_rate\t")
	var res [3]nab.Result
	for i, p := range nab.Profiles {
		if res[i], err = c.Optimize(scores, p); err != nil {
			return err
		}
	}
	fmt.Fprintf(tw, "vigil %s (this run)\t%.2f\t%.2f\t%.2f\t\n", *engine, res[0].Normalized, res[1].Normalized, res[2].Normalized)
	fmt.Fprintf(tw, "  threshold\t%.4f\t%.4f\t%.4f\t\n", res[0].Threshold, res[1].Threshold, res[2].Threshold)
	names := make([]string, 0, len(board))
	for k := range board {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return board[names[i]]["standard"] > board[names[j]]["standard"] })
	for _, n := range names {
		b := board[n]
		fmt.Fprintf(tw, "%s (published)\t%.2f\t%.2f\t%.2f\t\n", n, b["standard"], b["reward_low_FP_rate"], b["reward_low_FN_rate"])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if *perFile {
		tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "file\tscore\twindows\tdetected\tTP\tFP\tFN")
		for _, f := range res[0].Files {
			fmt.Fprintf(tw, "%s\t%.3f\t%d\t%d\t%d\t%d\t%d\n", f.Name, f.Score, f.Windows, f.Detected, f.TP, f.FP, f.FN)
		}
		return tw.Flush()
	}
	return nil
}

// writeResults writes one file's results as NAB's results files lay them
// out: timestamp, value, anomaly_score, label (1 inside a window).
func writeResults(path string, f *nab.File, scores []float64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(fh)
	in := f.InWindow()
	_ = w.Write([]string{"timestamp", "value", "anomaly_score", "label"})
	for i := range f.Times {
		label := "0"
		if in[i] {
			label = "1"
		}
		_ = w.Write([]string{f.Stamps[i], strconv.FormatFloat(f.Values[i], 'g', -1, 64), strconv.FormatFloat(scores[i], 'g', 8, 64), label})
	}
	w.Flush()
	return errors.Join(w.Error(), fh.Close())
}
