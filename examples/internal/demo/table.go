package demo

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/vigil-ml/vigil/timeseries"
)

// Row is one record's cells in the analyst's table, but for the score and
// severity, which PrintRecords fills in.
type Row struct{ Time, Entity, Actual, Typical, Why string }

// PrintRecords writes the records scoring at least minScore to w as a
// table: header names the columns (time, entity, actual, typical, score,
// severity, why; tab-separated), row gives a record's cells.
func PrintRecords(w io.Writer, header string, recs []timeseries.Record, minScore float64, row func(r *timeseries.Record) Row) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	n := 0
	for i := range recs {
		r := &recs[i]
		if r.RecordScore < minScore {
			continue
		}
		n++
		c := row(r)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n", c.Time, c.Entity, c.Actual, c.Typical, r.RecordScore, r.Severity, c.Why)
	}
	tw.Flush()
	if n == 0 {
		fmt.Fprintf(w, "(no record scored %.0f or more)\n", minScore)
	}
}

// Influencers lists r's influencers but skip as name=v1,v2,v3 +N (the
// first three values), joined by "; ", or "-" if none; name shortens a
// field name for the table (nil: as is).
func Influencers(r *timeseries.Record, skip string, name func(string) string) string {
	var parts []string
	for _, inf := range r.Influencers {
		if inf.FieldName == skip {
			continue
		}
		vals := inf.FieldValues
		more := ""
		if len(vals) > 3 {
			more = fmt.Sprintf(" +%d", len(vals)-3)
			vals = vals[:3]
		}
		n := inf.FieldName
		if name != nil {
			n = name(n)
		}
		parts = append(parts, n+"="+strings.Join(vals, ",")+more)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}
