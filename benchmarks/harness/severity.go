package harness

import (
	"context"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
	"github.com/vigil-ml/vigil/score"
)

// SeverityRow measures the severity scale on one set and detector: the
// threshold is the 95th percentile of the detector's scores of the set
// (the scores as their own reference, as a service that fits on its data
// does), and each share is the fraction of rows graded Warning or worse.
// "Before" is the scale measured from 0 (Warning from 1.2 × the threshold),
// "after" the scale measured from the reference's median (Warning from
// median + 1.2 × (threshold − median)).
type SeverityRow struct {
	Dataset   string  `json:"dataset"`
	Detector  string  `json:"detector"`
	N         int     `json:"n"`
	Anomalies int     `json:"anomalies"`
	Typical   float64 `json:"typical"`   // median of the scores
	Threshold float64 `json:"threshold"` // their 95th percentile
	// Shares of normal rows and of anomalies graded Warning or worse; NaN
	// "before" where the threshold is not above 0 (no scale from 0).
	NormalBefore  float64 `json:"normal_warning_before"`
	AnomalyBefore float64 `json:"anomaly_warning_before"`
	NormalAfter   float64 `json:"normal_warning_after"`
	AnomalyAfter  float64 `json:"anomaly_warning_after"`
}

// MeasureSeverity fills a SeverityRow from scores and labels.
func MeasureSeverity(scores []float64, labels []bool) (SeverityRow, error) {
	var r SeverityRow
	if len(scores) != len(labels) {
		return r, fmt.Errorf("harness: %d scores for %d labels", len(scores), len(labels))
	}
	after, err := score.FitThreshold(scores, score.ThresholdConfig{})
	if err != nil {
		return r, err
	}
	r.N, r.Typical, r.Threshold = len(scores), after.Origin(), after.Value()
	share := func(t *score.Threshold, anomalous bool) float64 {
		if t == nil {
			return math.NaN()
		}
		hit, all := 0, 0
		for i, s := range scores {
			if labels[i] != anomalous {
				continue
			}
			all++
			if t.Severity(s) >= score.Warning {
				hit++
			}
		}
		if all == 0 {
			return math.NaN()
		}
		return float64(hit) / float64(all)
	}
	var before *score.Threshold
	if r.Threshold > 0 {
		if before, err = score.NewThreshold(r.Threshold, score.ThresholdConfig{}); err != nil {
			return r, err
		}
	}
	for _, l := range labels {
		if l {
			r.Anomalies++
		}
	}
	r.NormalBefore, r.AnomalyBefore = share(before, false), share(before, true)
	r.NormalAfter, r.AnomalyAfter = share(after, false), share(after, true)
	return r, nil
}

// RunSeverity measures every detector of dets on every set of sc (seed
// sc.Seeds[0], 0 if none), in set order then detector order.
func RunSeverity(ctx context.Context, dets []Detector, sc SuiteConfig) ([]SeverityRow, error) {
	names, manifest, err := setNames(sc)
	if err != nil {
		return nil, err
	}
	seed := uint64(0)
	if len(sc.Seeds) > 0 {
		seed = sc.Seeds[0]
	}
	var rows []SeverityRow
	err = eachSet(ctx, sc, names, manifest, func(string, int) {}, func(ds *dataset.Dataset) error {
		for _, det := range dets {
			fn, err := det.Fit(ctx, ds.X, seed, sc.Options)
			if err != nil {
				return fmt.Errorf("%s on %s: fit: %w", det.Name, ds.Name, err)
			}
			scores, err := fn(ctx)
			if err != nil {
				return fmt.Errorf("%s on %s: score: %w", det.Name, ds.Name, err)
			}
			r, err := MeasureSeverity(scores, ds.Labels)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", det.Name, ds.Name, err)
			}
			r.Dataset, r.Detector = ds.Name, det.Name
			rows = append(rows, r)
			if sc.Progress != nil {
				sc.Progress(Result{Dataset: ds.Name, N: r.N})
			}
		}
		return nil
	})
	return rows, err
}

// WriteSeverityTable prints rows as percentages, then each detector's mean
// over the sets (NaN shares left out).
func WriteSeverityTable(w io.Writer, rows []SeverityRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	pct := func(v float64) string {
		if math.IsNaN(v) {
			return "-"
		}
		return fmt.Sprintf("%.1f", 100*v)
	}
	fmt.Fprintln(tw, "set\tdetector\tn\tanomalies\ttypical\tthreshold\tnormal≥W before %\tanomaly≥W before %\tnormal≥W after %\tanomaly≥W after %\t")
	type acc struct {
		sum [4]float64
		n   [4]int
	}
	means := map[string]*acc{}
	var order []string
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.4g\t%.4g\t%s\t%s\t%s\t%s\t\n", r.Dataset, r.Detector, r.N, r.Anomalies,
			r.Typical, r.Threshold, pct(r.NormalBefore), pct(r.AnomalyBefore), pct(r.NormalAfter), pct(r.AnomalyAfter))
		a := means[r.Detector]
		if a == nil {
			a = &acc{}
			means[r.Detector] = a
			order = append(order, r.Detector)
		}
		for i, v := range []float64{r.NormalBefore, r.AnomalyBefore, r.NormalAfter, r.AnomalyAfter} {
			if !math.IsNaN(v) {
				a.sum[i] += v
				a.n[i]++
			}
		}
	}
	for _, d := range order {
		a := means[d]
		var m [4]float64
		for i := range m {
			m[i] = math.NaN()
			if a.n[i] > 0 {
				m[i] = a.sum[i] / float64(a.n[i])
			}
		}
		fmt.Fprintf(tw, "mean\t%s\t\t\t\t\t%s\t%s\t%s\t%s\t\n", d, pct(m[0]), pct(m[1]), pct(m[2]), pct(m[3]))
	}
	return tw.Flush()
}
