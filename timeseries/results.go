package timeseries

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// BucketResult is everything a closed bucket produced: Elastic's bucket
// result, the bucket's record and influencer results, and the job's model
// size statistics at the bucket's close.
type BucketResult struct {
	JobID string
	// Timestamp is the bucket start; BucketSpan its length in seconds.
	Timestamp  time.Time
	BucketSpan int64
	// AnomalyScore is the largest record score of the bucket (0 without
	// records); InitialAnomalyScore equals it, since scores are never
	// renormalised.
	AnomalyScore, InitialAnomalyScore float64
	// EventCount is the number of events accepted into the bucket.
	EventCount int64
	// BucketInfluencers summarise the bucket per influencer field, plus
	// "bucket_time" for the bucket as a whole; empty without records.
	BucketInfluencers []BucketInfluencer
	// Records are the anomalous series of the bucket (record_score > 0),
	// ordered by detector, partition value and by value.
	Records []Record
	// Influencers are the bucket's influencer results, ordered by field and
	// value.
	Influencers []InfluencerResult
	// ModelSizeStats is the job's memory account after the bucket closed.
	ModelSizeStats ModelSizeStats
	// ModelPlot holds every series' bounds when Job.ModelPlot is set.
	ModelPlot []ModelPlot
}

// ModelPlot is Elastic's model_plot result: one series' actual value,
// typical value (model_median) and 95% bounds in one bucket.
type ModelPlot struct {
	JobID         string
	Timestamp     time.Time
	BucketSpan    int64
	DetectorIndex int
	Function      string
	FieldName     string

	ByFieldName, ByFieldValue               string
	PartitionFieldName, PartitionFieldValue string

	Actual, Median, Lower, Upper float64
}

// AppendJSON appends Elastic's model_plot document.
func (m *ModelPlot) AppendJSON(b []byte) []byte {
	w := jw{b: append(b, '{'), first: true}
	w.str("job_id", m.JobID)
	w.str("result_type", "model_plot")
	w.int("timestamp", m.Timestamp.UnixMilli())
	w.int("bucket_span", m.BucketSpan)
	w.int("detector_index", int64(m.DetectorIndex))
	if m.ByFieldName != "" {
		w.str("by_field_name", m.ByFieldName)
		w.str("by_field_value", m.ByFieldValue)
	}
	if m.PartitionFieldName != "" {
		w.str("partition_field_name", m.PartitionFieldName)
		w.str("partition_field_value", m.PartitionFieldValue)
	}
	w.num("model_lower", m.Lower)
	w.num("model_upper", m.Upper)
	w.num("model_median", m.Median)
	w.num("actual", m.Actual)
	w.boolean("is_interim", false)
	return append(w.b, '}')
}

// BucketInfluencer is an element of a bucket's bucket_influencers.
type BucketInfluencer struct {
	InfluencerFieldName string
	// AnomalyScore and InitialAnomalyScore are equal (no renormalisation).
	AnomalyScore, InitialAnomalyScore float64
	// RawAnomalyScore is Elastic's raw score of Probability (reference §3.9).
	RawAnomalyScore float64
	Probability     float64
}

// Record is Elastic's record result: one anomalous series in one bucket.
type Record struct {
	JobID         string
	Timestamp     time.Time // bucket start
	BucketSpan    int64     // seconds
	DetectorIndex int
	Function      string
	// FunctionDescription is, for a metric detector, which of its three
	// features the record is about: "mean", "min" or "max" (Elastic's
	// function_description); empty for the other functions.
	FunctionDescription string
	FieldName           string

	ByFieldName, ByFieldValue               string
	OverFieldName, OverFieldValue           string
	PartitionFieldName, PartitionFieldValue string

	// RecordScore is ProbabilityScore(Probability); InitialRecordScore
	// equals it (scores are never rewritten).
	RecordScore, InitialRecordScore float64
	// Probability is the model's probability of a bucket at least as
	// extreme, after Sensitivity.
	Probability float64
	// Actual is the bucket's value; Typical the model's prediction, and
	// Lower and Upper its 95% bounds.
	Actual, Typical, Lower, Upper float64
	// MultiBucketImpact is Elastic's -5..5 measure of how much the
	// multi-bucket (sustained) evidence outweighs this bucket alone.
	MultiBucketImpact float64
	// Influencers lists, per influencer field, the values blamed for the
	// anomaly (influence ≥ 0.4), most influential first.
	Influencers []RecordInfluencer
	Severity    Severity
	// Causes are, for population records (over_field_name with a by
	// field), the by values behind the over value's anomaly, most
	// anomalous first (at most ten), as Elastic's causes.
	Causes []Cause

	rareScale bool        // scored with RarityScore
	infl      [][]float64 // influences of Influencers, until the bucket is finished
}

// RecordInfluencer is an element of a record's influencers.
type RecordInfluencer struct {
	FieldName   string
	FieldValues []string
}

