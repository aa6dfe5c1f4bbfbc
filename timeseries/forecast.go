package timeseries

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/tsmodel"
)

// ErrForecast reports a forecast that cannot be made: a job or function
// that cannot be forecast, too little history, a horizon beyond it.
var ErrForecast = errors.New("cannot forecast")

// DefaultForecastDuration is Elastic's default forecast duration.
const DefaultForecastDuration = 24 * time.Hour

// maxForecastPoints bounds the results of one forecast (series × buckets).
const maxForecastPoints = 50_000_000

// ForecastPoint is Elastic's model_forecast result: one series' predicted
// value and 95% bounds for one future bucket.
type ForecastPoint struct {
	JobID, ForecastID string
	Timestamp         time.Time // bucket start
	BucketSpan        int64     // seconds
	DetectorIndex     int
	Function          string
	FieldName         string

	ByFieldName, ByFieldValue               string
	PartitionFieldName, PartitionFieldValue string

	Prediction, Lower, Upper float64
}

// forecastable reports whether Elastic forecasts a function
// (isForecastSupported): the count, distinct_count, metric and sum
// families, not rare, freq_rare, time_of_day or time_of_week.
func forecastable(f fn) bool { return f.feat < featRare && f.feat != featMetric }

// Forecast predicts every series of the job's count and metric detectors
// for duration after the last closed bucket (0 means one day, Elastic's
// default): the model's typical value and 95% bounds per bucket, from the
// model as it stands (the job's state does not change). Results are ordered
// by detector, partition value, by value and time.
//
// As Elastic, a job with over_field_name (population analysis) cannot be
// forecast, nor can the rare, freq_rare, time_of_day and time_of_week
// functions (their detectors are skipped; a job of only those is an
// error); the horizon cannot reach further ahead than the history behind
// it (last − first bucket of the job), which is an error rather than a
// silently shortened forecast; and a series is forecast only once it has
// the history it needs to score (8 buckets over at least max(2 h, 7
// buckets)), or up to its own history's length if that is shorter than
// duration. A job with no such series is an ErrForecast error
// ("insufficient history to forecast"). All errors are ErrForecast.
func (e *Engine) Forecast(duration time.Duration) ([]ForecastPoint, error) {
	if e.dets == nil {
		return nil, check.NotFitted(pkg)
	}
	if duration == 0 {
		duration = DefaultForecastDuration
	}
	if duration < 0 {
		return nil, forecastErr("duration %v must be positive", duration)
	}
	var supported, skipped []string
	for i, d := range e.job.Detectors {
		if d.OverFieldName != "" {
			return nil, forecastErr("detector %d (%s over %q): forecasts are not supported for population analysis (over_field_name)", i, d.Function, d.OverFieldName)
		}
		if forecastable(e.dets[i].f) {
			supported = append(supported, d.Function)
		} else {
			skipped = append(skipped, d.Function)
		}
	}
	if len(supported) == 0 {
		return nil, forecastErr("none of the job's functions (%s) can be forecast: rare, freq_rare, time_of_day and time_of_week cannot", strings.Join(skipped, ", "))
	}
	if !e.started || e.stats.Buckets == 0 {
		return nil, forecastErr("no data has been processed: insufficient history to forecast")
	}
	// The job's history: from the earliest bucket any series has data in
	// to the last closed bucket.
	first := e.open
	for i := range e.series {
		if sr := &e.series[i]; sr.alive && sr.first < first {
			first = sr.first
		}
	}
	histMs := (e.open - first) * e.spanMs
	steps := (duration.Milliseconds() + e.spanMs - 1) / e.spanMs
	if steps*e.spanMs > histMs {
		return nil, forecastErr("duration %v is longer than the job's history of %v: forecasts reach at most as far ahead as the data behind them",
			duration, time.Duration(histMs)*time.Millisecond)
	}
	warmMs := max(2*time.Hour.Milliseconds(), 7*e.spanMs)
	type cand struct {
		idx   int32
		steps int64
	}
	var cands []cand
	var points int64
	for i := range e.series {
		sr := &e.series[i]
		if !sr.alive || !forecastable(e.dets[sr.det].f) || sr.model.Count() < 8 {
			continue
		}
		last, _ := sr.model.Last()
		firstMs := sr.first * e.spanMs
		own := last*1000 + e.spanMs - firstMs // the series' history in ms
		if last*1000-firstMs < warmMs {
			continue
		}
		n := min(steps, own/e.spanMs)
		cands = append(cands, cand{int32(i), n})
		points += n
	}
	if len(cands) == 0 {
		return nil, forecastErr("insufficient history to forecast: no series has %v of history (8 buckets) yet", time.Duration(warmMs)*time.Millisecond)
	}
	if points > maxForecastPoints {
		return nil, forecastErr("%d series × up to %d buckets is %d results, more than %d: forecast a shorter duration", len(cands), steps, points, maxForecastPoints)
	}
	sort.Slice(cands, func(a, b int) bool {
		x, y := &e.series[cands[a].idx], &e.series[cands[b].idx]
		if x.det != y.det {
			return x.det < y.det
		}
		if x.part != y.part {
			return x.part < y.part
		}
		return x.by < y.by
	})
	id := fmt.Sprintf("%s-%d-%d", e.job.ID, e.open*e.spanMs, steps)
	out := make([]ForecastPoint, 0, points)
	start := e.open
	var f tsmodel.Forecaster
	for _, c := range cands {
		sr := &e.series[c.idx]
		d := &e.dets[sr.det]
		f.Reset(&sr.model, d.params)
		for k := int64(0); k < c.steps; k++ {
			b := start + k
			typ, lo, hi := f.At(b * e.spanMs / 1000)
			fp := ForecastPoint{JobID: e.job.ID, ForecastID: id, Timestamp: time.UnixMilli(b * e.spanMs).UTC(), BucketSpan: e.spanMs / 1000,
				DetectorIndex: int(sr.det), Function: d.cfg.Function, FieldName: d.cfg.FieldName,
				ByFieldName: d.cfg.ByFieldName, PartitionFieldName: d.cfg.PartitionFieldName,
				Prediction: typ, Lower: lo, Upper: hi}
			if d.cfg.ByFieldName != "" {
				fp.ByFieldValue = sr.by
			}
			if d.cfg.PartitionFieldName != "" {
				fp.PartitionFieldValue = sr.part
			}
			out = append(out, fp)
		}
	}
	return out, nil
}

