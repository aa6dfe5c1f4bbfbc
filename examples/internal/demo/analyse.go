package demo

import (
	"strings"

	"github.com/vigil-ml/vigil/timeseries"
)

// Analysis is what a job found over an example's events.
type Analysis struct {
	Records []timeseries.Record
	Plot    []timeseries.ModelPlot
	Stats   timeseries.Stats
	Buckets int
}

// Analyse runs the Elastic job jobJSON over evs (in time order) and
// collects every bucket's records and model plot.
func Analyse[E timeseries.Event](jobJSON string, evs []E) (*Analysis, error) {
	job, err := timeseries.FromElasticJSON(strings.NewReader(jobJSON))
	if err != nil {
		return nil, err
	}
	a := &Analysis{}
	collect := func(res []timeseries.BucketResult) {
		for _, b := range res {
			a.Buckets++
			a.Records = append(a.Records, b.Records...)
			a.Plot = append(a.Plot, b.ModelPlot...)
		}
	}
	for _, ev := range evs {
		res, err := job.Observe(ev)
		if err != nil {
			return nil, err
		}
		collect(res)
	}
	res, err := job.Flush()
	if err != nil {
		return nil, err
	}
	collect(res)
	a.Stats = job.Stats()
	return a, nil
}