// InfluencerResult is Elastic's influencer result: how anomalous one
// influencer value made the bucket.
type InfluencerResult struct {
	JobID      string
	Timestamp  time.Time
	BucketSpan int64

	FieldName, FieldValue string
	// InfluencerScore is ProbabilityScore(Probability), the largest over
	// the records the value influenced; Probability is the record's
	// probability raised to the value's influence.
	InfluencerScore, InitialInfluencerScore float64
	Probability                             float64
}

// ModelSizeStats is Elastic's model_size_stats: the job's memory account.
type ModelSizeStats struct {
	JobID     string
	Timestamp time.Time
	// ModelBytes is the accounted size of the job's state; MemoryLimit the
	// configured limit.
	ModelBytes, MemoryLimit int64
	MemoryStatus            MemoryStatus
	// Series is the number of modelled series (total_by_field_count),
	// Partitions the number of partition values.
	Series, Partitions int64
	// AllocationFailures counts refused new entities since the job started
	// (bucket_allocation_failures_count); Pruned counts entities dropped
	// after PruneWindow idle.
	AllocationFailures, Pruned int64
}

// Severity is Elastic's band of a 0-100 score.
type Severity uint8

// Severity bands: warning [0, 25), minor [25, 50), major [50, 75),
// critical [75, 100].
const (
	Warning Severity = iota
	Minor
	Major
	Critical
)

func (s Severity) String() string {
	return [...]string{"warning", "minor", "major", "critical"}[min(int(s), 3)]
}

// SeverityOf returns the band of a 0-100 score.
func SeverityOf(score float64) Severity {
	switch {
	case score >= 75:
		return Critical
	case score >= 50:
		return Major
	case score >= 25:
		return Minor
	}
	return Warning
}

// Score mapping constants: probabilities from 0.05 down to 1e-8 map
// log-linearly onto 0..100.
const (
	scoreP0   = 0.05
	scoreP100 = 1e-8
)

// ProbabilityScore maps a probability to the 0-100 record score:
//
//	score(p) = 100 · clamp(ln(0.05/p) / ln(0.05/1e-8), 0, 1)
//
// so p ≥ 0.05 scores 0, p = 1e-3 scores 25.4, 1e-4 40.3, 1e-5 55.2,
// 1e-6 70.2, 4.7e-7 75 and p ≤ 1e-8 scores 100. It is a fixed function:
// a score never depends on other results and is never rewritten, unlike
// Elastic's quantile renormalisation. The job's Sensitivity s enters
// before it (the model reports p^s), so for s = 2 a bucket of probability
// 1e-4 scores as 1e-8 does at s = 1.
func ProbabilityScore(p float64) float64 {
	if !(p < scoreP0) {
		return 0
	}
	if p <= scoreP100 {
		return 100
	}
	s := 100 * math.Log(scoreP0/p) / math.Log(scoreP0/scoreP100)
	return math.Round(s*1e4) / 1e4
}

// rawScore is Elastic's raw anomaly score of a probability (§3.9 of the
// reference), reported as raw_anomaly_score.
func rawScore(p float64) float64 {
	switch {
	case !(p < 0.05):
		return 0
	case p >= 1e-4:
		return (1/p - 20) / (1e4 - 20)
	case p >= 1e-50:
		return 1 + 49*(-math.Log(p)-math.Log(1e4))/(math.Log(1e50)-math.Log(1e4))
	}
	lp := -math.Log(math.Max(p, math.SmallestNonzeroFloat64))
	return math.Min(100, 50+50*(lp-math.Log(1e50))/(-math.Log(2.2250738585072014e-308)-math.Log(1e50)))
}

// JSON documents. Field names and shapes are Elastic's, so that results can
// be indexed as they are.

func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

