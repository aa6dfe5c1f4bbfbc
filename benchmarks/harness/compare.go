package harness

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Row sets one set's figures from two reports side by side. Deltas are A
// minus B; A or B is nil when the set is in one report only.
type Row struct {
	Dataset  string
	N, D     int
	A, B     *Result
	DeltaROC float64
	DeltaPR  float64
	// SE is the standard error of DeltaROC from the seeds' spread on both
	// sides, sqrt(sa²/na + sb²/nb) with sample variances; 0 when either
	// side has fewer than two runs. |Δ| well under 2·SE is seed noise.
	SE float64
	// Flagged marks |DeltaROC| > tolerance, or a set missing from one side.
	Flagged bool
}

// Comparison holds two reports matched set by set.
type Comparison struct {
	A, B      *Report
	Tolerance float64
	Rows      []Row
}

// Compare matches a and b by set name, in a's order followed by sets only b
// has, and flags every set whose ROC-AUC means differ by more than tol.
func Compare(a, b *Report, tol float64) *Comparison {
	c := &Comparison{A: a, B: b, Tolerance: tol}
	inB := map[string]*Result{}
	for i := range b.Results {
		inB[b.Results[i].Dataset] = &b.Results[i]
	}
	seen := map[string]bool{}
	for i := range a.Results {
		ra := &a.Results[i]
		row := Row{Dataset: ra.Dataset, N: ra.N, D: ra.D, A: ra, B: inB[ra.Dataset]}
		if row.B == nil {
			row.Flagged = true
		} else {
			row.DeltaROC = ra.ROCAUC - row.B.ROCAUC
			row.DeltaPR = ra.PRAUC - row.B.PRAUC
			row.Flagged = math.Abs(row.DeltaROC) > tol
			row.SE = stdErr(ra, row.B)
		}
		seen[ra.Dataset] = true
		c.Rows = append(c.Rows, row)
	}
	for i := range b.Results {
		if rb := &b.Results[i]; !seen[rb.Dataset] {
			c.Rows = append(c.Rows, Row{Dataset: rb.Dataset, N: rb.N, D: rb.D, B: rb, Flagged: true})
		}
	}
	return c
}

// stdErr is the standard error of the difference of two seed means.
func stdErr(a, b *Result) float64 {
	va, ok := sampleVar(a.Runs)
	if !ok {
		return 0
	}
	vb, ok := sampleVar(b.Runs)
	if !ok {
		return 0
	}
	return math.Sqrt(va/float64(len(a.Runs)) + vb/float64(len(b.Runs)))
}

// sampleVar is the ddof=1 variance of the runs' ROC-AUC.
func sampleVar(runs []RunResult) (float64, bool) {
	if len(runs) < 2 {
		return 0, false
	}
	var m, v float64
	for _, r := range runs {
		m += r.ROCAUC
	}
	m /= float64(len(runs))
	for _, r := range runs {
		v += (r.ROCAUC - m) * (r.ROCAUC - m)
	}
	return v / float64(len(runs)-1), true
}

// Flagged returns the names of the flagged sets.
func (c *Comparison) Flagged() []string {
	var out []string
	for _, r := range c.Rows {
		if r.Flagged {
			out = append(out, r.Dataset)
		}
	}
	return out
}

// WriteTable writes the comparison as a Markdown table followed by a
// summary: the largest |ΔROC| and the flagged sets.
func (c *Comparison) WriteTable(w io.Writer) error {
	an, bn := c.A.Implementation, c.B.Implementation
	var b strings.Builder
	fmt.Fprintf(&b, "A: %s\nB: %s\n\n", c.A.Describe(), c.B.Describe())
	fmt.Fprintf(&b, "| dataset | n | d | ROC %s | ROC %s | Δ ROC | SE Δ | PR %s | PR %s | Δ PR | s %s | s %s | |\n", an, bn, an, bn, an, bn)
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|\n")
	num := func(r *Result, f func(*Result) float64, format string) string {
		if r == nil {
			return "—"
		}
		return fmt.Sprintf(format, f(r))
	}
	roc := func(r *Result) float64 { return r.ROCAUC }
	pr := func(r *Result) float64 { return r.PRAUC }
	secs := func(r *Result) float64 { return r.FitSeconds + r.ScoreSeconds }
	var worst Row
	var sumAbs float64
	var matched int
	for _, r := range c.Rows {
		flag := ""
		if r.Flagged {
			flag = "**!**"
		}
		dROC, dPR, se := "—", "—", "—"
		if r.A != nil && r.B != nil {
			dROC, dPR = fmt.Sprintf("%+.4f", r.DeltaROC), fmt.Sprintf("%+.4f", r.DeltaPR)
			if r.SE > 0 {
				se = fmt.Sprintf("%.4f", r.SE)
			}
			matched++
			sumAbs += math.Abs(r.DeltaROC)
			if math.Abs(r.DeltaROC) >= math.Abs(worst.DeltaROC) {
				worst = r
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Dataset, r.N, r.D,
			num(r.A, roc, "%.4f"), num(r.B, roc, "%.4f"), dROC, se,
			num(r.A, pr, "%.4f"), num(r.B, pr, "%.4f"), dPR,
			num(r.A, secs, "%.3f"), num(r.B, secs, "%.3f"), flag)
	}
	if matched > 0 {
		fmt.Fprintf(&b, "\n%d sets matched; mean |Δ ROC| %.4f; largest |Δ ROC| %.4f on %s; tolerance %.4f\n",
			matched, sumAbs/float64(matched), math.Abs(worst.DeltaROC), worst.Dataset, c.Tolerance)
	}
	if f := c.Flagged(); len(f) > 0 {
		fmt.Fprintf(&b, "FLAGGED (|Δ ROC| > %.4f or missing on one side): %s\n", c.Tolerance, strings.Join(f, ", "))
	} else {
		fmt.Fprintf(&b, "no set outside tolerance\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
