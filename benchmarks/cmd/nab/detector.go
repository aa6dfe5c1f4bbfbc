package main

import (
	"math"
	"slices"

	"github.com/vigil-ml/vigil/benchmarks/nab"
	"github.com/vigil-ml/vigil/internal/tsmodel"
)

// options are the detector's settings.
type options struct {
	adapt, sensitivity float64
	// suppress is how long after a row, in buckets, a row of no greater
	// surprise is not reported again.
	suppress int
	// margin is how much a row's -log10 p must exceed the largest of the
	// suppression window to be reported.
	margin float64
}

// samplingInterval is the median positive gap between rows: the bucket span
// of the file's job.
func samplingInterval(times []int64) int64 {
	var gaps []int64
	for i := 1; i < len(times); i++ {
		if d := times[i] - times[i-1]; d > 0 {
			gaps = append(gaps, d)
		}
	}
	if len(gaps) == 0 {
		return 60
	}
	slices.Sort(gaps)
	return gaps[len(gaps)/2]
}

// logP is -log10 p.
func logP(p float64) float64 {
	return math.Max(0, -math.Log10(math.Max(p, 1e-300)))
}

// surprise maps L = -log10 p onto NAB's [0, 1] anomaly score scale as
// L/(L+5), so p = 1e-5 scores 0.5. It is monotone, which is all a single
// corpus-wide threshold needs.
func surprise(l float64) float64 { return l / (l + 5) }

// post turns every row's L into its anomaly score: suppression, then the
// L/(L+5) map.
func (o options) post(l []float64) []float64 {
	sup := newSuppressor(o.suppress, o.margin)
	out := make([]float64, len(l))
	for i, x := range l {
		out[i] = surprise(sup.next(x))
	}
	return out
}

// suppressor reports a row's L only when it exceeds every raw L of the
// last n rows by more than margin (so one event is alarmed once, at its onset, and
// again only if it grows well beyond it); other rows report 0.
type suppressor struct {
	n      int
	margin float64
	ring   []float64
	pos    int
}

func newSuppressor(n int, margin float64) *suppressor {
	return &suppressor{n: n, margin: margin, ring: make([]float64, n)}
}

func (s *suppressor) next(x float64) float64 {
	if s.n == 0 {
		return x
	}
	out := x
	for _, r := range s.ring {
		if r+s.margin >= x {
			out = 0
			break
		}
	}
	s.ring[s.pos] = x
	s.pos = (s.pos + 1) % s.n
	return out
}

// runModel drives internal/tsmodel directly: one series per file, one bucket
// per row, each row scored before it is learnt.
func runModel(f *nab.File, o options) ([]float64, error) {
	span := samplingInterval(f.Times)
	p, err := tsmodel.NewParams(span, o.adapt, o.sensitivity)
	if err != nil {
		return nil, err
	}
	var s tsmodel.Series
	out := make([]float64, len(f.Times))
	for i, t := range f.Times {
		r := s.Observe(p, t, f.Values[i], tsmodel.TwoSided)
		pr := r.Probability
		if !r.Warm {
			pr = 1
		}
		out[i] = logP(pr)
	}
	return o.post(out), nil
}
