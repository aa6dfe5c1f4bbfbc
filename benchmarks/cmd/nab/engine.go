package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/vigil-ml/vigil/benchmarks/nab"
	"github.com/vigil-ml/vigil/timeseries"
)

// runEngine drives a real timeseries job, as a user would run it: one job
// per file with a single mean(value) detector and bucket_span = the file's
// sampling interval. A row's score is the probability of the record of the
// bucket it falls in (1 without a record), given to the bucket's last row
// only: results of a bucket exist once it closes, and an earlier row of the
// same bucket (a repeated timestamp) must not see the rows after it. Rows
// that step back in time are refused by the job (ErrLate) and score 0.
func runEngine(f *nab.File, o options) ([]float64, error) {
	l, err := engineSurprise(f, o)
	if err != nil {
		return nil, err
	}
	return o.post(l), nil
}

// engineSurprise returns every row's L = -log10 p from the job (0 for rows
// that hold no bucket result).
func engineSurprise(f *nab.File, o options) ([]float64, error) {
	span := samplingInterval(f.Times)
	job := timeseries.Job{
		ID:             "nab",
		BucketSpan:     time.Duration(span) * time.Second,
		Detectors:      []timeseries.Detector{{Function: "mean", FieldName: "value"}},
		Sensitivity:    o.sensitivity,
		AdaptationRate: o.adapt,
	}
	eng, err := timeseries.New(job)
	if err != nil {
		return nil, err
	}
	prob := map[int64]float64{} // bucket start (unix s) -> record probability
	take := func(res []timeseries.BucketResult) {
		for _, b := range res {
			for _, r := range b.Records {
				prob[b.Timestamp.Unix()] = r.Probability
			}
		}
	}
	ev := &timeseries.MapEvent{Numbers: map[string]float64{}}
	late := make([]bool, len(f.Times))
	for i, t := range f.Times {
		ev.Timestamp = time.Unix(t, 0).UTC()
		ev.Numbers["value"] = f.Values[i]
		res, err := eng.Observe(ev)
		if errors.Is(err, timeseries.ErrLate) {
			// A row stepping back in time (a clock change in a few NAB
			// files): the job counts and drops it, and it scores 0.
			late[i] = true
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		take(res)
	}
	res, err := eng.Flush()
	if err != nil {
		return nil, err
	}
	take(res)

	out := make([]float64, len(f.Times))
	for i, t := range f.Times {
		b := floorDiv(t, span) * span
		if late[i] || i+1 < len(f.Times) && floorDiv(f.Times[i+1], span)*span == b {
			continue
		}
		p, ok := prob[b]
		if !ok {
			p = 1
		}
		out[i] = logP(p)
	}
	return out, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