func appendNum(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

type jw struct {
	b     []byte
	first bool
}

func (w *jw) key(k string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}
func (w *jw) str(k, v string)         { w.key(k); w.b = appendStr(w.b, v) }
func (w *jw) num(k string, f float64) { w.key(k); w.b = appendNum(w.b, f) }
func (w *jw) int(k string, v int64)   { w.key(k); w.b = strconv.AppendInt(w.b, v, 10) }
func (w *jw) boolean(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}
func (w *jw) optStr(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

// AppendJSON appends the record as Elastic's record result document.
func (r *Record) AppendJSON(b []byte) []byte {
	w := jw{b: append(b, '{'), first: true}
	w.str("job_id", r.JobID)
	w.str("result_type", "record")
	w.int("timestamp", r.Timestamp.UnixMilli())
	w.int("bucket_span", r.BucketSpan)
	w.int("detector_index", int64(r.DetectorIndex))
	w.str("function", r.Function)
	w.optStr("function_description", r.FunctionDescription)
	w.optStr("field_name", r.FieldName)
	if r.ByFieldName != "" {
		w.str("by_field_name", r.ByFieldName)
		w.str("by_field_value", r.ByFieldValue)
	}
	if r.OverFieldName != "" {
		w.str("over_field_name", r.OverFieldName)
		w.str("over_field_value", r.OverFieldValue)
	}
	if r.PartitionFieldName != "" {
		w.str("partition_field_name", r.PartitionFieldName)
		w.str("partition_field_value", r.PartitionFieldValue)
	}
	w.num("record_score", r.RecordScore)
	w.num("initial_record_score", r.InitialRecordScore)
	w.num("probability", r.Probability)
	w.key("actual")
	w.b = appendNum(append(w.b, '['), r.Actual)
	w.b = append(w.b, ']')
	w.key("typical")
	w.b = appendNum(append(w.b, '['), r.Typical)
	w.b = append(w.b, ']')
	w.num("multi_bucket_impact", r.MultiBucketImpact)
	if len(r.Causes) > 0 {
		w.key("causes")
		w.b = append(w.b, '[')
		for i := range r.Causes {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = r.Causes[i].appendJSON(w.b, r)
		}
		w.b = append(w.b, ']')
	}
	if len(r.Influencers) > 0 {
		w.key("influencers")
		w.b = append(w.b, '[')
		for i, inf := range r.Influencers {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, `{"influencer_field_name":`...)
			w.b = appendStr(w.b, inf.FieldName)
			w.b = append(w.b, `,"influencer_field_values":[`...)
			for k, v := range inf.FieldValues {
				if k > 0 {
					w.b = append(w.b, ',')
				}
				w.b = appendStr(w.b, v)
			}
			w.b = append(w.b, "]}"...)
		}
		w.b = append(w.b, ']')
	}
	return append(w.b, '}')
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (r Record) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the bucket as Elastic's bucket result document
// (records and influencers are separate documents).
func (r *BucketResult) AppendJSON(b []byte) []byte {
	w := jw{b: append(b, '{'), first: true}
	w.str("job_id", r.JobID)
	w.str("result_type", "bucket")
	w.int("timestamp", r.Timestamp.UnixMilli())
	w.int("bucket_span", r.BucketSpan)
	w.num("anomaly_score", r.AnomalyScore)
	w.num("initial_anomaly_score", r.InitialAnomalyScore)
	w.int("event_count", r.EventCount)
	w.boolean("is_interim", false)
	w.key("bucket_influencers")
	w.b = append(w.b, '[')
	for i, bi := range r.BucketInfluencers {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		iw := jw{b: append(w.b, '{'), first: true}
		iw.str("job_id", r.JobID)
		iw.str("result_type", "bucket_influencer")
		iw.str("influencer_field_name", bi.InfluencerFieldName)
		iw.num("anomaly_score", bi.AnomalyScore)
		iw.num("initial_anomaly_score", bi.InitialAnomalyScore)
		iw.num("raw_anomaly_score", bi.RawAnomalyScore)
		iw.num("probability", bi.Probability)
		iw.int("timestamp", r.Timestamp.UnixMilli())
		iw.int("bucket_span", r.BucketSpan)
		iw.boolean("is_interim", false)
		w.b = append(iw.b, '}')
	}
	w.b = append(w.b, ']')
	return append(w.b, '}')
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (r BucketResult) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends Elastic's influencer result document.
func (r *InfluencerResult) AppendJSON(b []byte) []byte {
	w := jw{b: append(b, '{'), first: true}
	w.str("job_id", r.JobID)
	w.str("result_type", "influencer")
	w.int("timestamp", r.Timestamp.UnixMilli())
	w.int("bucket_span", r.BucketSpan)
	w.str("influencer_field_name", r.FieldName)
	w.str("influencer_field_value", r.FieldValue)
	w.num("influencer_score", r.InfluencerScore)
	w.num("initial_influencer_score", r.InitialInfluencerScore)
	w.num("probability", r.Probability)
	w.boolean("is_interim", false)
	return append(w.b, '}')
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (r InfluencerResult) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends Elastic's model_size_stats document.
func (m *ModelSizeStats) AppendJSON(b []byte) []byte {
	w := jw{b: append(b, '{'), first: true}
	w.str("job_id", m.JobID)
	w.str("result_type", "model_size_stats")
	w.int("timestamp", m.Timestamp.UnixMilli())
	w.int("model_bytes", m.ModelBytes)
	w.int("model_bytes_memory_limit", m.MemoryLimit)
	w.str("memory_status", m.MemoryStatus.String())
	w.int("total_by_field_count", m.Series)
	w.int("total_partition_field_count", m.Partitions)
	w.int("bucket_allocation_failures_count", m.AllocationFailures)
	w.int("pruned_count", m.Pruned)
	return append(w.b, '}')
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (m ModelSizeStats) MarshalJSON() ([]byte, error) { return m.AppendJSON(nil), nil }