func forecastErr(format string, args ...any) error {
	return check.Errorf(pkg, ErrForecast, format, args...)
}

// AppendJSON appends Elastic's model_forecast document.
func (f *ForecastPoint) AppendJSON(b []byte) []byte {
	w := jw{b: append(b, '{'), first: true}
	w.str("job_id", f.JobID)
	w.str("forecast_id", f.ForecastID)
	w.str("result_type", "model_forecast")
	w.int("bucket_span", f.BucketSpan)
	w.int("detector_index", int64(f.DetectorIndex))
	w.int("timestamp", f.Timestamp.UnixMilli())
	if f.PartitionFieldName != "" {
		w.str("partition_field_name", f.PartitionFieldName)
		w.str("partition_field_value", f.PartitionFieldValue)
	}
	if f.ByFieldName != "" {
		w.str("by_field_name", f.ByFieldName)
		w.str("by_field_value", f.ByFieldValue)
	}
	w.str("model_feature", modelFeature(f.Function))
	w.num("forecast_lower", f.Lower)
	w.num("forecast_upper", f.Upper)
	w.num("forecast_prediction", f.Prediction)
	return append(w.b, '}')
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (f ForecastPoint) MarshalJSON() ([]byte, error) { return f.AppendJSON(nil), nil }

// modelFeature names what a function models per bucket, as Elastic's
// model_feature strings do.
func modelFeature(function string) string {
	switch functions[function].feat {
	case featCount, featNonZeroCount:
		return "'count per bucket by person'"
	case featDistinct:
		return "'distinct count per bucket by person'"
	case featMean:
		return "'mean value by person'"
	case featMin:
		return "'minimum value by person'"
	case featMax:
		return "'maximum value by person'"
	case featVarp:
		return "'variance of values by person'"
	case featMedian:
		return "'median value by person'"
	case featInfo:
		return "'information content of value per bucket by person'"
	default:
		return "'bucket sum by person'"
	}
}
