package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// WriteJSON writes r indented, for machines and for Compare.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadReport reads a report written by WriteJSON or by the scikit-learn
// script.
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// Describe is the one-line summary printed above a table.
func (r *Report) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)", r.Detector, r.Implementation)
	if len(r.Params) > 0 {
		keys := make([]string, 0, len(r.Params))
		for k := range r.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%v", k, r.Params[k])
		}
	}
	fmt.Fprintf(&b, "; seeds %s; workers %d; %s", seedList(r.Seeds), r.Workers, r.Runtime)
	return b.String()
}

// seedList writes 0..k-1 for the usual consecutive seeds, else the list.
func seedList(seeds []uint64) string {
	for i, s := range seeds {
		if s != uint64(i) {
			return fmt.Sprint(seeds)
		}
	}
	if len(seeds) > 2 {
		return fmt.Sprintf("0..%d", len(seeds)-1)
	}
	return fmt.Sprint(seeds)
}

// WriteTable writes r as a Markdown table, one row per set, then a line per
// skipped set.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", r.Describe())
	b.WriteString("| dataset | n | d | anomalies | ROC-AUC | ± | PR-AUC | ± | fit s | score s |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var roc, pr float64
	for _, x := range r.Results {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.4f | %.4f | %.4f | %.4f | %.3f | %.3f |\n",
			x.Dataset, x.N, x.D, x.Anomalies, x.ROCAUC, x.ROCAUCStd, x.PRAUC, x.PRAUCStd, x.FitSeconds, x.ScoreSeconds)
		roc += x.ROCAUC
		pr += x.PRAUC
	}
	if k := len(r.Results); k > 0 {
		fmt.Fprintf(&b, "| **mean of %d sets** | | | | %.4f | | %.4f | | | |\n", k, roc/float64(k), pr/float64(k))
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(&b, "\nskipped %s (n=%d): %s", s.Dataset, s.N, s.Reason)
	}
	if len(r.Skipped) > 0 {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
